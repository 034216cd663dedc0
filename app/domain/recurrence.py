"""Recurrence rules of schedules, in ISO 8601 repeating-interval form.

``R/2026-12-01T09:00:00+08:00/P1Y`` — every year from that moment (``R5/...`` five times);
``2027-03-15T09:00:00+08:00`` — once. Occurrences are counted from the start (the n-th is
start + n × period, months clamped to the month's end), so they never drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from .fees import add_months

_PERIOD = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?)?$"
)


@dataclass(frozen=True)
class Period:
    months: int
    delta: timedelta

    def after(self, start: datetime, times: int) -> datetime:
        moved = start
        if self.months:
            day = add_months(start.date(), self.months * times)
            moved = start.replace(year=day.year, month=day.month, day=day.day)
        return moved + self.delta * times


@dataclass(frozen=True)
class Rule:
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


def parse_period(text: str) -> Period:
    match = _PERIOD.match(text)
    if not match or text in ("P", "PT"):
        raise ValueError(f"not an ISO 8601 period such as P1Y, P3M or P1D: {text!r}")
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    months = parts.pop("years", 0) * 12 + parts.pop("months", 0)
    delta = timedelta(**parts)
    if months == 0 and delta <= timedelta(0):
        raise ValueError(f"a period must be longer than zero: {text!r}")
    return Period(months, delta)


def parse_rule(text: str) -> Rule:
    """Parse ``R[n]/start/period`` or a single ISO date-time; the start needs a time zone."""
    parts = text.strip().split("/")
    try:
        if len(parts) == 1:
            start, period, repetitions = datetime.fromisoformat(parts[0]), None, 1
        elif len(parts) == 3 and parts[0].startswith("R"):
            repetitions = int(parts[0][1:]) if parts[0][1:] else None
            start, period = datetime.fromisoformat(parts[1]), parse_period(parts[2])
        else:
            raise ValueError("expected R/<start>/<period> or a single date-time")
    except ValueError as exc:
        raise ValueError(f"bad schedule rule {text!r}: {exc}") from None
    if start.tzinfo is None:
        raise ValueError(f"bad schedule rule {text!r}: the start needs a time zone, e.g. +08:00")
    return Rule(start, period, repetitions)
