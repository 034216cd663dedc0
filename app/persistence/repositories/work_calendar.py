"""The work calendar: working and non-working days per source."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlalchemy import select

from ..orm import WorkCalendarDay
from .base import Repository


class CalendarRepository(Repository):
    def all_days(self) -> list[WorkCalendarDay]:
        return list(self.session.scalars(select(WorkCalendarDay)))

    def days(self, first: date, last: date) -> list[WorkCalendarDay]:
        return list(
            self.session.scalars(
                select(WorkCalendarDay)
                .where(WorkCalendarDay.day >= first, WorkCalendarDay.day <= last)
                .order_by(WorkCalendarDay.day)
            )
        )

    def get(self, day: date) -> WorkCalendarDay | None:
        return self.session.get(WorkCalendarDay, day)

    def years(self) -> dict[int, dict[str, int]]:
        """Per year, how many days each source provides."""
        year = func.extract("year", WorkCalendarDay.day)
        rows = self.session.execute(
            select(year, WorkCalendarDay.source, func.count()).group_by(year, WorkCalendarDay.source)
        )
        result: dict[int, dict[str, int]] = {}
        for y, source, count in rows:
            result.setdefault(int(y), {})[source] = count
        return result
