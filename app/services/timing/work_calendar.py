"""The work calendar: seeded from the official arrangement (chinesecalendar), edited by admins.

Deadlines in working days read a ``WorkCalendar`` kept in memory (``CalendarCache``); it is
reloaded when an administrator changes a day and, for changes made by other processes, at the
latest ``TTL_SECONDS`` later. Use cases call ``ensure_fresh`` before they open their own
transaction, so the engine never waits on the database for a calendar lookup.
"""

from __future__ import annotations

import threading
import time as _time
from dataclasses import dataclass
from datetime import date
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

from ...domain.principal import Principal
from ...domain.workcalendar import DayInfo
from ...domain.workcalendar import WorkCalendar
from ...errors import Forbidden
from ...errors import InvalidInput
from ...persistence.orm import WorkCalendarDay
from ...persistence.unit_of_work import UnitOfWork

OFFICIAL = "chinesecalendar"
ADMIN = "admin"
TTL_SECONDS = 60


def official_years() -> range:
    """Years for which the installed chinesecalendar has the State Council's arrangement."""
    first = min(chinese_calendar.holidays).year
    last = max(max(chinese_calendar.holidays), max(chinese_calendar.workdays)).year
    return range(first, last + 1)


class CalendarCache:
    def __init__(self, uow_factory, tz: str, day_start: str, day_end: str) -> None:
        self._uow = uow_factory
        self._tz = ZoneInfo(tz)
        self._day_start, self._day_end = time.fromisoformat(day_start), time.fromisoformat(day_end)
        self._calendar: WorkCalendar | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    def ensure_fresh(self) -> WorkCalendar:
        if self._calendar is None or _time.monotonic() - self._loaded_at > TTL_SECONDS:
            self.reload()
        return self._calendar

    def reload(self) -> WorkCalendar:
        with self._uow() as uow:
            days = {row.day: DayInfo(row.is_workday, row.source) for row in uow.calendar.all_days()}
        calendar = WorkCalendar(days, self._tz, self._day_start, self._day_end)
        with self._lock:
            self._calendar, self._loaded_at = calendar, _time.monotonic()
        return calendar

    def current(self) -> WorkCalendar:
        """The calendar as last loaded (loads it if it never was)."""
        return self._calendar or self.reload()


def seed_official(uow: UnitOfWork, years: range | None = None, *, now) -> int:
    """Write the official arrangement for ``years``; days an administrator entered are kept."""
    added = 0
    existing = {row.day: row for row in uow.calendar.all_days()}
    for year in years or official_years():
        day = date(year, 1, 1)
        while day.year == year:
            row = existing.get(day)
            if row is None or row.source == OFFICIAL:
                is_workday = chinese_calendar.is_workday(day)
                _, holiday = chinese_calendar.get_holiday_detail(day)
                note = holiday or ("调休上班 / make-up working day" if is_workday and day.weekday() >= 5 else "")
                if row is None:
                    uow.calendar.add(
                        WorkCalendarDay(day=day, is_workday=is_workday, source=OFFICIAL, note=note, updated_at=now)
                    )
                    added += 1
                else:
                    row.is_workday, row.note = is_workday, note
            day += timedelta(days=1)
    return added


@dataclass(frozen=True)
class YearStatus:
    year: int
    official_days: int
    admin_days: int

    @property
    def estimated(self) -> bool:
        """Days of this year that nobody entered are guessed from the weekday."""
        return self.official_days + self.admin_days < (366 if self.year % 4 == 0 else 365)


def set_day(ctx, day: date, is_workday: bool, note: str, actor: Principal) -> WorkCalendarDay:
    """An administrator fixes one day (e.g. next year's arrangement once it is published)."""
    if not actor.is_admin:
        raise Forbidden("only an administrator may edit the work calendar")
    if not isinstance(is_workday, bool):
        raise InvalidInput("is_workday must be true or false", errors={"is_workday": ["expected a boolean"]})
    with ctx.uow() as uow:
        row = uow.calendar.get(day)
        if row is None:
            row = WorkCalendarDay(day=day, is_workday=is_workday, source=ADMIN, note=note)
            uow.calendar.add(row)
        row.is_workday, row.source, row.note = is_workday, ADMIN, note
        row.updated_by, row.updated_at = actor.username, ctx.clock.now()
        uow.commit()
    ctx.calendar.reload()
    return row


def year_status(ctx, years: list[int]) -> list[YearStatus]:
    with ctx.uow() as uow:
        counts = uow.calendar.years()
    return [YearStatus(y, counts.get(y, {}).get(OFFICIAL, 0), counts.get(y, {}).get(ADMIN, 0)) for y in years]


def list_days(ctx, first: date, last: date) -> list[dict]:
    """Every day of the range with its source; days not in the table are shown as estimated."""
    if (last - first).days > 400:
        raise InvalidInput("ask for at most 400 days at a time", errors={"to": ["range too long"]})
    calendar = ctx.calendar.ensure_fresh()
    with ctx.uow() as uow:
        notes = {row.day: row.note for row in uow.calendar.days(first, last)}
    result = []
    day = first
    while day <= last:
        info = calendar.day(day)
        result.append(
            {
                "date": day,
                "is_workday": info.is_workday,
                "source": info.source,
                "note": notes.get(day, ""),
                "estimated": info.estimated,
            }
        )
        day += timedelta(days=1)
    return result
