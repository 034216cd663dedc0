"""The QA overview's KPI trend covers the quarters up to the given day."""

from __future__ import annotations

from datetime import date

from app.services.qa.overview import recent_quarters


def test_recent_quarters_end_with_the_given_day():
    assert recent_quarters(date(2026, 2, 10)) == ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    assert recent_quarters(date(2026, 12, 31), 2) == ["2026-Q3", "2026-Q4"]
