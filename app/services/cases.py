"""Opening cases and reading where they stand."""

from __future__ import annotations

from typing import Any

from ..domain.cases import CaseStatus
from ..domain.principal import Principal
from ..domain.roles import Role
from ..errors import Conflict
from ..errors import Forbidden
from ..errors import InvalidInput
from ..errors import NotFound
from ..persistence.orm import Event
from ..persistence.orm import Instance
from ..persistence.orm import Timer
from ..persistence.unit_of_work import UnitOfWork
from .context import ServiceContext
from .progress import open_case
from .progress import record


def start_case(ctx: ServiceContext, process_key: str, data: dict[str, Any] | None, actor: Principal) -> Instance:
    """Open a case on the latest version of ``process_key``; the start event's lane says who may."""
    if data is not None and not isinstance(data, dict):
        raise InvalidInput("the start data must be a JSON object", errors={"_schema": ["expected an object"]})
    calendar = ctx.calendar.ensure_fresh()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        latest = uow.versions.latest(process_key)
        if latest is None:
            raise NotFound(f"no deployed process {process_key!r}")
        process = ctx.versions.get(uow, latest.id)
        allowed = process.start_roles
        if actor.read_only or not (actor.is_admin or allowed & actor.roles):
            raise Forbidden(f"starting {process_key!r} needs one of the roles {sorted(allowed)}")
        instance = open_case(ctx, uow, process, dict(data or {}), actor=actor.username, calendar=calendar, now=now)
        uow.commit()
    ctx.on_timers_changed(instance.next_timer_at)
    return instance


def may_view(uow: UnitOfWork, instance: Instance, actor: Principal) -> bool:
    if actor.sees_everything or instance.started_by == actor.username:
        return True
    return instance.id in uow.tasks.instance_ids_visible_to(set(actor.roles), actor.username)


def load_visible(uow: UnitOfWork, instance_id: int, actor: Principal) -> Instance:
    instance = uow.instances.get(instance_id)
    if instance is None:
        raise NotFound(f"no case with id {instance_id}")
    if not may_view(uow, instance, actor):
        raise Forbidden(f"case {instance_id} is not visible to {actor.username}")
    return instance


def get_case(ctx: ServiceContext, instance_id: int, actor: Principal) -> Instance:
    with ctx.uow() as uow:
        return load_visible(uow, instance_id, actor)


def case_links(ctx: ServiceContext, instance_id: int, actor: Principal) -> list[dict[str, Any]]:
    """Cases this one was opened by and opened (e.g. a repair and the complaint from its callback)."""
    with ctx.uow() as uow:
        instance = load_visible(uow, instance_id, actor)
        links = []
        if instance.parent_id is not None:
            parent = uow.instances.get(instance.parent_id)
            links.append(
                {
                    "relation": "opened_by",
                    "id": parent.id,
                    "case_no": parent.case_no,
                    "process_key": parent.process_key,
                    "status": parent.status,
                }
            )
        for child in uow.instances.children(instance.id):
            links.append(
                {
                    "relation": "opened",
                    "id": child.id,
                    "case_no": child.case_no,
                    "process_key": child.process_key,
                    "status": child.status,
                }
            )
        return links


def list_cases(
    ctx: ServiceContext,
    actor: Principal,
    *,
    process_key: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Instance]:
    with ctx.uow() as uow:
        ids = None
        if not actor.sees_everything:
            ids = uow.tasks.instance_ids_visible_to(set(actor.roles), actor.username)
        return uow.instances.list(process_key=process_key, status=status, ids=ids, limit=limit, offset=offset)


def case_events(ctx: ServiceContext, instance_id: int, actor: Principal) -> list[Event]:
    with ctx.uow() as uow:
        load_visible(uow, instance_id, actor)
        return uow.events.for_instance(instance_id)


def case_timers(ctx: ServiceContext, instance_id: int, actor: Principal) -> list[Timer]:
    with ctx.uow() as uow:
        load_visible(uow, instance_id, actor)
        return uow.timers.for_instance(instance_id)


def cancel_case(ctx: ServiceContext, instance_id: int, actor: Principal, reason: str) -> Instance:
    """Stop a running case: its open tasks and timers are cancelled; the state is kept for audit."""
    if not actor.is_admin and Role.SUPERVISOR not in actor.roles:
        raise Forbidden("only a supervisor or an administrator may cancel a case")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        instance = uow.instances.lock(instance_id)
        if instance is None:
            raise NotFound(f"no case with id {instance_id}")
        if instance.status not in (CaseStatus.RUNNING, CaseStatus.ERROR):
            raise Conflict(f"case {instance_id} is {instance.status}")
        process = ctx.versions.get(uow, instance.version_id)
        for task in uow.tasks.for_instance(instance_id, status="ready"):
            task.status, task.completed_at = "cancelled", now
            record(
                uow, instance, now, actor.username, "task_cancelled", process.element(task.element_id), task_id=task.id
            )
        for timer in uow.timers.for_instance(instance_id, status="waiting"):
            timer.status = "cancelled"
        instance.status, instance.next_timer_at, instance.updated_at = CaseStatus.CANCELLED, None, now
        record(uow, instance, now, actor.username, "instance_cancelled", data={"reason": reason})
        uow.commit()
        return instance
