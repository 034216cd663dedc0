"""KPIs computed from known cases match hand-computed values; the KPI review starts with them."""

from __future__ import annotations

import pytest

from app.domain.kpi import previous_quarter
from app.domain.kpi import quarter_bounds
from app.services.demo_history import open_history
from app.services.demo_history import past_quarters


def test_quarters_are_counted_from_the_calendar():
    from datetime import date

    assert quarter_bounds("2026-Q4") == (date(2026, 10, 1), date(2027, 1, 1))
    assert previous_quarter(date(2026, 1, 1)) == "2025-Q4"
    assert past_quarters(date(2026, 3, 2)) == [date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1)]


@pytest.fixture
def history(ctx):
    return open_history(ctx)


def test_kpis_of_known_cases_match_the_hand_computed_values(history, as_user):
    assert history == [f"history 2025-Q{q}: 5 closed service cases" for q in range(1, 5)]
    q1 = as_user("auditor").get("/reports/kpi?quarter=2025-Q1").json
    # Q1: one second visit, one quote 30 h after the notice, one report escalated — of five cases.
    assert {k: (f["value"], f["cases"], f["met"]) for k, f in q1["figures"].items()} == {
        "first_time_fix": (0.8, 5, False),
        "quote_timeliness": (0.8, 5, False),
        "repair_timeliness": (0.8, 5, False),
        "complaint_satisfaction": (None, 0, False),
    }
    # (0.25 × 0.8/0.9 + 0.15 × 0.8/0.95 + 0.25 × 0.8/0.95) / 0.65 × 100
    assert q1["weighted_score"] == pytest.approx(86.01, abs=0.01)
    assert q1["missed"] == ["first_time_fix", "quote_timeliness", "repair_timeliness"]
    assert len(q1["figures"]["first_time_fix"]["missed_case_ids"]) == 1
    q2 = as_user("auditor").get("/reports/kpi?quarter=2025-Q2").json
    assert q2["weighted_score"] == 100.0 and q2["missed"] == []
    q3 = as_user("auditor").get("/reports/kpi?quarter=2025-Q3").json
    assert q3["missed"] == ["first_time_fix"]
    assert as_user("agent").get("/reports/kpi?quarter=2025-Q1").status_code == 403
    assert as_user("auditor").get("/reports/kpi?quarter=Q1").status_code == 422
