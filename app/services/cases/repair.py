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
from ...errors import Conflict
from ...errors import Forbidden
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.orm import Instance
from ..context import ServiceContext
from ..integration.external_tasks import resolve_incidents
from ..processes.version_cache import DeployedProcess
from ..qa.conformance import replay_inputs
from ..tasks.handover import check_named_assignees
from .step import case_step

REPAIR_ROLES = frozenset({Role.ADMIN, Role.PROCESS_OWNER})


def require_repair_role(actor: Principal) -> None:
    if actor.read_only or not actor.roles & REPAIR_ROLES:
        raise Forbidden("only a process owner or an administrator may repair a case")


def retry_case(ctx: ServiceContext, instance_id: int, data: dict[str, Any] | None, actor: Principal) -> Instance:
    """Run the failed step again, optionally with corrected data; the case leaves the error state.
    A running case with incidents (external tasks out of retries) has them given new retries."""
    require_repair_role(actor)
    if data is not None and not isinstance(data, dict):
        raise InvalidInput("the data must be a JSON object", errors={"data": ["expected an object"]})
    with case_step(ctx, actor, instance_id=instance_id) as step:
        instance = step.instance
        if instance.status == CaseStatus.RUNNING and step.uow.external_tasks.incidents(instance.id):
            if data:
                raise InvalidInput("an incident is retried as it is", errors={"data": ["not taken for an incident"]})
            resolve_incidents(step)  # the external tasks whose retries ran out get new ones
            return instance
        step.expect(CaseStatus.ERROR, why=", not in error (nor has an incident)")
        check_named_assignees(step.uow, ctx, data or {}, "data.")
        error, instance.status = instance.error, CaseStatus.RUNNING  # the snapshot decides what it becomes
        retried = {"data": data or {}, "error": error}
        step.apply(lambda: ctx.engine.retry(step.process, instance.state, data), "instance_retried", data=retried)
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
    *,
    reason: str | None,
) -> Instance:
    """Move a running case to another version of its process (the latest if None). The move is an
    audit event with the reason, the mapping and the actor; each ready task the move cancelled is
    recorded with the task of the same element the case has now (old task links lead there).

    :param mapping: source element id → target element id, for elements the target calls otherwise
    :param reason: why (required; recorded in the audit trail)
    """
    require_repair_role(actor)
    why = require_reason(reason)
    with case_step(ctx, actor, instance_id=instance_id) as step:
        uow, instance, now = step.uow, step.instance, step.now
        step.expect(CaseStatus.RUNNING, why="; only running cases move")
        versions = {v.version: v for v in uow.versions.all_versions(instance.process_key)}
        target_row = versions.get(to_version) if to_version is not None else versions[max(versions)]
        if target_row is None:
            raise NotFound(f"{instance.process_key} has no version {to_version}")
        if target_row.id == instance.version_id:
            raise Conflict(f"case {instance.case_no} already runs on version {instance.version}")
        target = ctx.versions.get(uow, target_row.id)
        rename = check_mapping(step.process, target, mapping)
        inputs = replay_inputs(ctx, uow, instance, step.process, target)
        waiting = {
            rename.get(t.element_id, t.element_id): t.due_at
            for t in uow.timers.for_instance(instance.id, status=TimerState.WAITING)
        }
        ready_before = [(t.id, t.element_id) for t in uow.tasks.for_instance(instance.id, status=TaskState.READY)]
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
        step.process = target
        step.advance(snapshot, recorded=[])
        ready_after = uow.tasks.for_instance(instance.id, status=TaskState.READY)
        for task in ready_after:
            if not task.assignee and claimed.get(task.element_id):
                task.assignee, task.claimed_at = claimed[task.element_id], now
        tasks = task_successors(ready_before, [(t.id, t.element_id) for t in ready_after], rename)
        uow.task_moves.record(instance.id, tasks, now)
        moved = {
            "from_version": old_version,
            "to_version": target.version,
            "reason": why,
            **({"mapping": rename} if rename else {}),
            **({"tasks": tasks} if tasks else {}),
        }
        step.record("instance_migrated", data=moved)
    return instance


def check_mapping(
    source: DeployedProcess, target: DeployedProcess, mapping: Mapping[str, str] | None
) -> dict[str, str]:
    """A migration's mapping, refused (422) unless each pair names an element of the source version
    and one of the target version."""
    rename = dict(mapping or {})
    errors = [f"{old} is not an element of version {source.version}" for old in rename if source.element(old) is None]
    errors += [
        f"{new} is not an element of version {target.version}" for new in rename.values() if target.element(new) is None
    ]
    if errors:
        raise InvalidInput("the mapping names elements the versions do not have", errors={"mapping": errors})
    return rename


def task_successors(
    before: list[tuple[str, str]], after: list[tuple[str, str]], rename: Mapping[str, str]
) -> dict[str, str]:
    """Old task id → new task id: each ready task a migration replaced, paired with a new ready task
    of the same element (as ``rename`` calls it in the target), in the order they came."""
    still = {task_id for task_id, _ in after}
    fresh = [(task_id, element_id) for task_id, element_id in after if task_id not in {t for t, _ in before}]
    pairs: dict[str, str] = {}
    for old_id, element_id in before:
        if old_id in still:
            continue
        wanted = rename.get(element_id, element_id)
        match = next((t for t, e in fresh if e == wanted and t not in pairs.values()), None)
        if match is not None:
            pairs[old_id] = match
    return pairs


def require_reason(reason: str | None) -> str:
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
    with case_step(ctx, actor, instance_id=instance_id) as step:
        step.expect(expected, why=f", not {expected}")
        step.instance.status, step.instance.updated_at = becomes, step.now
        step.record(event, data={"reason": require_reason(reason)})
    return step.instance


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
    with case_step(ctx, actor, instance_id=instance_id) as step:
        timer = step.uow.timers.get(timer_id)
        if timer is None or timer.instance_id != step.instance.id:
            raise NotFound(f"timer {timer_id} is not of case {instance_id}")
        if timer.status != TimerState.WAITING:
            raise NotFound(f"no waiting timer {timer_id}")
        change = {"from": timer.due_at.isoformat(), "to": due_at.isoformat(), "reason": require_reason(reason)}
        step.apply(
            lambda: ctx.engine.set_timer_due(step.process, step.instance.state, timer_id, due_at),
            "deadline_changed",
            timer.element_id,
            task_id=timer_id,
            data=change,
        )
    return step.instance


def skip_task(
    ctx: ServiceContext, instance_id: int, task_id: str, data: dict[str, Any] | None, reason: str, actor: Principal
) -> Instance:
    """Complete a task of case ``instance_id`` on someone's behalf without its form's checks (the
    data given is what the process goes on with); recorded as a skip, which conformance reports as
    a manual step. A task of another case is not found."""
    require_repair_role(actor)
    reason = require_reason(reason)
    with case_step(ctx, actor, instance_id=instance_id) as step:
        instance = step.instance
        task = step.uow.tasks.get(task_id)
        if task is None or task.instance_id != instance.id:
            raise NotFound(f"task {task_id} is not of case {instance_id}")
        if task.status != TaskState.READY or instance.status != CaseStatus.RUNNING:
            raise Conflict(f"task {task_id} is {task.status} (case {instance.status})")
        given = dict(data or {})
        check_named_assignees(step.uow, ctx, given, "data.")
        task.status, task.completed_at, task.completed_by = TaskState.COMPLETED, step.now, actor.username
        step.apply(
            lambda: ctx.engine.complete_task(step.process, instance.state, task.id, lambda seen: given)[0],
            "task_skipped",
            task.element_id,
            task_id=task.id,
            data={"data": given, "reason": reason},
            completed_task_id=task.id,
        )
    return instance


def repeat_step(ctx: ServiceContext, instance_id: int, element_id: str, reason: str, actor: Principal) -> Instance:
    """Move the token back to a step already done, which becomes ready again."""
    require_repair_role(actor)
    reason = require_reason(reason)
    with case_step(ctx, actor, instance_id=instance_id) as step:
        step.expect(CaseStatus.RUNNING)
        repeat = lambda: ctx.engine.repeat_from(step.process, step.instance.state, element_id)  # noqa: E731
        step.apply(repeat, "step_repeated", element_id, data={"reason": reason})
    return step.instance
