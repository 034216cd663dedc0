"""External tasks: the ready service tasks outside workers fetch, lock and complete."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from ...domain.cases import CaseStatus
from ...domain.cases import TaskKind
from ...domain.cases import TaskState
from ..orm import Instance
from ..orm import Task
from .base import Repository


def _fetchable(now: datetime):
    """Ready, of a running case, not locked by a live lock, not out of retries, not waiting for a back-off."""
    return (
        Task.kind == TaskKind.EXTERNAL,
        Task.status == TaskState.READY,
        or_(Task.locked_until.is_(None), Task.locked_until <= now),
        or_(Task.retries.is_(None), Task.retries > 0),
        or_(Task.retry_at.is_(None), Task.retry_at <= now),
    )


class ExternalTaskRepository(Repository):
    def fetchable(self, topics: Iterable[str], roles: frozenset[str] | None, now: datetime, limit: int) -> list[Task]:
        """Up to ``limit`` tasks of ``topics`` a worker may lock now, oldest first (``roles`` None: any
        role); rows another transaction is locking are skipped (PostgreSQL)."""
        query = (
            select(Task)
            .join(Instance, Instance.id == Task.instance_id)
            .where(Task.topic.in_(sorted(set(topics))), Instance.status == CaseStatus.RUNNING, *_fetchable(now))
        )
        if roles is not None:
            query = query.where(Task.role.in_(sorted(roles)))
        query = query.order_by(Task.created_at, Task.id).limit(limit).with_for_update(skip_locked=True, of=Task)
        return list(self.session.scalars(query))

    def lock(self, task_id: str, worker_id: str, until: datetime, now: datetime) -> bool:
        """Give the task's lock to ``worker_id`` until ``until`` if it is still free now; did it?"""
        result = self.session.execute(
            update(Task)
            .where(Task.id == task_id, *_fetchable(now))
            .values(worker_id=worker_id, locked_until=until)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    def incidents(self, instance_id: int) -> list[Task]:
        """The case's external tasks whose retries ran out, waiting for operations."""
        query = select(Task).where(
            Task.instance_id == instance_id,
            Task.kind == TaskKind.EXTERNAL,
            Task.status == TaskState.READY,
            Task.retries <= 0,
        )
        return list(self.session.scalars(query.order_by(Task.created_at, Task.id)))
