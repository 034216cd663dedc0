"""The SQL clauses of a ``ReadScope``: which tasks and cases a user may read."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import or_

from ...domain.cases import TaskState
from ...domain.visibility import ReadScope
from ..orm import Instance
from ..orm import Task


def task_grants(scope: ReadScope) -> ColumnElement[bool]:
    """Tasks that let ``scope``'s user read their case: held (assignee), claimable, of a role-wide role.

    ``assignee`` also stands for "completed by" in the person view: completing sets it to the
    completer unless an administrator completes someone else's task (ix_tasks_assignee answers it;
    ``completed_by`` has no index)."""
    grants = [Task.assignee == scope.username]
    if scope.completed_counts:
        grants.append(Task.completed_by == scope.username)
    if scope.any_task_roles:
        grants.append(Task.role.in_(sorted(scope.any_task_roles)))
    if scope.claimable_roles:
        grants.append(claimable(scope.claimable_roles))
    return or_(*grants)


def claimable(roles: frozenset[str]) -> ColumnElement[bool]:
    """Ready tasks of ``roles`` that nobody holds (ix_tasks_inbox: status, role)."""
    return and_(Task.status == TaskState.READY, Task.role.in_(sorted(roles)), Task.assignee.is_(None))


def case_grants(scope: ReadScope, tasks: ColumnElement[bool]) -> ColumnElement[bool]:
    """Instances ``scope``'s user may read, given the clause that tests their tasks."""
    grants = [Instance.started_by == scope.username, tasks]
    if scope.process_keys:
        grants.append(Instance.process_key.in_(sorted(scope.process_keys)))
    grants += [Instance.data[role].as_string() == scope.username for role in sorted(scope.named_roles)]
    return or_(*grants)
