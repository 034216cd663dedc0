"""Writing what the engine did: state, inbox rows, timer rows and audit events, in one transaction.

Every use case that moves an instance (start, complete, fire timers) ends here, so the task,
timer and event tables can never disagree with the stored engine state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.cases import CaseStatus
from ..domain.principal import Principal
from ..engine import ElementInfo
from ..engine import Snapshot
from ..persistence.orm import Event
from ..persistence.orm import Instance
from ..persistence.orm import Task
from ..persistence.orm import Timer
from ..persistence.unit_of_work import UnitOfWork


def elements_of(instance: Instance) -> dict[str, ElementInfo]:
    return {k: ElementInfo.from_dict(v) for k, v in instance.version.elements.items()}


def record(
    uow: UnitOfWork,
    instance: Instance,
    at: datetime,
    actor: str | None,
    type_: str,
    element: ElementInfo | None = None,
    *,
    element_id: str | None = None,
    task_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    uow.events.add(
        Event(
            instance_id=instance.id,
            at=at,
            actor=actor,
            type=type_,
            element_id=element.id if element else element_id,
            element_name=element.name if element else None,
            task_id=task_id,
            data=data or {},
        )
    )


def apply_snapshot(
    uow: UnitOfWork,
    instance: Instance,
    snapshot: Snapshot,
    *,
    actor: Principal,
    now: datetime,
    completed_task_id: str | None = None,
) -> None:
    """Store ``snapshot`` on ``instance`` and bring its task, timer and event rows in line."""
    elements = elements_of(instance)
    was_running = instance.status == CaseStatus.RUNNING
    instance.state = snapshot.state
    instance.serializer_version = snapshot.serializer_version
    instance.status = snapshot.status
    instance.data = _json_safe(snapshot.data)
    instance.next_timer_at = snapshot.next_timer_at
    instance.error = snapshot.error
    instance.updated_at = now

    fired = {e.task_id for e in snapshot.events if e.type == "timer_fired"}
    _sync_timers(uow, instance, snapshot, elements, fired, now, actor)
    for event in snapshot.events:
        element = elements.get(event.element_id or "")
        if event.type == "element_completed" and event.task_id == completed_task_id:
            continue  # recorded as task_completed, with the actor and the data
        if event.type in ("timer_fired", "timer_cancelled"):
            continue  # recorded by _sync_timers with the due time
        record(
            uow,
            instance,
            now,
            actor.username if event.type == "error" else None,
            event.type,
            element,
            element_id=event.element_id,
            task_id=event.task_id,
            data=event.data,
        )
    _sync_tasks(uow, instance, snapshot, elements, now, completed_task_id)

    if snapshot.status == CaseStatus.COMPLETED and was_running:
        instance.completed_at = now
        record(uow, instance, now, None, "instance_completed")


def _due_of(element_id: str, snapshot: Snapshot, elements: dict[str, ElementInfo]) -> datetime | None:
    """A task is due when the first timer sitting on it falls due."""
    dues = [
        t.due_at
        for t in snapshot.timers
        if elements.get(t.element_id) and elements[t.element_id].attached_to == element_id
    ]
    return min(dues, default=None)


def _assignee_for(role: str | None, data: dict[str, Any]) -> str | None:
    """The case data may name the person for a role, e.g. ``technician`` chosen on the service notice."""
    value = data.get(role) if role else None
    return value if isinstance(value, str) and value else None


def _sync_tasks(
    uow: UnitOfWork,
    instance: Instance,
    snapshot: Snapshot,
    elements: dict[str, ElementInfo],
    now: datetime,
    completed_task_id: str | None,
) -> None:
    open_rows = {t.id: t for t in uow.tasks.for_instance(instance.id, status="ready")}
    ready_ids = set()
    for ready in snapshot.ready_tasks:
        ready_ids.add(ready.id)
        element = elements.get(ready.element_id)
        due = _due_of(ready.element_id, snapshot, elements)
        row = open_rows.get(ready.id) or uow.tasks.get(ready.id)
        if row is not None and row.status == "ready":
            row.due_at = due
            continue
        role = element.role if element else None
        assignee = _assignee_for(role, snapshot.data)
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
            uow.tasks.add(row)
        row.status, row.due_at, row.assignee = "ready", due, assignee
        row.claimed_at = now if assignee else None
        row.completed_at = row.completed_by = None
        record(
            uow,
            instance,
            now,
            None,
            "task_ready",
            element,
            task_id=ready.id,
            data={"role": role, "assignee": assignee, "due_at": due.isoformat() if due else None},
        )
    for task_id, row in open_rows.items():
        if task_id not in ready_ids and task_id != completed_task_id:
            row.status = "cancelled"
            row.completed_at = now
            if not any(e.task_id == task_id and e.type == "task_cancelled" for e in snapshot.events):
                record(uow, instance, now, None, "task_cancelled", elements.get(row.element_id), task_id=task_id)


def _sync_timers(
    uow: UnitOfWork,
    instance: Instance,
    snapshot: Snapshot,
    elements: dict[str, ElementInfo],
    fired: set[str | None],
    now: datetime,
    actor: Principal,
) -> None:
    waiting = {t.id: t for t in uow.timers.for_instance(instance.id, status="waiting")}
    current = {t.task_id: t for t in snapshot.timers}
    for task_id, timer in current.items():
        row = waiting.get(task_id)
        if row is not None:
            row.due_at = timer.due_at
            continue
        element = elements.get(timer.element_id)
        uow.timers.add(
            Timer(
                id=task_id,
                instance_id=instance.id,
                element_id=timer.element_id,
                name=element.name if element else timer.name,
                kind=element.timer_kind if element else None,
                attached_to=element.attached_to if element else None,
                due_at=timer.due_at,
                status="waiting",
                created_at=now,
            )
        )
        record(
            uow,
            instance,
            now,
            None,
            "timer_scheduled",
            element,
            task_id=task_id,
            data={"due_at": timer.due_at.isoformat(), "kind": element.timer_kind if element else None},
        )
    for task_id, row in waiting.items():
        if task_id in current:
            continue
        element = elements.get(row.element_id)
        if task_id in fired:
            row.status, row.fired_at = "fired", now
            data = {
                "due_at": row.due_at.isoformat(),
                "late_seconds": (now - row.due_at).total_seconds(),
                "kind": row.kind,
                "clause": element.clause if element else None,
            }
            record(uow, instance, now, None, "timer_fired", element, task_id=task_id, data=data)
            if row.kind in ("escalation", "reminder"):
                record(
                    uow,
                    instance,
                    now,
                    None,
                    row.kind,
                    element,
                    task_id=task_id,
                    data={"attached_to": row.attached_to, "clause": data["clause"]},
                )
        else:
            row.status, row.fired_at = "cancelled", None
            record(uow, instance, now, None, "timer_cancelled", element, task_id=task_id)


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
