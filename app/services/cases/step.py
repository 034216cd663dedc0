"""One step of a case: what every use case that moves a case does before and after its own rule.

``with case_step(ctx, actor, instance_id=...) as step:`` refreshes the work calendar, reads the
clock, opens the unit of work and locks the case (by its id, or by one of its tasks with
``task_id``, which must still be workable by ``actor``). The body states the rule (``step.expect``,
``step.apply``, ``step.record``); a clean exit commits and then re-arms the alarm clock with the
case's next timer; an exception rolls everything back and tells nobody.

Timers fire many cases in one transaction (timing/timer_firing.py): there ``CaseStep.joined`` makes
the step of one case already locked in that unit of work, by nobody (the engine's own step), and
the caller commits and re-arms once for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
from typing import Any

from ...domain.cases import CaseStatus
from ...domain.cases import TaskKind
from ...domain.cases import TaskState
from ...domain.customer_steps import CustomerStepRefused
from ...domain.customer_steps import customer_step_actor
from ...domain.principal import Principal
from ...domain.roles import Role
from ...domain.workcalendar import WorkCalendar
from ...engine import Snapshot
from ...engine import TaskNotReady
from ...engine import UnknownTask
from ...errors import Conflict
from ...errors import Forbidden
from ...errors import NotFound
from ...persistence.orm import Event
from ...persistence.orm import Instance
from ...persistence.orm import Task
from ...persistence.unit_of_work import UnitOfWork
from .. import revisions
from ..context import ServiceContext
from ..processes.version_cache import DeployedProcess
from .journal import CaseMove
from .journal import advance
from .journal import record


class CaseStep:
    """A locked case inside its unit of work; ``task`` is set when the step was opened by a task.
    ``actor`` is None for the engine's own steps (a timer firing), which the audit trail shows as
    done by nobody."""

    def __init__(
        self,
        ctx: ServiceContext,
        uow: UnitOfWork,
        actor: Principal | None,
        instance: Instance,
        calendar: WorkCalendar,
        now: datetime,
    ) -> None:
        self.ctx, self.uow, self.actor, self.instance = ctx, uow, actor, instance
        self.calendar, self.now = calendar, now
        self.task: Task | None = None

    @classmethod
    def joined(
        cls, ctx: ServiceContext, uow: UnitOfWork, instance: Instance, calendar: WorkCalendar, now: datetime
    ) -> CaseStep:
        """The engine's step of ``instance``, locked by the caller among others in ``uow``."""
        return cls(ctx, uow, None, instance, calendar, now)

    @property
    def by(self) -> str | None:
        return self.actor.username if self.actor is not None else None

    @cached_property
    def process(self) -> DeployedProcess:
        return self.ctx.versions.get(self.uow, self.instance.version_id)

    def expect(self, *statuses: CaseStatus, why: str = "") -> None:
        """Refuse (409) unless the case is in one of ``statuses``."""
        if self.instance.status not in statuses:
            raise Conflict(f"case {self.instance.case_no} is {self.instance.status}{why}")

    def record(self, type_: str, element_id: str | None = None, **kwargs: Any) -> Event:
        """Append one audit event by the actor (on ``element_id`` of this case's version, if given)."""
        element = self.process.element(element_id) if element_id else None
        return record(self.uow, self.instance, self.now, self.by, type_, element, **kwargs)

    def advance(
        self, snapshot: Snapshot, *, completed_task_id: str | None = None, recorded: list[Event] | None = None
    ) -> None:
        """Store what the engine did (``recorded``: the events this step wrote for it)."""
        move = CaseMove(self.ctx, self.uow, self.instance, self.process, self.calendar, self.now, self.by)
        advance(move, snapshot, completed_task_id=completed_task_id, recorded=recorded)

    def apply(
        self, operation: Callable[[], Snapshot], event: str, element_id: str | None = None, **kwargs: Any
    ) -> None:
        """Run one engine operation, record it as ``event`` and store what it did; an operation on a
        task that is gone or not ready is refused (409)."""
        try:
            snapshot = operation()
        except (TaskNotReady, UnknownTask) as exc:
            raise Conflict(str(exc)) from None
        kwargs.setdefault("data", {})
        completed = kwargs.pop("completed_task_id", None)
        recorded = record(
            self.uow,
            self.instance,
            self.now,
            self.by,
            event,
            self.process.element(element_id),
            element_id=element_id,
            **kwargs,
        )
        self.advance(snapshot, completed_task_id=completed, recorded=[recorded])


def _locked_case(uow: UnitOfWork, instance_id: int) -> Instance:
    instance = uow.instances.lock(instance_id)
    if instance is None:
        raise NotFound(f"no case with id {instance_id}")
    return instance


def _locked_task(uow: UnitOfWork, task_id: str, actor: Principal, on_behalf: bool) -> tuple[Task, Instance]:
    """Lock the task's case, then check the task can still be worked by ``actor`` (a customer's step:
    by the case's customer, or by staff ``on_behalf``, domain/customer_steps.py)."""
    instance = uow.instances.lock_by_task(task_id)
    task = uow.tasks.get(task_id) if instance is not None else None
    if task is None:
        raise NotFound(f"no task with id {task_id}")
    if task.kind == TaskKind.EXTERNAL:
        raise Conflict(f"task {task.id} ({task.element_id}) is done by an outside worker (/api/v1/external-tasks)")
    # A task the case gives to a person by name (an action's owner) is theirs to work, whatever their roles.
    named = task.assignee == actor.username and not actor.read_only
    if task.role == Role.CUSTOMER:
        try:
            customer_step_actor(actor, instance.id, on_behalf=on_behalf, task_id=task.id)
        except CustomerStepRefused as exc:
            raise Forbidden(f"task {task.id} ({task.element_id}): {exc}") from None
    elif Role.CUSTOMER in actor.roles or not (actor.may_work(task.role) or named):
        raise Forbidden(
            f"task {task.id} ({task.element_id}) is for role {task.role!r}; {actor.username} has {sorted(actor.roles)}"
        )
    if task.status != TaskState.READY or instance.status != CaseStatus.RUNNING:
        moved_to = uow.task_moves.follow(task_id)
        if moved_to is not None:  # its case moved to another version: say which task took its place
            raise Conflict(f"task {task_id} was replaced by task {moved_to} when its case moved to another version")
        raise Conflict(f"task {task_id} is {task.status} (case {instance.status}); it can no longer be changed")
    return task, instance


@contextmanager
def case_step(
    ctx: ServiceContext,
    actor: Principal,
    *,
    instance_id: int | None = None,
    task_id: str | None = None,
    on_behalf: bool = False,
) -> Iterator[CaseStep]:
    """The case ``instance_id`` (or the one of task ``task_id``) locked for one step; see the module.
    ``on_behalf``: staff doing a customer's step say so (domain/customer_steps.py)."""
    calendar = ctx.calendar.ensure_fresh()  # before the lock: a reload opens its own unit of work
    with ctx.uow() as uow:
        if task_id is not None:
            task, instance = _locked_task(uow, task_id, actor, on_behalf)
            step = CaseStep(ctx, uow, actor, instance, calendar, ctx.clock.now())
            step.task = task
        else:
            if Role.CUSTOMER in actor.roles:
                raise Forbidden(f"{actor.username} works only the customer's own steps of their case")
            step = CaseStep(ctx, uow, actor, _locked_case(uow, instance_id), calendar, ctx.clock.now())
        revisions.check(step.instance, step.task)  # If-Match, now that nobody else can change it
        yield step
        uow.commit()  # a concurrent change of the case: Busy (409), nothing kept
    ctx.announce_timers(step.instance.next_timer_at)
