"""Timers: one case's timers, those due, and the deadlines on tasks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select

from ...domain.cases import TimerState
from ..orm import Instance
from ..orm import Timer
from .base import Repository


class TimerRepository(Repository):
    def get(self, timer_id: str) -> Timer | None:
        return self.session.get(Timer, timer_id)

    def for_instance(self, instance_id: int, status: str | None = None) -> list[Timer]:
        query = select(Timer).where(Timer.instance_id == instance_id).order_by(Timer.due_at, Timer.id)
        if status:
            query = query.where(Timer.status == status)
        return list(self.session.scalars(query))

    def due_instance_ids(self, now: datetime, limit: int) -> list[int]:
        """Instances with a waiting timer due before ``now``, most overdue first."""
        query = (
            select(Timer.instance_id, func.min(Timer.due_at).label("due"))
            .where(Timer.status == TimerState.WAITING, Timer.due_at < now)
            .group_by(Timer.instance_id)
            .order_by("due")
            .limit(limit)
        )
        return [row.instance_id for row in self.session.execute(query)]

    def next_due(self) -> datetime | None:
        return self.session.scalar(select(func.min(Timer.due_at)).where(Timer.status == TimerState.WAITING))

    def count_due(self, before: datetime) -> int:
        return (
            self.session.scalar(
                select(func.count()).select_from(Timer).where(Timer.status == TimerState.WAITING, Timer.due_at < before)
            )
            or 0
        )

    def deadlines_due_between(self, start: datetime, end: datetime, process_key: str | None = None) -> list[Timer]:
        """Timers sitting on a task (deadlines of people's work) due in [start, end)."""
        query = (
            select(Timer)
            .join(Instance, Instance.id == Timer.instance_id)
            .where(Timer.attached_to.is_not(None), Timer.due_at >= start, Timer.due_at < end)
            .order_by(Timer.due_at, Timer.id)
        )
        if process_key:
            query = query.where(Instance.process_key == process_key)
        return list(self.session.scalars(query))
