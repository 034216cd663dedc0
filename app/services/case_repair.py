"""Repairing running cases: retry a failed step, move a case to a newer diagram version.

Both are for process owners and administrators, are recorded in the audit trail, and change a
case only when the engine agrees: a migration replays the case's recorded path on the new
version and is refused, with the deviations, unless every step fits there.
"""

from __future__ import annotations

from typing import Any

from ..domain.cases import CaseStatus
from ..domain.principal import Principal
from ..domain.roles import Role
from ..engine import TaskNotReady
from ..errors import Conflict
from ..errors import Forbidden
from ..errors import InvalidInput
from ..errors import NotFound
from ..persistence.orm import Instance
from .conformance import replay_inputs
from .context import ServiceContext
from .progress import advance
from .progress import record

REPAIR_ROLES = frozenset({Role.ADMIN, Role.PROCESS_OWNER})


def _require(actor: Principal) -> None:
    if actor.read_only or not actor.roles & REPAIR_ROLES:
        raise Forbidden("only a process owner or an administrator may repair a case")


def retry_case(ctx: ServiceContext, instance_id: int, data: dict[str, Any] | None, actor: Principal) -> Instance:
    """Run the failed step again, optionally with corrected data; the case leaves the error state."""
    _require(actor)
    if data is not None and not isinstance(data, dict):
        raise InvalidInput("the data must be a JSON object", errors={"data": ["expected an object"]})
    calendar = ctx.calendar.ensure_fresh()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        instance = uow.instances.lock(instance_id)
        if instance is None:
            raise NotFound(f"no case with id {instance_id}")
        if instance.status != CaseStatus.ERROR:
            raise Conflict(f"case {instance.case_no} is {instance.status}, not in error")
        process = ctx.versions.get(uow, instance.version_id)
        try:
            snapshot = ctx.engine.retry(process, instance.state, data)
        except TaskNotReady as exc:
            raise Conflict(str(exc)) from None
        record(
            uow, instance, now, actor.username, "instance_retried", data={"data": data or {}, "error": instance.error}
        )
        instance.status = CaseStatus.RUNNING  # the snapshot decides what it becomes
        advance(ctx, uow, instance, process, snapshot, calendar=calendar, now=now, actor=actor.username)
        uow.commit()
    ctx.on_timers_changed(instance.next_timer_at)
    return instance


def migrate_case(ctx: ServiceContext, instance_id: int, to_version: int | None, actor: Principal) -> Instance:
    """Move a running case to another version of its process (the latest if None)."""
    _require(actor)
    calendar = ctx.calendar.ensure_fresh()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        instance = uow.instances.lock(instance_id)
        if instance is None:
            raise NotFound(f"no case with id {instance_id}")
        if instance.status != CaseStatus.RUNNING:
            raise Conflict(f"case {instance.case_no} is {instance.status}; only running cases move")
        versions = {v.version: v for v in uow.versions.all_versions(instance.process_key)}
        target_row = versions.get(to_version) if to_version is not None else versions[max(versions)]
        if target_row is None:
            raise NotFound(f"{instance.process_key} has no version {to_version}")
        if target_row.id == instance.version_id:
            raise Conflict(f"case {instance.case_no} already runs on version {instance.version}")
        source = ctx.versions.get(uow, instance.version_id)
        target = ctx.versions.get(uow, target_row.id)
        inputs = replay_inputs(ctx, uow, instance, source)
        waiting = {t.element_id: t.due_at for t in uow.timers.for_instance(instance.id, status="waiting")}
        claimed = {t.element_id: t.assignee for t in uow.tasks.for_instance(instance.id, status="ready") if t.assignee}
        result, snapshot = ctx.engine.rebuild(
            target, inputs.start, inputs.steps, message=inputs.message, payload=inputs.payload, timer_due=waiting
        )
        if result.deviations:
            problems = [
                {"kind": d.kind, "element_id": d.element_id, "position": d.position, "detail": d.detail}
                for d in result.deviations
            ]
            raise Conflict(
                f"case {instance.case_no} cannot move to version {target.version}: its path does not fit there",
                errors=problems,
            )
        old_version = instance.version
        instance.version_id, instance.version = target.id, target.version
        advance(ctx, uow, instance, target, snapshot, calendar=calendar, now=now, actor=actor.username)
        for task in uow.tasks.for_instance(instance.id, status="ready"):
            if not task.assignee and claimed.get(task.element_id):
                task.assignee, task.claimed_at = claimed[task.element_id], now
        record(
            uow,
            instance,
            now,
            actor.username,
            "instance_migrated",
            data={"from_version": old_version, "to_version": target.version},
        )
        uow.commit()
    ctx.on_timers_changed(instance.next_timer_at)
    return instance
