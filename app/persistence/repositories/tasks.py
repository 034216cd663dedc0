"""Tasks: one case's tasks, the inbox and open workloads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from ...domain.cases import TaskKind
from ...domain.cases import TaskState
from ...domain.visibility import ReadScope
from ..orm import Task
from .base import Repository
from .visibility import claimable


class TaskRepository(Repository):
    def get(self, task_id: str) -> Task | None:
        return self.session.get(Task, task_id)

    def for_instance(self, instance_id: int, status: str | None = None) -> list[Task]:
        query = select(Task).where(Task.instance_id == instance_id).order_by(Task.created_at, Task.id)
        if status:
            query = query.where(Task.status == status)
        return list(self.session.scalars(query))

    def inbox(
        self,
        *,
        scope: ReadScope | None,
        username: str | None,
        status: str | None,
        instance_id: int | None,
        process_key: str | None,
        mine: bool,
        overdue_before: datetime | None,
        limit: int,
        offset: int,
    ) -> list[Task]:
        query = select(Task).where(Task.kind == TaskKind.USER)  # outside workers fetch the others
        if status:
            query = query.where(Task.status == status)
        if instance_id is not None:
            query = query.where(Task.instance_id == instance_id)
        if process_key:
            query = query.where(Task.process_key == process_key)
        if mine:
            query = query.where(Task.assignee == username)
        elif scope is not None:  # None: may see every task
            shown = [Task.assignee == username]
            if scope.inbox_roles:
                shown.append(Task.role.in_(sorted(scope.inbox_roles)))
            if scope.claimable_roles:
                shown.append(claimable(scope.claimable_roles))
            query = query.where(or_(*shown))
        if overdue_before is not None:
            query = query.where(Task.due_at < overdue_before)
        query = query.order_by(Task.due_at.is_(None), Task.due_at, Task.created_at, Task.id)
        return list(self.session.scalars(query.limit(limit).offset(offset)))

    def count_ready(self) -> int:
        return self.session.scalar(select(func.count()).select_from(Task).where(Task.status == TaskState.READY)) or 0

    def open_load(self, usernames: Iterable[str]) -> dict[str, int]:
        rows = self.session.execute(
            select(Task.assignee, func.count())
            .where(Task.status == TaskState.READY, Task.assignee.in_(list(usernames)))
            .group_by(Task.assignee)
        )
        return dict(rows.all())

    def of_instances(self, instance_ids: Iterable[int]) -> list[Task]:
        ids = list(instance_ids)
        return list(self.session.scalars(select(Task).where(Task.instance_id.in_(ids)))) if ids else []

    def ready_at(self, process_key: str, element_id: str) -> list[Task]:
        """Tasks of ``process_key`` waiting at ``element_id``, oldest first."""
        query = select(Task).where(
            Task.process_key == process_key, Task.element_id == element_id, Task.status == TaskState.READY
        )
        return list(self.session.scalars(query.order_by(Task.created_at, Task.id)))

    def completed_between(self, process_key: str, role: str, start: datetime, end: datetime) -> list[Task]:
        """Tasks of ``role`` in ``process_key`` cases completed in [start, end), oldest first."""
        query = select(Task).where(
            Task.process_key == process_key,
            Task.role == role,
            Task.status == TaskState.COMPLETED,
            Task.completed_at >= start,
            Task.completed_at < end,
        )
        return list(self.session.scalars(query.order_by(Task.completed_at, Task.id)))
