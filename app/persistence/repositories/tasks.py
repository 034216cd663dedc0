"""Tasks: one case's tasks, the inbox and open workloads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from ...domain.cases import TaskKind
from ...domain.cases import TaskState
from ...domain.task_queries import TaskQuery
from ...domain.visibility import ReadScope
from ..orm import Instance
from ..orm import Task
from .base import Repository
from .visibility import claimable


def _ordering(query: TaskQuery) -> list:
    """Tasks without a due date come last in either direction; ties by creation, then id."""
    desc = query.order == "desc"

    def way(column):
        return column.desc() if desc else column.asc()

    due = [Task.due_at.is_(None), way(Task.due_at)]
    tail = [way(Task.created_at), way(Task.id)]
    keys = {
        "due": due,
        "created": [],
        "name": [way(Task.name)],
        "process": [way(Task.process_key), *due],
        "case": [way(Instance.case_no), *due],
    }
    return [*keys[query.sort if query.sort in keys else "due"], *tail]


class TaskRepository(Repository):
    def get(self, task_id: str) -> Task | None:
        return self.session.get(Task, task_id)

    def for_instance(self, instance_id: int, status: str | None = None) -> list[Task]:
        query = select(Task).where(Task.instance_id == instance_id).order_by(Task.created_at, Task.id)
        if status:
            query = query.where(Task.status == status)
        return list(self.session.scalars(query))

    def inbox(
        self, query: TaskQuery, *, scope: ReadScope | None, username: str | None, limit: int, offset: int
    ) -> list[Task]:
        """The tasks ``query`` asks for that ``scope``'s user may see, in its order."""
        statement = self._inbox(select(Task), query, scope, username)
        return list(self.session.scalars(statement.order_by(*_ordering(query)).limit(limit).offset(offset)))

    def count_inbox(self, query: TaskQuery, *, scope: ReadScope | None, username: str | None) -> int:
        """How many tasks ``inbox`` would give without a limit."""
        return int(self.session.scalar(self._inbox(select(func.count(Task.id)), query, scope, username)) or 0)

    @staticmethod
    def _inbox(statement, query: TaskQuery, scope: ReadScope | None, username: str | None):
        statement = statement.where(Task.kind == TaskKind.USER)  # outside workers fetch the others
        if query.status:
            statement = statement.where(Task.status == query.status)
        if query.instance_id is not None:
            statement = statement.where(Task.instance_id == query.instance_id)
        if query.process_key:
            statement = statement.where(Task.process_key == query.process_key)
        if query.mine:
            statement = statement.where(Task.assignee == username)
        elif scope is not None:  # None: may see every task
            shown = [Task.assignee == username]
            if scope.inbox_roles:
                shown.append(Task.role.in_(sorted(scope.inbox_roles)))
            if scope.claimable_roles:
                shown.append(claimable(scope.claimable_roles))
            statement = statement.where(or_(*shown))
        if query.overdue_before is not None:
            statement = statement.where(Task.due_at < query.overdue_before)
        if query.assignee:
            statement = statement.where(Task.assignee == query.assignee)
        if query.name:
            statement = statement.where(Task.name.icontains(query.name, autoescape=True))
        if query.due_before is not None:
            statement = statement.where(Task.due_at < query.due_before)
        if query.due_after is not None:
            statement = statement.where(Task.due_at >= query.due_after)
        if query.customer or query.sort == "case":
            statement = statement.join(Instance, Instance.id == Task.instance_id)
        if query.customer:
            statement = statement.where(
                or_(
                    Instance.data["customer_name"].as_string().icontains(query.customer, autoescape=True),
                    Instance.data[("intake", "customer_name")].as_string().icontains(query.customer, autoescape=True),
                )
            )
        return statement

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

    def ready_of(self, process_key: str) -> list[Task]:
        """The ready tasks of every case of ``process_key``."""
        query = select(Task).where(Task.process_key == process_key, Task.status == TaskState.READY)
        return list(self.session.scalars(query.order_by(Task.created_at, Task.id)))

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
