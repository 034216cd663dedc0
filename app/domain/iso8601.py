"""ISO 8601 values of the application and calendar arithmetic on them: the one place they are read.

- durations of the clock endpoints (``PT25H``, ``P3D``, ``P1DT2H30M``, ``P2W``, ``PT1.5H``): a fixed
  length, so months and years are refused (their length varies);
- periods of schedules (``P1Y``, ``P3M``, ``P1W``, ``PT12H``): whole months plus a fixed part;
- schedule rules: a repeating interval ``R/2026-12-01T09:00:00+08:00/P1Y`` (``R5/...`` five
  times) or a single date-time (once). The n-th occurrence is start + n × period, months clamped to
  the month's end, so occurrences never drift;
- date-times with a time zone offset (``2026-11-24T09:00:00+08:00``, ``...Z``) and dates.

Durations and periods are read by ``isodate``; date-times by ``datetime.fromisoformat``, which
reads ISO 8601 since Python 3.11 and keeps accepting the RFC 3339 space between date and time that
diagram scripts may already use. Months are added with ``dateutil``'s ``relativedelta``
(2027-01-31 + 1 month = 2027-02-28).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

import isodate
from dateutil.relativedelta import relativedelta

_DURATION_EXAMPLE = "an ISO 8601 duration such as PT25H or P3D"
_PERIOD_EXAMPLE = "an ISO 8601 period such as P1Y, P3M or P1D"


# -- date-times and dates ------------------------------------------------------------------


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date-time that carries its time zone offset (``+08:00`` or ``Z``)."""
    moment = datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone offset, e.g. +08:00")
    return moment


def as_date(value: str | date | datetime | None) -> date | None:
    """The day of a date, a date-time or their ISO 8601 text; None when there is none."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).date()


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later (or earlier), clamped to the month's last day."""
    return day + relativedelta(months=months)


# -- durations and periods -----------------------------------------------------------------


def _read_duration(text: object, example: str) -> timedelta | isodate.Duration:
    # isodate takes "PT" for zero and raises OverflowError for huge numbers: both are bad input.
    if not isinstance(text, str) or not any(c.isdigit() for c in text):
        raise ValueError(f"not {example}: {text!r}")
    try:
        return isodate.parse_duration(text.strip().upper())
    except (ValueError, OverflowError):
        raise ValueError(f"not {example}: {text!r}") from None


def parse_duration(text: str) -> timedelta:
    """A day-time duration, fractions allowed (``PT1.5H``); months and years are refused."""
    value = _read_duration(text, _DURATION_EXAMPLE)
    if isinstance(value, isodate.Duration):
        raise ValueError(f"months and years have no fixed length, give days or hours (P30D, PT36H): {text!r}")
    if value < timedelta(0):
        raise ValueError(f"a duration must not be negative: {text!r}")
    return value


@dataclass(frozen=True)
class Period:
    """A schedule's step: whole calendar months plus a fixed length."""

    months: int
    delta: timedelta

    def after(self, start: datetime, times: int) -> datetime:
        return start + relativedelta(months=self.months * times) + self.delta * times


def parse_period(text: str) -> Period:
    """``P1Y``, ``P3M``, ``P1W``, ``P1DT12H``...; it must be longer than zero."""
    value = _read_duration(text, _PERIOD_EXAMPLE)
    months, delta = 0, value
    if isinstance(value, isodate.Duration):
        total = value.years * 12 + value.months
        if total != int(total):
            raise ValueError(f"a period counts whole months: {text!r}")
        months, delta = int(total), value.tdelta
    if months < 0 or delta < timedelta(0) or (months == 0 and delta == timedelta(0)):
        raise ValueError(f"a period must be longer than zero: {text!r}")
    return Period(months, delta)


# -- schedule rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """When a schedule runs: from ``start`` every ``period`` (None: once), ``repetitions`` times."""

    start: datetime
    period: Period | None  # None: runs once
    repetitions: int | None  # None: forever

    def occurrence(self, n: int) -> datetime | None:
        if self.period is None:
            return self.start if n == 0 else None
        if self.repetitions is not None and n >= self.repetitions:
            return None
        return self.period.after(self.start, n)

    def first_after(self, moment: datetime) -> tuple[int, datetime] | None:
        """The index and time of the first occurrence strictly after ``moment``."""
        n = 0
        if self.period is not None and self.period.months == 0 and moment > self.start:
            n = max(int((moment - self.start) / self.period.delta) - 1, 0)  # jump close, then walk
        while (at := self.occurrence(n)) is not None:
            if at > moment:
                return n, at
            n += 1
        return None


def _repetitions(designator: str) -> int | None:
    count = designator[1:]
    if not designator.startswith("R") or not (count == "" or count.isdecimal()):
        raise ValueError("expected R/<start>/<period> or a single date-time")
    return int(count) if count else None


def parse_rule(text: str) -> Rule:
    """``R[n]/start/period`` or a single date-time; the start needs a time zone.

    isodate reads no repeating intervals, so their frame (ISO 8601-1 §5.6: three parts between
    slashes) is taken apart here and each part read by its own parser.
    """
    parts = str(text).strip().split("/")
    try:
        if len(parts) == 1:
            return Rule(parse_moment(parts[0]), None, 1)
        if len(parts) != 3:
            raise ValueError("expected R/<start>/<period> or a single date-time")
        return Rule(parse_moment(parts[1]), parse_period(parts[2]), _repetitions(parts[0]))
    except ValueError as exc:
        raise ValueError(f"bad schedule rule {text!r}: {exc}") from None
