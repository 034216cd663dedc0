"""Working days and hours against the official arrangement (REQUIREMENTS.md §3 test vectors)."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

import pytest

from app.domain.workcalendar import DayInfo
from app.domain.workcalendar import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def official() -> WorkCalendar:
    import chinese_calendar

    days = {}
    for year in (2025, 2026):
        day = date(year, 1, 1)
        while day.year == year:
            days[day] = DayInfo(chinese_calendar.is_workday(day), "chinesecalendar")
            day = day.fromordinal(day.toordinal() + 1)
    return WorkCalendar(days, SHANGHAI, time(8, 30), time(17, 30))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-09-30 10:00", 3, "2026-10-10 10:00"),  # National Day; 10-10 is a make-up Saturday
        ("2026-02-13 10:00", 3, "2026-02-25 10:00"),  # Spring Festival
        ("2026-02-12 10:00", 5, "2026-02-26 10:00"),
        ("2026-09-24 10:00", 7, "2026-10-12 10:00"),
        ("2025-09-30 10:00", 7, "2025-10-16 10:00"),
        ("2026-04-30 10:00", 3, "2026-05-08 10:00"),
        ("2026-03-06 16:00", 1, "2026-03-09 16:00"),  # Friday → Monday
    ],
)
def test_working_days_follow_the_official_arrangement(official, start, days, expected):
    result = official.add_working_days(at(start), days)
    assert result.at == at(expected) and not result.estimated


def test_a_year_without_an_arrangement_is_estimated_from_weekdays(official):
    result = official.add_working_days(at("2026-12-24 10:00"), 7)
    assert result.at == at("2027-01-04 10:00") and result.estimated  # 2027-01-01 counted as a weekday


def test_working_hours_stop_at_closing_time_and_skip_holidays(official):
    assert official.add_working_hours(at("2026-03-02 16:00"), 6).at == at("2026-03-03 13:00")
    assert official.add_working_hours(at("2026-03-02 07:00"), 6).at == at("2026-03-02 14:30")
    # Thursday 2026-09-30 17:00 + 7 h: National Day holiday, back on Thursday 10-08.
    assert official.add_working_hours(at("2026-09-30 17:00"), 7).at == at("2026-10-08 15:00")
