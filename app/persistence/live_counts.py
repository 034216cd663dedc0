"""Where the open cases of one process version wait right now: ready tasks and waiting timers per element.

Aggregates only (one grouped query each), so the live viewer stays cheap with many cases. A case
counts on the version it is on now (``instances.version_id``), also after a migration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.cases import TaskState
from ..domain.cases import TimerState
from .orm import Instance
from .orm import Task
from .orm import Timer


@dataclass(frozen=True)
class WaitingAt:
    """What waits at one element: ``cases`` distinct cases, ``rows`` tasks or timers, the earliest due time."""

    element_id: str
    cases: int
    rows: int
    next_due_at: datetime | None


@dataclass(frozen=True)
class WaitingCase:
    """One open case waiting at an element: since when (the task was made ready or the timer set), due when."""

    instance_id: int
    case_no: str | None
    since: datetime
    due_at: datetime | None


class LiveCountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def open_cases(self, version_id: int, statuses: Iterable[str]) -> int:
        query = select(func.count()).where(Instance.version_id == version_id, Instance.status.in_(list(statuses)))
        return self.session.scalar(query) or 0

    def ready_tasks(self, version_id: int, statuses: Iterable[str]) -> list[WaitingAt]:
        """Ready user tasks of the version's cases in ``statuses``, by element."""
        query = (
            select(Task.element_id, func.count(distinct(Task.instance_id)), func.count(), func.min(Task.due_at))
            .join(Instance, Instance.id == Task.instance_id)
            .where(
                Instance.version_id == version_id, Instance.status.in_(list(statuses)), Task.status == TaskState.READY
            )
            .group_by(Task.element_id)
        )
        return [WaitingAt(*row) for row in self.session.execute(query)]

    def waiting_timers(self, version_id: int, statuses: Iterable[str]) -> list[WaitingAt]:
        """Waiting timers of the version's cases in ``statuses``, by timer event element."""
        query = (
            select(Timer.element_id, func.count(distinct(Timer.instance_id)), func.count(), func.min(Timer.due_at))
            .join(Instance, Instance.id == Timer.instance_id)
            .where(
                Instance.version_id == version_id,
                Instance.status.in_(list(statuses)),
                Timer.status == TimerState.WAITING,
            )
            .group_by(Timer.element_id)
        )
        return [WaitingAt(*row) for row in self.session.execute(query)]

    def waiting_cases(self, version_id: int, statuses: Iterable[str], element_id: str, limit: int) -> list[WaitingCase]:
        """The version's open cases with a ready task or a waiting timer at ``element_id``, the longest
        waiting first; a case with both (a task and the timer on it) once, at its earlier wait."""
        open_case = (Instance.version_id == version_id, Instance.status.in_(list(statuses)))
        tasks = (
            select(Instance.id, Instance.case_no, Task.created_at, Task.due_at)
            .join(Task, Task.instance_id == Instance.id)
            .where(*open_case, Task.element_id == element_id, Task.status == TaskState.READY)
        )
        timers = (
            select(Instance.id, Instance.case_no, Timer.created_at, Timer.due_at)
            .join(Timer, Timer.instance_id == Instance.id)
            .where(*open_case, Timer.element_id == element_id, Timer.status == TimerState.WAITING)
        )
        found: dict[int, WaitingCase] = {}
        for query in (tasks, timers):
            for row in self.session.execute(
                query.order_by(Task.created_at if query is tasks else Timer.created_at).limit(limit)
            ):
                case = WaitingCase(*row)
                if case.instance_id not in found or case.since < found[case.instance_id].since:
                    found[case.instance_id] = case
        return sorted(found.values(), key=lambda c: (c.since, c.instance_id))[:limit]
