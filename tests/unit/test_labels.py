"""Every audit-event kind the code records is a member of the enum that has the labels (which every
member has, in both languages: tests/api/test_labels.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from app.domain.events import EventType

APP = Path(__file__).resolve().parents[2] / "app"


def recorded_event_types() -> set[str]:
    """The literal event types the application's code writes: ``record(uow, case, at, actor, "type", …)``,
    ``new_event(case, at, actor, "type", …)``, a case step's ``step.record("type", …)`` and
    ``step.apply(operation, "type", …)``, and ``_record_on_task(step, "type", …)``."""
    found = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "") == "step":
                position = {"record": 0, "apply": 1}.get(node.func.attr)
            else:
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                position = {"record": 4, "new_event": 3, "_record_on_task": 1}.get(name)
            if position is not None and len(node.args) > position and isinstance(node.args[position], ast.Constant):
                found.add(node.args[position].value)
            for keyword in node.keywords:
                if keyword.arg in ("event", "type_") and isinstance(keyword.value, ast.Constant):
                    found.add(keyword.value.value)
    return found


def test_every_event_type_the_code_records_is_a_member_of_the_enum():
    recorded = recorded_event_types()
    assert len(recorded) > 15  # the scan finds the calls
    assert recorded <= set(EventType), sorted(recorded - set(EventType))
