"""Schedules that start cases periodically: the due ones and their locks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select

from ..orm import Schedule
from .base import Repository


class ScheduleRepository(Repository):
    def list(self) -> list[Schedule]:
        return list(
            self.session.scalars(
                select(Schedule).order_by(Schedule.next_run_at.is_(None), Schedule.next_run_at, Schedule.id)
            )
        )

    def get(self, schedule_id: int) -> Schedule | None:
        return self.session.get(Schedule, schedule_id)

    def any(self) -> bool:
        return self.session.scalar(select(Schedule.id).limit(1)) is not None

    def by_name(self, name: str) -> Schedule | None:
        return self.session.scalars(select(Schedule).where(Schedule.name == name)).first()

    def due_ids(self, now: datetime, limit: int) -> list[int]:
        return list(
            self.session.scalars(
                select(Schedule.id)
                .where(Schedule.enabled.is_(True), Schedule.next_run_at < now)
                .order_by(Schedule.next_run_at)
                .limit(limit)
            )
        )

    def lock(self, schedule_id: int) -> Schedule | None:
        return self.session.scalars(
            select(Schedule).where(Schedule.id == schedule_id).with_for_update(skip_locked=True)
        ).first()

    def next_due(self) -> datetime | None:
        return self.session.scalar(select(func.min(Schedule.next_run_at)).where(Schedule.enabled.is_(True)))
