"""External tasks: service tasks done by outside workers (Camunda 7's external-task pattern).

A worker (an ERP connector, an SMS gateway) ``fetch_and_lock``s ready service tasks of its topics:
each is locked to its ``worker_id`` for the lock duration it asked for — the lock is the task row's
``worker_id`` and ``locked_until``, so it survives a restart and expires by the one clock (a worker
that died loses its tasks to the next fetch). Only the holder of a live lock may ``complete`` (with
variables merged into the case data), ``fail`` (retries left and a back-off before the next fetch),
``extend_lock`` or report a BPMN error a boundary error event on the task catches; anyone else, or
the holder after its lock expired, is refused (409). A completion runs under the case's lock and
finishes the task, so each task is completed exactly once.

A failure with no retries left opens an *incident*: the task stays ready but no worker fetches it;
the case shows it (``incidents`` of GET /instances/{id}) until operations retry it
(services/cases/repair.py ``retry_case``), which gives it new retries.

Who may: a principal that may work the task's role (the lane of the service task) — a service
account's token scoped to that role — or an administrator; never a read-only one
(``Principal.may_work``). Fetching returns only tasks of the caller's roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from ...domain.cases import CaseStatus
from ...domain.cases import TaskKind
from ...domain.cases import TaskState
from ...domain.events import EventType
from ...domain.principal import Principal
from ...errors import Conflict
from ...errors import Forbidden
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.orm import Task
from ...persistence.unit_of_work import UnitOfWork
from ..cases.step import CaseStep
from ..cases.step import case_step
from ..context import ServiceContext
from .work_bell import bell_of

MAX_TASKS = 100  # at most this many tasks in one fetch
MAX_LOCK_MS = 24 * 3600 * 1000  # a lock longer than a day is a worker that forgot to extend it
MAX_BACK_OFF_MS = 30 * 24 * 3600 * 1000  # a month
MAX_WAIT_MS = 60_000  # a long poll holds a server thread: at most a minute
INCIDENT_RETRIES = 1  # what the retry operation gives a task whose retries ran out


@dataclass(frozen=True)
class TopicRequest:
    name: str
    lock_duration: int  # milliseconds


@dataclass(frozen=True)
class LockedTask:
    """What a worker gets for one locked task."""

    id: str
    topic: str
    worker_id: str
    lock_expiration_time: Any
    instance_id: int
    case_no: str | None
    process_key: str
    element_id: str
    name: str
    retries: int | None
    error_message: str | None
    variables: dict[str, Any]


def _check_lock(duration: int, field: str) -> None:
    if not 0 < duration <= MAX_LOCK_MS:
        raise InvalidInput(f"a lock lasts 1 ms to {MAX_LOCK_MS} ms", errors={field: [f"1..{MAX_LOCK_MS}"]})


def fetch_and_lock(
    ctx: ServiceContext,
    actor: Principal,
    worker_id: str,
    topics: list[TopicRequest],
    max_tasks: int,
    wait_ms: int = 0,
) -> list[LockedTask]:
    """Lock up to ``max_tasks`` fetchable tasks of ``topics`` to ``worker_id``, oldest first; with none,
    wait up to ``wait_ms`` for one (long polling, work_bell.py)."""
    _writer(actor)
    for i, topic in enumerate(topics):
        _check_lock(topic.lock_duration, f"topics.{i}.lock_duration")
    durations = {t.name: t.lock_duration for t in topics}
    if not 0 <= wait_ms <= MAX_WAIT_MS:
        raise InvalidInput(f"a fetch waits 0 to {MAX_WAIT_MS} ms", errors={"async_response_timeout": ["too long"]})
    return bell_of(ctx).wait_for(partial(_lock_some, ctx, actor, worker_id, durations, max_tasks), wait_ms / 1000)


def _lock_some(
    ctx: ServiceContext, actor: Principal, worker_id: str, durations: dict[str, int], max_tasks: int
) -> list[LockedTask]:
    now = ctx.clock.now()
    roles = None if actor.is_admin else actor.roles
    locked: list[LockedTask] = []
    with ctx.uow() as uow:
        for task in uow.external_tasks.fetchable(durations, roles, now, min(max_tasks, MAX_TASKS)):
            until = now + timedelta(milliseconds=durations[task.topic])
            if uow.external_tasks.lock(task.id, worker_id, until, now):
                instance = uow.instances.get(task.instance_id)
                locked.append(
                    LockedTask(
                        task.id,
                        task.topic,
                        worker_id,
                        until,
                        instance.id,
                        instance.case_no,
                        task.process_key,
                        task.element_id,
                        task.name,
                        task.retries,
                        task.failure,
                        dict(instance.data or {}),
                    )
                )
        uow.commit()
    return locked


def _held(step: CaseStep, task_id: str, worker_id: str) -> Task:
    """The external task of the locked case, checked to be ready and locked by ``worker_id`` now."""
    task = step.uow.tasks.get(task_id)
    if task is None or task.kind != TaskKind.EXTERNAL:
        raise NotFound(f"no external task with id {task_id}")
    if not step.actor.may_work(task.role):
        raise Forbidden(f"external task {task_id} is for role {task.role!r}; {step.actor.username} may not work it")
    if task.status != TaskState.READY or step.instance.status != CaseStatus.RUNNING:
        raise Conflict(f"external task {task_id} is {task.status} (case {step.instance.status})")
    if task.worker_id != worker_id or task.locked_until is None or task.locked_until <= step.now:
        holder = f"locked by {task.worker_id}" if task.worker_id else "not locked"
        if task.worker_id == worker_id:
            holder = f"its lock by {worker_id} expired at {task.locked_until.isoformat()}"
        raise Conflict(f"external task {task_id} is {holder}; fetch and lock it first")
    return task


def _writer(actor: Principal) -> None:
    if actor.read_only:
        raise Forbidden(f"{actor.username} may change nothing")


def _instance_of(ctx: ServiceContext, actor: Principal, task_id: str) -> int:
    _writer(actor)
    with ctx.uow() as uow:
        task = uow.tasks.get(task_id)
        if task is None or task.kind != TaskKind.EXTERNAL:
            raise NotFound(f"no external task with id {task_id}")
        return task.instance_id


def _variables(variables: Any) -> dict[str, Any]:
    if not isinstance(variables, dict):
        raise InvalidInput("the variables must be a JSON object", errors={"variables": ["expected an object"]})
    return variables


def complete(ctx: ServiceContext, actor: Principal, task_id: str, worker_id: str, variables: Any) -> Task:
    """The holder of the task's lock completes it; ``variables`` go into the case data."""
    given = _variables(variables)
    with case_step(ctx, actor, instance_id=_instance_of(ctx, actor, task_id)) as step:
        task = _held(step, task_id, worker_id)
        task.status, task.completed_at, task.completed_by = TaskState.COMPLETED, step.now, actor.username
        task.locked_until = None
        step.apply(
            lambda: ctx.engine.complete_task(step.process, step.instance.state, task.id, lambda seen: given)[0],
            EventType.TASK_COMPLETED,
            task.element_id,
            task_id=task.id,
            data=given,
            completed_task_id=task.id,
        )
    return task


def fail(
    ctx: ServiceContext,
    actor: Principal,
    task_id: str,
    worker_id: str,
    error_message: str,
    retries: int,
    retry_timeout: int,
) -> Task:
    """The holder reports a failure: the task is unlocked, fetchable again after ``retry_timeout`` ms
    with ``retries`` left; with none left it is an incident."""
    if retries < 0 or not 0 <= retry_timeout <= MAX_BACK_OFF_MS:
        raise InvalidInput("retries cannot be negative, a back-off lasts up to a month", errors={"retries": [">= 0"]})
    with case_step(ctx, actor, instance_id=_instance_of(ctx, actor, task_id)) as step:
        task = _held(step, task_id, worker_id)
        task.retries, task.failure = retries, (error_message or "").strip() or "failed"
        task.retry_at = step.now + timedelta(milliseconds=retry_timeout)
        task.worker_id = task.locked_until = None
        event = EventType.INCIDENT_OPENED if retries == 0 else EventType.EXTERNAL_TASK_FAILED
        step.record(
            event,
            task.element_id,
            task_id=task.id,
            data={"worker_id": worker_id, "message": task.failure, "retries": retries, "topic": task.topic},
        )
    return task


def extend_lock(ctx: ServiceContext, actor: Principal, task_id: str, worker_id: str, new_duration: int) -> Task:
    """The holder keeps its lock ``new_duration`` ms from now."""
    _check_lock(new_duration, "new_duration")
    with case_step(ctx, actor, instance_id=_instance_of(ctx, actor, task_id)) as step:
        task = _held(step, task_id, worker_id)
        task.locked_until = step.now + timedelta(milliseconds=new_duration)
    return task


def bpmn_error(
    ctx: ServiceContext, actor: Principal, task_id: str, worker_id: str, error_code: str, variables: Any
) -> Task:
    """The holder reports a business error: the boundary error event on the task that catches
    ``error_code`` takes the case on (409 if none does; nothing moves)."""
    given = _variables(variables)
    code = (error_code or "").strip()
    if not code:
        raise InvalidInput("say which error", errors={"error_code": ["required"]})
    with case_step(ctx, actor, instance_id=_instance_of(ctx, actor, task_id)) as step:
        task = _held(step, task_id, worker_id)
        task.worker_id = task.locked_until = None
        step.apply(
            lambda: ctx.engine.throw_error(step.process, step.instance.state, task.id, code, given),
            EventType.BPMN_ERROR,
            task.element_id,
            task_id=task.id,
            data={"worker_id": worker_id, "error_code": code, "variables": given},
        )
    return task


def incidents(uow: UnitOfWork, instance_id: int) -> list[dict[str, Any]]:
    """The case's open incidents: external tasks whose retries ran out."""
    return [
        {"task_id": t.id, "element_id": t.element_id, "name": t.name, "topic": t.topic, "message": t.failure}
        for t in uow.external_tasks.incidents(instance_id)
    ]


def case_incidents(ctx: ServiceContext, instance_id: int) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        return incidents(uow, instance_id)


def resolve_incidents(step: CaseStep) -> int:
    """Give each incident of the locked case new retries (the retry operation); how many there were."""
    found = step.uow.external_tasks.incidents(step.instance.id)
    for task in found:
        task.retries, task.retry_at = INCIDENT_RETRIES, None
        step.record(
            EventType.INCIDENT_RESOLVED,
            task.element_id,
            task_id=task.id,
            data={"retries": INCIDENT_RETRIES, "message": task.failure},
        )
    return len(found)
