"""Repairing running cases: retry a failed step, move a case to a newer diagram version.

Both are for process owners and administrators, are recorded in the audit trail, and change a
case only when the engine agrees: a migration replays the case's recorded path on the new
version and is refused, with the deviations, unless every step fits there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ...domain.cases import CaseStatus
from ...domain.cases import TaskState
from ...domain.cases import TimerState
from ...domain.principal import Principal
from ...domain.roles import Role
from ...engine import Deviation
from ...engine import RecordedStep
from ...engine import TaskNotReady
from ...engine import UnknownTask
from ...errors import Conflict
from ...errors import Forbidden
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.orm import Instance
from ..context import ServiceContext
from ..qa.conformance import replay_inputs
from ..tasks.handover import check_named_assignees
from .journal import advance
from .journal import record

REPAIR_ROLES = frozenset({Role.ADMIN, Role.PROCESS_OWNER})


def require_repair_role(actor: Principal) -> None:
    if actor.read_only or not actor.roles & REPAIR_ROLES:
        raise Forbidden("only a process owner or an administrator may repair a case")


def _locked(uow, instance_id: int) -> Instance:
    instance = uow.instances.lock(instance_id)
    if instance is None:
        raise NotFound(f"no case with id {instance_id}")
    return instance


def _apply_step(
    ctx: ServiceContext,
    uow,
    instance: Instance,
    process,
    step,
    *,
    event: str,
    actor: Principal,
    now,
    calendar,
    element_id: str | None = None,
    task_id: str | None = None,
    data: dict[str, Any] | None = None,
    completed_task_id: str | None = None,
) -> None:
    """Run one engine operation on a locked case, record it under ``event`` and store what it did."""
    try:
        snapshot = step()
    except (TaskNotReady, UnknownTask) as exc:
        raise Conflict(str(exc)) from None
    recorded = record(
        uow,
        instance,
        now,
        actor.username,
        event,
        process.element(element_id),
        task_id=task_id,
        element_id=element_id,
        data=data or {},
    )
    advance(
        ctx,
        uow,
        instance,
        process,
        snapshot,
        calendar=calendar,
        now=now,
        actor=actor.username,
        completed_task_id=completed_task_id,
        recorded=[recorded],
    )


def retry_case(ctx: ServiceContext, instance_id: int, data: dict[str, Any] | None, actor: Principal) -> Instance:
    """Run the failed step again, optionally with corrected data; the case leaves the error state."""
    require_repair_role(actor)
    if data is not None and not isinstance(data, dict):
        raise InvalidInput("the data must be a JSON object", errors={"data": ["expected an object"]})
    calendar = ctx.calendar.ensure_fresh()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        instance = _locked(uow, instance_id)
        if instance.status != CaseStatus.ERROR:
            raise Conflict(f"case {instance.case_no} is {instance.status}, not in error")
        check_named_assignees(uow, ctx, data or {}, "data.")
        process = ctx.versions.get(uow, instance.version_id)
        error, instance.status = instance.error, CaseStatus.RUNNING  # the snapshot decides what it becomes
        _apply_step(
            ctx,
            uow,
            instance,
            process,
            lambda: ctx.engine.retry(process, instance.state, data),
            event="instance_retried",
            actor=actor,
            now=now,
            calendar=calendar,
            data={"data": data or {}, "error": error},
        )
        uow.commit()
    ctx.on_timers_changed(instance.next_timer_at)
    return instance


def mapped(steps: list[RecordedStep], mapping: Mapping[str, str] | None) -> list[RecordedStep]:
    """A recorded path with its elements renamed: ``mapping`` says which element of the target
    version means what an element of the source version meant (e.g. a task that was renamed)."""
    if not mapping:
        return steps
    return [replace(step, element_id=mapping.get(step.element_id, step.element_id)) for step in steps]


def unfit_deviations(deviations: list[Deviation]) -> list[Deviation]:
    """What keeps a case from moving: its administrators' skips and repeats move with it, anything
    else (a step the target would not allow, one it still expects) does not fit."""
    return [d for d in deviations if d.kind not in ("skipped", "repeated")]


def migrate_case(
    ctx: ServiceContext,
    instance_id: int,
    to_version: int | None,
    actor: Principal,
    mapping: Mapping[str, str] | None = None,
) -> Instance:
    """Move a running case to another version of its process (the latest if None).

    :param mapping: source element id → target element id, for elements the target calls otherwise
    """
    require_repair_role(actor)
    calendar = ctx.calendar.ensure_fresh()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        instance = _locked(uow, instance_id)
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
        rename = mapping or {}
        waiting = {
            rename.get(t.element_id, t.element_id): t.due_at
            for t in uow.timers.for_instance(instance.id, status=TimerState.WAITING)
        }
        claimed = {
            rename.get(t.element_id, t.element_id): t.assignee
            for t in uow.tasks.for_instance(instance.id, status=TaskState.READY)
            if t.assignee
        }
        result, snapshot = ctx.engine.rebuild(
            target,
            inputs.start,
            mapped(inputs.steps, mapping),
            message=inputs.message,
            payload=inputs.payload,
            timer_due=waiting,
        )
        unfit = unfit_deviations(result.deviations)
        if unfit:
            problems = [
                {"kind": d.kind, "element_id": d.element_id, "position": d.position, "detail": d.detail} for d in unfit
            ]
            raise Conflict(
                f"case {instance.case_no} cannot move to version {target.version}: its path does not fit there",
                errors=problems,
            )
        old_version = instance.version
        instance.version_id, instance.version = target.id, target.version
        advance(ctx, uow, instance, target, snapshot, calendar=calendar, now=now, actor=actor.username)
        for task in uow.tasks.for_instance(instance.id, status=TaskState.READY):
            if not task.assignee and claimed.get(task.element_id):
                task.assignee, task.claimed_at = claimed[task.element_id], now
        record(
            uow,
            instance,
            now,
            actor.username,
            "instance_migrated",
            data={"from_version": old_version, "to_version": target.version, **({"mapping": rename} if rename else {})},
        )
        uow.commit()
    ctx.on_timers_changed(instance.next_timer_at)
    return instance


def _reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise InvalidInput("say why (a reason is recorded in the audit trail)", errors={"reason": ["required"]})
    return reason.strip()


def _switch(
    ctx: ServiceContext,
    instance_id: int,
    reason: str,
    actor: Principal,
    *,
    expected: CaseStatus,
    becomes: CaseStatus,
    event: str,
) -> Instance:
    require_repair_role(actor)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        instance = _locked(uow, instance_id)
        if instance.status != expected:
            raise Conflict(f"case {instance.case_no} is {instance.status}, not {expected}")
        instance.status, instance.updated_at = becomes, now
        record(uow, instance, now, actor.username, event, data={"reason": _reason(reason)})
        uow.commit()
    ctx.on_timers_changed(instance.next_timer_at)
    return instance


def suspend_case(ctx: ServiceContext, instance_id: int, reason: str, actor: Principal) -> Instance:
    """Hold a running case: its tasks cannot be completed and its timers do not fire until resumed."""
    return _switch(
        ctx,
        instance_id,
        reason,
        actor,
        expected=CaseStatus.RUNNING,
        becomes=CaseStatus.SUSPENDED,
        event="instance_suspended",
    )


def resume_case(ctx: ServiceContext, instance_id: int, reason: str, actor: Principal) -> Instance:
    """Let a suspended case go on; timers that fell due meanwhile fire at the next round."""
    return _switch(
        ctx,
        instance_id,
        reason,
        actor,
        expected=CaseStatus.SUSPENDED,
        becomes=CaseStatus.RUNNING,
        event="instance_resumed",
    )


def change_deadline(
    ctx: ServiceContext, instance_id: int, timer_id: str, due_at, reason: str, actor: Principal
) -> Instance:
    """Give a waiting timer of case ``instance_id`` a new due time (e.g. the customer asked for a
    later appointment); a timer of another case is not found."""
    require_repair_role(actor)
    calendar = ctx.calendar.ensure_fresh()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        instance = _locked(uow, instance_id)
        timer = uow.timers.get(timer_id)
        if timer is None or timer.instance_id != instance.id:
            raise NotFound(f"timer {timer_id} is not of case {instance_id}")
        if timer.status != TimerState.WAITING:
            raise NotFound(f"no waiting timer {timer_id}")
        process = ctx.versions.get(uow, instance.version_id)
        change = {"from": timer.due_at.isoformat(), "to": due_at.isoformat(), "reason": _reason(reason)}
        _apply_step(
            ctx,
            uow,
            instance,
            process,
            lambda: ctx.engine.set_timer_due(process, instance.state, timer_id, due_at),
            event="deadline_changed",
            actor=actor,
            now=now,
            calendar=calendar,
            element_id=timer.element_id,
            task_id=timer_id,
            data=change,
        )
        uow.commit()
    ctx.on_timers_changed(instance.next_timer_at)
    return instance


def skip_task(
    ctx: ServiceContext, instance_id: int, task_id: str, data: dict[str, Any] | None, reason: str, actor: Principal
) -> Instance:
    """Complete a task of case ``instance_id`` on someone's behalf without its form's checks (the
    data given is what the process goes on with); recorded as a skip, which conformance reports as
    a manual step. A task of another case is not found."""
    require_repair_role(actor)
    reason = _reason(reason)
    calendar = ctx.calendar.ensure_fresh()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        instance = _locked(uow, instance_id)
        task = uow.tasks.get(task_id)
        if task is None or task.instance_id != instance.id:
            raise NotFound(f"task {task_id} is not of case {instance_id}")
        if task.status != TaskState.READY or instance.status != CaseStatus.RUNNING:
            raise Conflict(f"task {task_id} is {task.status} (case {instance.status})")
        process = ctx.versions.get(uow, instance.version_id)
        given = dict(data or {})
        check_named_assignees(uow, ctx, given, "data.")
        task.status, task.completed_at, task.completed_by = TaskState.COMPLETED, now, actor.username
        _apply_step(
            ctx,
            uow,
            instance,
            process,
            lambda: ctx.engine.complete_task(process, instance.state, task.id, lambda seen: given)[0],
            event="task_skipped",
            actor=actor,
            now=now,
            calendar=calendar,
            element_id=task.element_id,
            task_id=task.id,
            data={"data": given, "reason": reason},
            completed_task_id=task.id,
        )
        uow.commit()
    ctx.on_timers_changed(instance.next_timer_at)
    return instance


def repeat_step(ctx: ServiceContext, instance_id: int, element_id: str, reason: str, actor: Principal) -> Instance:
    """Move the token back to a step already done, which becomes ready again."""
    require_repair_role(actor)
    reason = _reason(reason)
    calendar = ctx.calendar.ensure_fresh()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        instance = _locked(uow, instance_id)
        if instance.status != CaseStatus.RUNNING:
            raise Conflict(f"case {instance.case_no} is {instance.status}")
        process = ctx.versions.get(uow, instance.version_id)
        _apply_step(
            ctx,
            uow,
            instance,
            process,
            lambda: ctx.engine.repeat_from(process, instance.state, element_id),
            event="step_repeated",
            actor=actor,
            now=now,
            calendar=calendar,
            element_id=element_id,
            data={"reason": reason},
        )
        uow.commit()
    ctx.on_timers_changed(instance.next_timer_at)
    return instance
