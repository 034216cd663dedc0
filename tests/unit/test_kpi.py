"""KPI quarters are calendar quarters: their bounds, the previous one, the past four."""

from __future__ import annotations

from app.demo.history import past_quarters
from app.domain.kpi import previous_quarter
from app.domain.kpi import quarter_bounds


def test_quarters_are_counted_from_the_calendar():
    from datetime import date

    assert quarter_bounds("2026-Q4") == (date(2026, 10, 1), date(2027, 1, 1))
    assert previous_quarter(date(2026, 1, 1)) == "2025-Q4"
    assert past_quarters(date(2026, 3, 2)) == [date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1)]
