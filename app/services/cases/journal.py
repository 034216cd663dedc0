"""Writing what the engine did: state, inbox rows, timer rows, audit events and the cases its
messages open, in one transaction.

Every use case that moves an instance (start, complete, fire timers) ends in ``advance``, so the
task, timer and event tables can never disagree with the stored engine state. Existing rows
are read first and new rows added last, so the whole write is one flush.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import tzinfo
from typing import Any

from ...domain.cases import CaseStatus
from ...domain.cases import TaskKind
from ...domain.cases import TaskState
from ...domain.cases import TimerState
from ...domain.cases import case_number
from ...domain.departments import dotted
from ...domain.departments import head_role_pair
from ...domain.departments import role_of_department
from ...domain.roles import Role
from ...domain.workcalendar import WorkCalendar
from ...engine import ElementInfo
from ...engine import Snapshot
from ...engine import ThrownMessage
from ...errors import InvalidInput
from ...persistence.orm import Event
from ...persistence.orm import Instance
from ...persistence.orm import Task
from ...persistence.orm import Timer
from ...persistence.unit_of_work import UnitOfWork
from ..context import ServiceContext
from ..customers.steps import after_step as after_customer_step
from ..master_data.case_outcomes import apply_outcomes
from ..people.notifications import inform
from ..people.notifications import notify
from ..planning.schedule_admin import SCHEDULE_MESSAGE
from ..planning.schedule_admin import schedule_planned_starts
from ..processes.version_cache import DeployedProcess
from .paper_specs import queue_issued
from .start_form import checked_start_data


def new_event(
    instance: Instance,
    at: datetime,
    actor: str | None,
    type_: str,
    element: ElementInfo | None = None,
    *,
    element_id: str | None = None,
    task_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    return Event(
        instance_id=instance.id,
        at=at,
        actor=actor,
        type=type_,
        element_id=element.id if element else element_id,
        element_name=element.name if element else None,
        task_id=task_id,
        data=data or {},
    )


def record(
    uow: UnitOfWork,
    instance: Instance,
    at: datetime,
    actor: str | None,
    type_: str,
    element: ElementInfo | None = None,
    **kwargs: Any,
) -> Event:
    """Append one audit event."""
    event = new_event(instance, at, actor, type_, element, **kwargs)
    uow.events.add(event)
    return event


class _Changes:
    """Rows collected during one apply, added in one go at the end."""

    def __init__(self, uow: UnitOfWork, instance: Instance, now: datetime, calendar: WorkCalendar) -> None:
        self.uow, self.instance, self.now, self.calendar = uow, instance, now, calendar
        self.rows: list[Any] = []

    def event(self, type_: str, element: ElementInfo | None, actor: str | None = None, **kwargs: Any) -> None:
        self.rows.append(new_event(self.instance, self.now, actor, type_, element, **kwargs))


@dataclass(frozen=True)
class CaseMove:
    """Where one engine step of a case is written: its unit of work, case, version, time and actor."""

    ctx: ServiceContext
    uow: UnitOfWork
    instance: Instance
    process: DeployedProcess
    calendar: WorkCalendar
    now: datetime
    actor: str | None = None


MAX_MESSAGE_DEPTH = 5  # a chain of cases opening cases longer than this is a modelling error


def case_start_data(instance: Instance, tz: tzinfo) -> dict[str, Any]:
    """What every case starts with besides its own data: number, time received, who opened it
    (each one of start_data.APPLICATION_KEYS, which no caller may give)."""
    return {
        "case_no": instance.case_no,
        "received_at": instance.created_at.astimezone(tz).isoformat(),
        "started_by": instance.started_by,
    }


def open_case(
    ctx: ServiceContext,
    uow: UnitOfWork,
    process: DeployedProcess,
    data: Any,
    *,
    actor: str,
    calendar: WorkCalendar,
    now: datetime,
    parent: Instance | None = None,
    depth: int = 0,
    by_user: bool = True,
    system_data: dict[str, Any] | None = None,
) -> Instance:
    """Create a case of ``process`` and run it to its first wait (not committed).

    ``data`` is checked against the process's start form first (start_data.py; InvalidInput and
    nothing written if refused); ``by_user`` False for the application's own starts.
    ``system_data`` is what the application adds unchecked (a schedule's ``scheduled_for``).
    A process with a message start event receives ``data`` as that message's payload.
    """
    data = {**checked_start_data(ctx, process, data, by_user=by_user), **(system_data or {})}
    instance = Instance(
        process_key=process.process_key,
        version_id=process.id,
        version=process.version,
        status=CaseStatus.RUNNING,
        state="",
        serializer_version="",
        data={},
        started_by=actor,
        parent_id=parent.id if parent else None,
        created_at=now,
        updated_at=now,
    )
    uow.instances.add(instance)
    uow.flush()
    instance.case_no = case_number(process.process_key, instance.id, now)
    start_data = case_start_data(instance, calendar.tz)
    if process.start_message:
        snapshot = ctx.engine.start(process, start_data, message=process.start_message, payload=data)
    else:
        snapshot = ctx.engine.start(process, {**data, **start_data})
    started = record(
        uow,
        instance,
        now,
        actor,
        "instance_started",
        data={"version": process.version, "data": data, "opened_by": parent.case_no if parent else None},
    )
    advance(CaseMove(ctx, uow, instance, process, calendar, now, actor), snapshot, depth=depth, recorded=[started])
    return instance


def advance(
    move: CaseMove,
    snapshot: Snapshot,
    *,
    completed_task_id: str | None = None,
    depth: int = 0,
    recorded: list[Event] | None = None,
) -> None:
    """Store what the engine did, tell the people it concerns, and open the cases its messages start.

    :param recorded: events the caller already wrote for this step (they are reported with the rest)
    """
    ctx, uow, instance, process = move.ctx, move.uow, move.instance, move.process
    calendar, now, actor = move.calendar, move.now, move.actor
    events, ready_tasks = apply_snapshot(
        uow, instance, process, snapshot, calendar=calendar, now=now, actor=actor, completed_task_id=completed_task_id
    )
    apply_outcomes(uow, instance, process, (e.element_id for e in events if e.type == "element_completed"), now)
    notify(uow, instance, events, ready_tasks, now=now)
    after_customer_step(
        uow,
        ctx.customers,
        instance,
        events,
        completed_task_id=completed_task_id,
        now=now,
        element=process.element,
        ready={r.id: r.data for r in snapshot.ready_tasks},
    )
    if queue_issued(uow, instance, recorded or []):  # rendered after the commit, outside the case's lock
        instance_id = instance.id
        uow.after_commit(lambda: ctx.announce_papers(instance_id))
    _inform_named(uow, instance, process, recorded or [], now)
    process_key, observed = instance.process_key, [*(recorded or []), *events]
    uow.after_commit(lambda: ctx.announce_events(process_key, observed))
    for message in snapshot.messages:
        deliver(move, message, depth=depth)


def deliver(move: CaseMove, message: ThrownMessage, *, depth: int = 0) -> None:
    """Route a message the case sent that nothing inside it catches: to the application (a schedule),
    or as the start of a new case of each process that starts with it, linked as the sender's child."""
    ctx, uow, instance = move.ctx, move.uow, move.instance
    calendar, now, actor = move.calendar, move.now, move.actor
    if message.name == SCHEDULE_MESSAGE:  # addressed to the application itself
        planned = schedule_planned_starts(uow, instance, message.payload, now=now, actor=actor or "system")
        record(
            uow,
            instance,
            now,
            actor,
            "cases_planned",
            data={"schedules": [{"name": s.name, "process_key": s.process_key, "at": s.rule} for s in planned]},
        )
        return

    receivers = [ctx.versions.get(uow, v.id) for v in uow.versions.latest_all()]
    receivers = [p for p in receivers if p.start_message == message.name]
    if not receivers or depth >= MAX_MESSAGE_DEPTH:
        reason = "no process starts with it" if not receivers else "too many cases opened in a chain"
        _record_undelivered(uow, instance, now, actor, message, reason)
        return
    for receiver in receivers:
        payload = message.payload if isinstance(message.payload, dict) else {"value": message.payload}
        try:
            child = open_case(
                ctx,
                uow,
                receiver,
                _json_safe(payload),
                actor=actor or "system",
                calendar=calendar,
                now=now,
                parent=instance,
                depth=depth + 1,
                by_user=False,
            )
        except InvalidInput as refused:  # the sender's step still counts; its audit trail says why
            reason = f"{receiver.process_key} refused the start data: {refused.message}"
            _record_undelivered(uow, instance, now, actor, message, reason, errors=refused.errors)
            continue
        record(
            uow,
            instance,
            now,
            actor,
            "message_sent",
            data={"message": message.name, "to_case_no": child.case_no, "to_instance_id": child.id},
        )


def apply_snapshot(
    uow: UnitOfWork,
    instance: Instance,
    process: DeployedProcess,
    snapshot: Snapshot,
    *,
    calendar: WorkCalendar,
    now: datetime,
    actor: str | None = None,
    completed_task_id: str | None = None,
) -> tuple[list[Event], list[Task]]:
    """Store ``snapshot`` on ``instance`` and bring its task, timer and event rows in line; returns the
    events it recorded and the case's ready tasks now.

    :param actor: the user whose request moved the case (None for the timer service)
    :param completed_task_id: the user task just completed (its row is updated by the caller)
    """
    is_new = instance.state == ""
    with uow.no_autoflush():  # everything is written in one flush at commit
        known_tasks = {} if is_new else {t.id: t for t in uow.tasks.for_instance(instance.id)}
        timers = [] if is_new else uow.timers.for_instance(instance.id)
        mapped = _lane_mapping(uow, instance, process, snapshot, known_tasks)
    waiting = {t.id: t for t in timers if t.status == TimerState.WAITING}
    was_running = instance.status == CaseStatus.RUNNING
    instance.state = snapshot.state
    instance.serializer_version = snapshot.serializer_version
    instance.status = snapshot.status
    instance.data = _json_safe(snapshot.data)
    instance.next_timer_at = snapshot.next_timer_at
    instance.error = snapshot.error
    instance.updated_at = now

    changes = _Changes(uow, instance, now, calendar)
    fired = {e.task_id for e in snapshot.events if e.type == "timer_fired"}
    live_timers = _sync_timers(changes, process, snapshot, waiting, fired)
    for event in snapshot.events:
        if event.type == "element_completed" and event.task_id == completed_task_id:
            continue  # recorded as task_completed, with the actor and the data
        if event.type in ("timer_fired", "timer_cancelled"):
            continue  # recorded by _sync_timers with the due time
        changes.event(
            event.type,
            process.element(event.element_id),
            actor if event.type == "error" else None,
            element_id=event.element_id,
            task_id=event.task_id,
            data=event.data,
        )
    missed = _missed_deadlines(process, timers)  # after the sync: a timer may have fired in this very step
    ready_tasks = _sync_tasks(changes, process, snapshot, known_tasks, live_timers, completed_task_id, missed, mapped)
    if snapshot.status == CaseStatus.COMPLETED and was_running:
        instance.completed_at = now
        changes.event("instance_completed", None)
    uow.add_rows(changes.rows)
    uow.flush()  # what follows (notifications, messages, the caller) queries the new rows
    return [row for row in changes.rows if isinstance(row, Event)], ready_tasks


def _missed_deadlines(process: DeployedProcess, timers: list[Timer]) -> dict[str, Timer]:
    """The fired watch deadlines of a case by the task they are the deadline of: a watch timer (not a
    boundary timer) counts from the request, so a task started again after it fired is still late."""
    missed: dict[str, Timer] = {}
    for timer in timers:
        element = process.element(timer.element_id)
        if timer.status != TimerState.FIRED or element is None or element.attached_to or not timer.attached_to:
            continue
        if timer.attached_to not in missed or timer.due_at < missed[timer.attached_to].due_at:
            missed[timer.attached_to] = timer
    return missed


def _due_of(
    element_id: str,
    timers: dict[str, Timer],
    now: datetime,
    task: Task | None = None,
    missed: Timer | None = None,
    own: frozenset[str] = frozenset(),
) -> tuple[datetime | None, bool]:
    """When a task is due: its earliest unmet deadline (and as estimated as that timer).

    The deadlines are the timers sitting on the task or watching it (reminders only when it has
    nothing else). A deadline that has passed stays the task's due time until the task is done,
    though its timer has fired: the escalation does not make the work any less late; a missed watch
    deadline (``missed``) stays it for the task started again, too.
    """
    on_task = [t for t in timers.values() if t.attached_to == element_id]
    if own and any(t.id in own for t in on_task):  # one instance of a multi-instance step: its own timers
        on_task = [t for t in on_task if t.id in own]
    deadlines = [t for t in on_task if t.kind != "reminder"] or on_task
    first = min(deadlines, key=lambda t: t.due_at, default=None)
    passed: tuple[datetime, bool] | None = None
    if task is not None and task.due_at is not None and task.due_at <= now:
        passed = task.due_at, task.due_estimated
    if missed is not None and (passed is None or missed.due_at < passed[0]):
        passed = missed.due_at, missed.estimated
    if passed is not None and (first is None or passed[0] < first.due_at):
        return passed
    return (first.due_at, first.estimated) if first else (None, False)


def _inform_named(
    uow: UnitOfWork, instance: Instance, process: DeployedProcess, recorded: list[Event], now: datetime
) -> None:
    """A task completed in this step whose element has an ``inform`` property tells the people its
    form listed there (from the form itself: a parallel branch's data reaches the case only at its join)."""
    for event in recorded:
        element = process.element(event.element_id) if event.type == "task_completed" and event.element_id else None
        variables = element.properties.get("inform") if element is not None else None
        if variables:  # one field or several, comma-separated; each a user name or a list of them
            named: list[object] = []
            for variable in variables.split(","):
                value = (event.data or {}).get(variable.strip())
                named.extend(value if isinstance(value, list) else [value])
            inform(uow, instance, element.name, named, now=now)


def _role_for(element: ElementInfo | None, data: dict[str, Any], mapped: Mapping[str, str]) -> str | None:
    """The lane's role (as the process owner mapped the lane, else as the diagram names it), or for a
    task whose ``role_from`` names a department in the case data, that department's role (a
    complaint's handling goes to the department ruled responsible)."""
    if element is None:
        return None
    lane_role = mapped.get(element.lane or "") or element.role
    if element.role_from:
        return role_of_department(data.get(element.role_from)) or lane_role
    return lane_role


def _lane_mapping(
    uow: UnitOfWork, instance: Instance, process: DeployedProcess, snapshot: Snapshot, known: dict[str, Task]
) -> dict[str, str]:
    """The owner's lane roles of the process, read only when a task in a lane becomes ready."""
    new = (r for r in snapshot.ready_tasks if r.id not in known or known[r.id].status != TaskState.READY)
    if any((e := process.element(r.element_id)) is not None and e.lane for r in new):
        return uow.lane_roles.of(instance.process_key)
    return {}


def _assignee_for(role: str | None, data: dict[str, Any]) -> str | None:
    """The case data may name the person for a role, e.g. ``technician`` chosen on the service notice
    (not for the customer: ``customer`` in a case's data is the customer's record, not a user)."""
    value = data.get(role) if role and role != Role.CUSTOMER else None
    return value if isinstance(value, str) and value else None


def _same_performer(uow: UnitOfWork, element: ElementInfo | None, tasks: dict[str, Task]) -> str | None:
    """Whoever last completed, in this case, the user task the element's ``same_performer_as`` names
    (the technician who commissioned the unit does its acceptance too), if still an active user."""
    step = element.same_performer_as if element is not None else None
    done = [t for t in tasks.values() if step and t.element_id == step and t.status == TaskState.COMPLETED]
    last = max(done, key=lambda t: t.completed_at or t.created_at, default=None)
    user = uow.users.get(last.completed_by) if last is not None and last.completed_by else None
    return user.username if user is not None and user.active else None


def _named_assignee(uow: UnitOfWork, element: ElementInfo | None, data: dict[str, Any]) -> str | None:
    """The person an element's properties give its task to: ``assignee_from`` names a field of the
    task's data holding a user name (a complaint action's owner, picked from the staff); ``head_of``
    names a department field, whose head (the one active user holding the lane's role and that
    department's role) gets the task."""
    if element is None:
        return None
    if element.properties.get("assignee_from"):
        value = dotted(data, element.properties["assignee_from"])
        user = uow.users.get(value) if isinstance(value, str) and value else None
        return user.username if user is not None and user.active else None
    pair = head_role_pair(element.role, data.get(element.properties.get("head_of") or ""))
    if pair is None:
        return None
    heads = [u.username for u in uow.users.with_role(element.role) if pair <= u.roles]
    return heads[0] if len(heads) == 1 else None


def _sync_tasks(
    changes: _Changes,
    process: DeployedProcess,
    snapshot: Snapshot,
    known_tasks: dict[str, Task],
    live_timers: dict[str, Timer],
    completed_task_id: str | None,
    missed: dict[str, Timer],
    mapped: Mapping[str, str],
) -> list[Task]:
    """Bring the task rows in line with the snapshot's ready tasks; returns the ready rows.
    ``mapped``: the owner's lane roles (lane id -> role)."""
    instance, now = changes.instance, changes.now
    open_tasks = {k: t for k, t in known_tasks.items() if t.status == TaskState.READY}
    ready_ids = set()
    ready_rows = []
    for ready in snapshot.ready_tasks:
        ready_ids.add(ready.id)
        element = process.element(ready.element_id)
        row = open_tasks.get(ready.id)
        due, estimated = _due_of(ready.element_id, live_timers, now, row, missed.get(ready.element_id), ready.timer_ids)
        if row is not None:
            row.due_at, row.due_estimated = due, estimated
            ready_rows.append(row)
            continue
        role = _role_for(element, ready.data or snapshot.data, mapped)
        assignee = None if ready.topic else _same_performer(changes.uow, element, known_tasks)
        assignee = assignee or (
            None if ready.topic else _assignee_for(role, ready.data if ready.multi_instance else snapshot.data)
        )
        assignee = assignee or (
            None if ready.topic else _named_assignee(changes.uow, element, ready.data or snapshot.data)
        )
        row = known_tasks.get(ready.id)  # a finished task the engine made ready again
        if row is None:
            row = Task(
                id=ready.id,
                instance_id=instance.id,
                process_key=instance.process_key,
                version_id=instance.version_id,
                element_id=ready.element_id,
                name=element.name if element else ready.name,
                role=role,
                form=element.form if element else None,
                created_at=now,
            )
            changes.rows.append(row)
        row.status, row.due_at, row.due_estimated, row.assignee = TaskState.READY, due, estimated, assignee
        row.role = role
        row.kind, row.topic = (TaskKind.EXTERNAL, ready.topic) if ready.topic else (TaskKind.USER, None)
        row.worker_id = row.locked_until = row.retries = row.retry_at = row.failure = None
        ready_rows.append(row)
        row.claimed_at = now if assignee else None
        row.completed_at = row.completed_by = None
        changes.event(
            "task_ready",
            element,
            task_id=ready.id,
            data={
                "role": role,
                "assignee": assignee,
                "due_at": due.isoformat() if due else None,
                "due_estimated": estimated,
                **({"topic": ready.topic} if ready.topic else {}),  # for outside workers (external tasks)
            },
        )
    cancelled_by_engine = {e.task_id for e in snapshot.events if e.type == "task_cancelled"}
    for task_id, row in open_tasks.items():
        if task_id not in ready_ids and task_id != completed_task_id:
            row.status, row.completed_at = TaskState.CANCELLED, now
            if task_id not in cancelled_by_engine:
                changes.event("task_cancelled", process.element(row.element_id), task_id=task_id)
    return ready_rows


def _sync_timers(
    changes: _Changes, process: DeployedProcess, snapshot: Snapshot, waiting: dict[str, Timer], fired: set[str | None]
) -> dict[str, Timer]:
    """Insert new timers, close fired and cancelled ones; return the rows still waiting."""
    instance, now = changes.instance, changes.now
    current = {t.task_id: t for t in snapshot.timers}
    live: dict[str, Timer] = {}
    for task_id, timer in current.items():
        row = waiting.get(task_id)
        if row is not None:
            if task_id in fired:  # a cycle timer: fired, and waiting again for its next period
                _record_firing(changes, process.element(row.element_id), row)
            row.due_at = timer.due_at
            live[task_id] = row
            continue
        element = process.element(timer.element_id)
        kind = element.timer_kind if element else None
        # A deadline counted in working time is only as good as the calendar it crossed.
        estimated = bool(element and element.working_time) and changes.calendar.estimated_between(now, timer.due_at)
        row = Timer(
            id=task_id,
            instance_id=instance.id,
            element_id=timer.element_id,
            name=element.name if element else timer.name,
            kind=kind,
            attached_to=element.deadline_of if element else None,
            due_at=timer.due_at,
            estimated=estimated,
            status=TimerState.WAITING,
            created_at=now,
        )
        changes.rows.append(row)
        live[task_id] = row
        changes.event(
            "timer_scheduled",
            element,
            task_id=task_id,
            data={"due_at": timer.due_at.isoformat(), "kind": kind, "estimated": estimated},
        )
    for task_id, row in waiting.items():
        if task_id in current:
            continue
        element = process.element(row.element_id)
        if task_id not in fired:
            row.status = TimerState.CANCELLED
            changes.event("timer_cancelled", element, task_id=task_id)
            continue
        row.status = TimerState.FIRED
        _record_firing(changes, element, row)
    return live


def _record_firing(changes: _Changes, element: ElementInfo | None, row: Timer) -> None:
    """The audit of one firing (and its escalation or reminder), due time and lateness included."""
    row.fired_at = changes.now
    clause = element.clause if element else None
    changes.event(
        "timer_fired",
        element,
        task_id=row.id,
        data={
            "due_at": row.due_at.isoformat(),
            "late_seconds": (changes.now - row.due_at).total_seconds(),
            "kind": row.kind,
            "clause": clause,
        },
    )
    if row.kind in ("escalation", "reminder"):
        changes.event(row.kind, element, task_id=row.id, data={"attached_to": row.attached_to, "clause": clause})


def _record_undelivered(
    uow: UnitOfWork,
    instance: Instance,
    now: datetime,
    actor: str | None,
    message: ThrownMessage,
    reason: str,
    **more: Any,
) -> None:
    """The sender's audit trail says why its message opened no case."""
    data = {"message": message.name, "payload": _json_safe(message.payload), "reason": reason, **more}
    record(uow, instance, now, actor, "message_undelivered", data=data)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
