"""Opening cases and reading where they stand, for those who may read them.

Every read of a case (detail, data, audit trail, timers, attachments, diagram, tasks) goes through
``load_visible`` / ``may_view``, and every list of cases through ``read_scope``: the rule is in
``app/domain/visibility.py``, the setting ``AFTERSALES_CASE_VISIBILITY`` (``person`` or ``role``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...domain.cases import CaseStatus
from ...domain.cases import TaskState
from ...domain.cases import TimerState
from ...domain.fees import REFUND_MESSAGE
from ...domain.fees import cancellation_refund
from ...domain.principal import Principal
from ...domain.roles import Role
from ...domain.visibility import ReadScope
from ...domain.visibility import needs_lanes
from ...domain.visibility import read_scope as scope_for
from ...engine import ThrownMessage
from ...errors import Conflict
from ...errors import Forbidden
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.orm import Event
from ...persistence.orm import IdempotencyKey
from ...persistence.orm import Instance
from ...persistence.orm import Timer
from ...persistence.unit_of_work import UnitOfWork
from ..context import ServiceContext
from .journal import CaseMove
from .journal import deliver
from .journal import open_case
from .step import case_step

MAX_IDEMPOTENCY_KEY = 128  # idempotency_keys.key


def start_case(
    ctx: ServiceContext, process_key: str, data: Any, actor: Principal, *, idempotency_key: str | None = None
) -> Instance:
    """Open a case on the latest version of ``process_key``; the start event's lane says who may.

    ``data`` is checked against the start form (``start_form.checked_start_data``: an object, its fields).
    ``idempotency_key``: a start the same caller already made with this key answers the case it opened
    (a client retrying after a lost answer opens no second case); the key is kept with the case.
    """
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise InvalidInput(
            "the Idempotency-Key is empty or too long",
            errors={"Idempotency-Key": [f"1 to {MAX_IDEMPOTENCY_KEY} characters"]},
        )
    calendar = ctx.calendar.ensure_fresh()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        if idempotency_key is not None:
            earlier = uow.idempotency.get(actor.username, idempotency_key)
            if earlier is not None:
                if earlier.process_key != process_key:
                    raise InvalidInput(
                        f"this Idempotency-Key started a {earlier.process_key!r} case",
                        errors={"Idempotency-Key": ["already used for another process"]},
                    )
                return uow.instances.get(earlier.instance_id)
        latest = uow.versions.latest(process_key)
        if latest is None:
            raise NotFound(f"no deployed process {process_key!r}")
        process = ctx.versions.get(uow, latest.id)
        allowed = process.start_roles
        if actor.read_only or not (actor.is_admin or allowed & actor.roles):
            raise Forbidden(f"starting {process_key!r} needs one of the roles {sorted(allowed)}")
        instance = open_case(ctx, uow, process, data, actor=actor.username, calendar=calendar, now=now)
        if idempotency_key is not None:
            uow.flush()
            uow.add_row(
                IdempotencyKey(
                    username=actor.username,
                    key=idempotency_key,
                    process_key=process_key,
                    instance_id=instance.id,
                    created_at=now,
                )
            )
        uow.commit()
    ctx.announce_timers(instance.next_timer_at)
    return instance


def read_scope(ctx: ServiceContext, uow: UnitOfWork, actor: Principal) -> ReadScope:
    """The cases ``actor`` may read under the configured visibility."""
    mode = ctx.case_visibility
    return scope_for(actor, mode, ctx.versions.lanes(uow) if needs_lanes(actor, mode) else {})


def may_view(ctx: ServiceContext, uow: UnitOfWork, instance: Instance, actor: Principal) -> bool:
    if actor.case_id is not None:  # a customer through a case link: that case, none other
        return instance.id == actor.case_id
    return uow.instances.is_visible(instance.id, read_scope(ctx, uow, actor))


def load_visible(ctx: ServiceContext, uow: UnitOfWork, instance_id: int, actor: Principal) -> Instance:
    instance = uow.instances.get(instance_id)
    if instance is None:
        raise NotFound(f"no case with id {instance_id}")
    if not may_view(ctx, uow, instance, actor):
        raise Forbidden(f"case {instance_id} is not visible to {actor.username}")
    return instance


def get_case(ctx: ServiceContext, instance_id: int, actor: Principal) -> Instance:
    with ctx.uow() as uow:
        return load_visible(ctx, uow, instance_id, actor)


def case_links(ctx: ServiceContext, instance_id: int, actor: Principal) -> list[dict[str, Any]]:
    """Cases this one was opened by and opened (e.g. a repair and the complaint from its callback),
    those of them the user may read."""
    with ctx.uow() as uow:
        instance = load_visible(ctx, uow, instance_id, actor)
        parent = uow.instances.get(instance.parent_id) if instance.parent_id is not None else None
        related = [("opened_by", parent)] if parent is not None else []
        related += [("opened", child) for child in uow.instances.children(instance.id)]
        ids = {case.id for _, case in related}
        shown = uow.instances.list(ids=ids, visible_to=read_scope(ctx, uow, actor), limit=len(ids)) if ids else []
        visible = {case.id for case in shown}
        return [
            {
                "relation": relation,
                "id": case.id,
                "case_no": case.case_no,
                "process_key": case.process_key,
                "status": case.status,
            }
            for relation, case in related
            if case.id in visible
        ]


def list_cases_counted(
    ctx: ServiceContext,
    actor: Principal,
    *,
    process_key: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
    case_no: str | None = None,
    updated_since: datetime | None = None,
    sort: str = "id",
    order: str = "desc",
) -> tuple[list[Instance], int]:
    """The page of cases ``actor`` may read, and how many there are in all (with the same filters)."""
    with ctx.uow() as uow:
        scope = read_scope(ctx, uow, actor)
        filters = {
            "process_key": process_key, "status": status, "visible_to": scope, "case_no": case_no,
            "updated_since": updated_since,
        }  # fmt: skip
        rows = uow.instances.list(**filters, limit=limit, offset=offset, sort=sort, order=order)
        return rows, uow.instances.count(**filters)


def case_by_number(ctx: ServiceContext, case_no: str, actor: Principal) -> Instance:
    """The case numbered ``case_no`` (e.g. SR-2026-000001), if ``actor`` may read it."""
    with ctx.uow() as uow:
        instance = uow.instances.by_case_no(case_no)
        if instance is None:
            raise NotFound(f"no case numbered {case_no!r}")
        if not may_view(ctx, uow, instance, actor):
            raise Forbidden(f"case {case_no} is not visible to {actor.username}")
        return instance


def case_events(ctx: ServiceContext, instance_id: int, actor: Principal) -> list[Event]:
    with ctx.uow() as uow:
        load_visible(ctx, uow, instance_id, actor)
        return uow.events.for_instance(instance_id)


def case_timers(ctx: ServiceContext, instance_id: int, actor: Principal) -> list[Timer]:
    with ctx.uow() as uow:
        load_visible(ctx, uow, instance_id, actor)
        return uow.timers.for_instance(instance_id)


def cancel_case(
    ctx: ServiceContext, instance_id: int, actor: Principal, reason: str, *, customer_cancelled: bool = False
) -> Instance:
    """Stop a running case: its open tasks and timers are cancelled; the state is kept for audit.

    :param customer_cancelled: the customer called it off; if they had paid already, a refund case
        opens, linked to this one (W-07, D-17)
    """
    if not actor.is_admin and Role.SUPERVISOR not in actor.roles:
        raise Forbidden("only a supervisor or an administrator may cancel a case")
    with case_step(ctx, actor, instance_id=instance_id) as step:
        instance, uow, now = step.instance, step.uow, step.now
        if not may_view(ctx, uow, instance, actor):
            raise Forbidden(f"case {instance_id} is not visible to {actor.username}")
        if instance.status not in (CaseStatus.RUNNING, CaseStatus.ERROR):
            raise Conflict(f"case {instance_id} is {instance.status}")
        for task in uow.tasks.for_instance(instance_id, status=TaskState.READY):
            task.status, task.completed_at = TaskState.CANCELLED, now
            step.record("task_cancelled", task.element_id, task_id=task.id)
        for timer in uow.timers.for_instance(instance_id, status=TimerState.WAITING):
            timer.status = TimerState.CANCELLED
        instance.status, instance.next_timer_at, instance.updated_at = CaseStatus.CANCELLED, None, now
        step.record("instance_cancelled", data={"reason": reason, "customer_cancelled": customer_cancelled})
        owed = cancellation_refund(instance.data, instance.case_no) if customer_cancelled else None
        if owed is not None:
            move = CaseMove(ctx, uow, instance, step.process, step.calendar, now, actor.username)
            deliver(move, ThrownMessage(REFUND_MESSAGE, owed))
    return step.instance
