"""The case links as staff see and manage them on the case page: each link's purpose, expiry, use
and revocation; a link revoked, or a new one issued (and sent to the customer), by the roles that
talk to customers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ...domain.cases import TaskState
from ...domain.customer_links import LinkPurpose
from ...domain.customer_links import LinkState
from ...domain.principal import Principal
from ...domain.roles import Role
from ...errors import Forbidden
from ...errors import InvalidInput
from ...persistence.orm import CustomerMessage
from ...persistence.orm import Task
from ...persistence.unit_of_work import UnitOfWork
from ..cases.opening import load_visible
from ..context import ServiceContext
from .links import issue_link
from .links import revoke
from .links import state_of
from .links import token_for
from .messages import queue_link_message
from .steps import customer_of_task

# Who issues and revokes case links (the roles that speak to customers, and the administrator).
LINK_MANAGERS = frozenset({Role.CS_AGENT, Role.SUPERVISOR, Role.SERVICE_MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class LinkRow:
    id: int
    purpose: str
    task_spec: str | None
    task_name: str | None
    issued_at: datetime
    issued_by: str | None
    expires_at: datetime
    state: LinkState
    used_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None
    last_seen_at: datetime | None
    url: str | None  # while the link opens: what staff may read out or send again


@dataclass(frozen=True)
class ReadyStep:
    """A ready customer-lane task a new link may be sent for."""

    element_id: str
    name: str
    task_id: str
    customer: str | None = None  # whose it is, for one instance of a per-customer step


@dataclass(frozen=True)
class CaseLinks:
    links: list[LinkRow]
    messages: list[CustomerMessage]
    customer_steps: list[ReadyStep]
    may_manage: bool


def may_manage(actor: Principal) -> bool:
    return bool(actor.roles & LINK_MANAGERS) and not actor.read_only


def case_links(ctx: ServiceContext, instance_id: int, actor: Principal) -> CaseLinks:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        instance = load_visible(ctx, uow, instance_id, actor)
        process = ctx.versions.get(uow, instance.version_id)
        manage = may_manage(actor)
        rows = []
        for link in uow.customer_links.of_case(instance.id):
            state = state_of(link, now)
            element = process.element(link.task_spec) if link.task_spec else None
            url = None
            if manage and state is LinkState.ACTIVE:
                url = f"{ctx.customers.public_base_url}/c/{token_for(ctx.customers, link)}"
            rows.append(
                LinkRow(
                    link.id,
                    link.purpose,
                    link.task_spec,
                    element.name if element is not None else None,
                    link.issued_at,
                    link.issued_by,
                    link.expires_at,
                    state,
                    link.used_at,
                    link.revoked_at,
                    link.revoked_by,
                    link.last_seen_at,
                    url,
                )
            )
        steps = []
        for task in _ready_customer_steps(uow, instance.id):
            one = customer_of_task(ctx.engine, process, instance, task)
            steps.append(ReadyStep(task.element_id, task.name, task.id, one.get("name") if one else None))
        return CaseLinks(rows, uow.customer_links.messages_of_case(instance.id), steps, manage)


def _ready_customer_steps(uow: UnitOfWork, instance_id: int) -> list[Task]:
    return [t for t in uow.tasks.for_instance(instance_id, TaskState.READY) if t.role == Role.CUSTOMER]


def _require_manager(actor: Principal) -> None:
    if not may_manage(actor):
        raise Forbidden(f"{actor.username} may not issue or revoke customer links")


def issue_for_case(
    ctx: ServiceContext,
    instance_id: int,
    actor: Principal,
    purpose: str,
    task_spec: str | None = None,
    task_id: str | None = None,
) -> int:
    """A new link sent to the customer (FOLLOW, or TASK for a ready customer step); returns its id.

    :param task_id: which of the step's ready tasks (needed when it has one per customer); the link
        opens that task only and goes to that task's customer
    """
    _require_manager(actor)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        instance = load_visible(ctx, uow, instance_id, actor)
        try:
            wanted = LinkPurpose(purpose)
        except ValueError:
            raise InvalidInput("unknown link purpose", errors={"purpose": ["follow or task"]}) from None
        name, step, to = "", None, None
        if wanted is LinkPurpose.TASK:
            ready = [
                t
                for t in _ready_customer_steps(uow, instance.id)
                if t.element_id == task_spec and task_id in (None, t.id)
            ]
            if not ready:
                raise InvalidInput("no ready customer step", errors={"task_spec": ["not a ready customer step"]})
            if len(ready) > 1:
                raise InvalidInput(
                    "the step is done once per customer: say whose", errors={"task_id": ["one of the step's tasks"]}
                )
            step = ready[0]
            name, to = (
                step.name,
                customer_of_task(ctx.engine, ctx.versions.get(uow, instance.version_id), instance, step),
            )
        issued = issue_link(
            uow,
            ctx.customers,
            case_id=instance.id,
            purpose=wanted,
            task_spec=task_spec if step is not None else None,
            task_id=step.id if step is not None else None,
            now=now,
            by=actor.username,
        )
        queue_link_message(uow, instance, issued, wanted, task=name, now=now, to=to)
        uow.commit()
        return issued.id


def revoke_for_case(ctx: ServiceContext, instance_id: int, link_id: int, actor: Principal) -> None:
    _require_manager(actor)
    with ctx.uow() as uow:
        load_visible(ctx, uow, instance_id, actor)
        revoke(uow, case_id=instance_id, link_id=link_id, now=ctx.clock.now(), by=actor.username)
        uow.commit()
