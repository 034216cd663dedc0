"""Working days and working hours: Chinese public holidays and 调休 make-up working days.

A ``WorkCalendar`` answers from the days it was given (official data or an administrator's
entries). A day it was not given is guessed from the weekday and flagged: every result says
whether it rests on such a guess, so a deadline in a year without an official arrangement is
shown as *estimated* instead of being silently wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

ESTIMATED = "weekday-estimate"
MAX_SCAN_DAYS = 3660  # no chain of non-working days is ten years long


@dataclass(frozen=True)
class DayInfo:
    is_workday: bool
    source: str  # chinesecalendar, admin, or weekday-estimate

    @property
    def estimated(self) -> bool:
        return self.source == ESTIMATED


@dataclass(frozen=True)
class Computed:
    at: datetime
    estimated: bool


class WorkCalendar:
    """Immutable; may be shared between threads."""

    def __init__(self, days: Mapping[date, DayInfo], tz: ZoneInfo, day_start: time, day_end: time) -> None:
        if day_end <= day_start:
            raise ValueError("the working day must end after it starts")
        self._days = dict(days)
        self.tz, self.day_start, self.day_end = tz, day_start, day_end

    def day(self, d: date) -> DayInfo:
        return self._days.get(d) or DayInfo(d.weekday() < 5, ESTIMATED)

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("a working-time computation needs a time zone on its start")
        return moment.astimezone(self.tz)

    def add_working_days(self, start: datetime, days: int) -> Computed:
        """The same local time ``days`` working days after ``start`` (counted from the next day)."""
        if days < 0:
            raise ValueError("working days must not be negative")
        local = self._local(start)
        current, counted, estimated = local.date(), 0, False
        for _ in range(MAX_SCAN_DAYS):
            if counted == days:
                break
            current += timedelta(days=1)
            info = self.day(current)
            estimated |= info.estimated
            counted += info.is_workday
        return Computed(datetime.combine(current, local.timetz()), estimated)

    def add_working_hours(self, start: datetime, hours: float) -> Computed:
        """``hours`` of working time after ``start``, counting only working hours of working days."""
        if hours < 0:
            raise ValueError("working hours must not be negative")
        local = self._local(start)
        remaining = timedelta(hours=hours)
        current = local
        estimated = False
        for _ in range(MAX_SCAN_DAYS):
            info = self.day(current.date())
            estimated |= info.estimated
            opens = datetime.combine(current.date(), self.day_start, self.tz)
            closes = datetime.combine(current.date(), self.day_end, self.tz)
            if info.is_workday and current < closes:
                begin = max(current, opens)
                if begin + remaining <= closes:
                    return Computed(begin + remaining, estimated)
                remaining -= closes - begin
            current = datetime.combine(current.date() + timedelta(days=1), self.day_start, self.tz)
        raise ValueError("no working time found within ten years")

    def estimated_between(self, start: datetime, end: datetime) -> bool:
        """Does any day from ``start`` to ``end`` (local dates) rest on a weekday guess?"""
        first, last = self._local(start).date(), self._local(end).date()
        days = (last - first).days
        return any(self.day(first + timedelta(days=i)).estimated for i in range(max(days, 0) + 1))
