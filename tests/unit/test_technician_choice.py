"""The dispatcher's technician choice says why in each language (the form shows the user's half of
"中文 / English"; the issue saw "region urban, skill refrigeration" on a Chinese page)."""

from __future__ import annotations

from datetime import date

from app.domain.technicians import TechnicianProfile
from app.domain.technicians import rank_technicians


def test_a_proposal_reads_in_chinese_and_in_english():
    near = TechnicianProfile("t1", "钱明", ("urban",), ("refrigeration",), date(2027, 1, 1), 2, 4)
    far = TechnicianProfile("t2", "孙丽", ("rural",), (), date(2027, 1, 1), 4, 4)
    first, second = rank_technicians([far, near], region="urban", skill="refrigeration", on=date(2026, 3, 2))
    assert first.title == (
        "钱明 — 区域 urban、技能 refrigeration、在办 2/4 / 钱明 — region urban, skill refrigeration, 2/4 open"
    )
    assert second.title == "孙丽 — 在办 4/4（已满负荷） / 孙丽 — 4/4 open (overloaded)"
