"""The ISO 8601 values the application reads: clock durations, schedule periods and rules, dates."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from app.domain.iso8601 import add_months
from app.domain.iso8601 import parse_duration
from app.domain.iso8601 import parse_moment
from app.domain.iso8601 import parse_period
from app.domain.iso8601 import parse_rule

SHANGHAI = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT25H", timedelta(hours=25)),
        ("P3D", timedelta(days=3)),
        ("P1DT2H30M", timedelta(days=1, hours=2, minutes=30)),
        ("P2W", timedelta(weeks=2)),
        ("P1W2D", timedelta(days=9)),
        ("PT1.5H", timedelta(minutes=90)),
        ("PT1,5H", timedelta(minutes=90)),  # ISO 8601 allows the decimal comma
        ("PT0.25S", timedelta(milliseconds=250)),
        (" pt25h ", timedelta(hours=25)),  # typed by hand in the CLI
    ],
)
def test_clock_durations_read_days_weeks_and_fractions(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["P1M", "P1Y", "P1Y2D", "P1MT1H"])
def test_clock_durations_refuse_months_and_years_because_their_length_varies(text):
    with pytest.raises(ValueError, match="months and years have no fixed length"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["soon", "", "P", "PT", "25H", "P1H", "-P1D", "P99999999999W", None, 25])
def test_clock_durations_refuse_what_is_not_a_forward_duration(text):
    with pytest.raises(ValueError, match=r"duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "months", "delta"),
    [
        ("P1Y", 12, timedelta(0)),
        ("P3M", 3, timedelta(0)),
        ("P1Y2M", 14, timedelta(0)),
        ("P1M2D", 1, timedelta(days=2)),
        ("P1W", 0, timedelta(weeks=1)),
        ("PT12H", 0, timedelta(hours=12)),
    ],
)
def test_schedule_periods_keep_calendar_months_apart_from_fixed_time(text, months, delta):
    period = parse_period(text)
    assert (period.months, period.delta) == (months, delta)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("P0D", "longer than zero"),
        ("-P1M", "longer than zero"),
        ("P1.5M", "whole months"),
        ("monthly", "not an ISO 8601 period"),
        ("P", "not an ISO 8601 period"),
    ],
)
def test_schedule_periods_refuse_empty_negative_or_fractional_months(text, message):
    with pytest.raises(ValueError, match=message):
        parse_period(text)


def test_a_month_after_the_31st_is_the_last_day_of_the_next_month():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)  # leap year
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)


def test_monthly_occurrences_count_from_the_start_and_do_not_drift_after_a_short_month():
    rule = parse_rule("R/2027-01-31T09:00:00+08:00/P1M")
    assert [rule.occurrence(n) for n in range(4)] == [
        datetime(2027, 1, 31, 9, tzinfo=SHANGHAI),
        datetime(2027, 2, 28, 9, tzinfo=SHANGHAI),
        datetime(2027, 3, 31, 9, tzinfo=SHANGHAI),  # not the 28th again
        datetime(2027, 4, 30, 9, tzinfo=SHANGHAI),
    ]


def test_a_rule_keeps_its_time_zone_and_counts_its_repetitions():
    rule = parse_rule("R2/2026-12-01T09:00:00-05:00/P1Y")
    first = rule.occurrence(0)
    assert first == datetime(2026, 12, 1, 14, tzinfo=UTC)
    assert first.utcoffset() == timedelta(hours=-5)
    assert rule.occurrence(1) == datetime(2027, 12, 1, 9, tzinfo=timezone(timedelta(hours=-5)))
    assert rule.occurrence(2) is None
    assert parse_rule("R/2026-03-02T01:00:00Z/PT12H").first_after(datetime(2026, 3, 5, 9, tzinfo=SHANGHAI)) == (
        7,
        datetime(2026, 3, 5, 13, tzinfo=UTC),
    )


def test_a_single_date_time_runs_once():
    rule = parse_rule("2027-03-15T09:00:00+08:00")
    assert rule.occurrence(0) == datetime(2027, 3, 15, 9, tzinfo=SHANGHAI)
    assert rule.occurrence(1) is None
    assert rule.first_after(datetime(2027, 3, 15, 9, tzinfo=SHANGHAI)) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("R/2026-12-01T09:00:00/P1Y", "no time zone offset"),
        ("2027-03-15T09:00:00", "no time zone offset"),
        ("every monday", "Invalid isoformat"),
        ("R/2026-12-01T09:00:00+08:00", "expected R/<start>/<period>"),
        ("X/2026-12-01T09:00:00+08:00/P1Y", "expected R/<start>/<period>"),
        ("R-1/2026-12-01T09:00:00+08:00/P1Y", "expected R/<start>/<period>"),
        ("R/2026-12-01T09:00:00+08:00/P0D", "longer than zero"),
    ],
)
def test_bad_rules_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message) as raised:
        parse_rule(text)
    assert str(raised.value).startswith(f"bad schedule rule {text!r}")


def test_moments_need_an_offset_and_accept_z():
    assert parse_moment("2026-11-24T01:00:00Z") == datetime(2026, 11, 24, 9, tzinfo=SHANGHAI)
    assert parse_moment("2026-11-24 09:00:00+08:00") == datetime(2026, 11, 24, 9, tzinfo=SHANGHAI)
    with pytest.raises(ValueError, match="no time zone offset"):
        parse_moment("2026-11-24T09:00:00")
