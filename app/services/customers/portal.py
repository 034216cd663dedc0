"""What a customer sees and does through a case link: the case in plain words, the papers, a
reschedule request, and their own step's form — as the link's principal, who sees that case only.

Every action is an event on the case with the link id and the client address; a link refused for a
reason its row knows (expired, revoked, spent, closed) is an event too, so staff see a customer who tried.

A link bound to one task (one surveyed customer's questionnaire of a survey sent to many) opens that
task only, and its page shows nothing of the case's data but that customer's own: the case holds every
surveyed customer's name and phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from typing import Any

from ...domain.cases import TaskState
from ...domain.customer_links import DEFAULT_CUSTOMER_LANGUAGE
from ...domain.customer_links import LinkPurpose
from ...domain.customer_links import LinkRefusal
from ...domain.customer_links import Stage
from ...domain.customer_links import customer_stage
from ...domain.customer_links import link_principal
from ...domain.customer_links import mask_phone
from ...domain.customer_links import stages_of
from ...domain.customer_steps import CUSTOMER_FROM_PROPERTY
from ...domain.events import EventType
from ...domain.principal import Principal
from ...domain.roles import Role
from ...errors import InvalidInput
from ...persistence.orm import CustomerLink
from ...persistence.orm import Instance
from ...persistence.orm import Notification
from ...persistence.orm import Task
from ...persistence.unit_of_work import UnitOfWork
from ..cases import papers
from ..context import ServiceContext
from ..master_data.engineers import engineer_of
from ..people.notifications import title
from ..tasks import forms
from ..tasks import work
from ..tasks.work import TaskView
from .links import LinkRefused
from .links import OpenLink
from .links import open_link
from .links import seen
from .messages import language_of
from .steps import customer_of_task
from .trail import note

NOTE_LENGTH = 500
# Who hears of a reschedule request: the staff of these roles who worked the case, else every dispatcher.
RESCHEDULE_ROLES = ("dispatcher", "cs_agent")
CLOSED = ("completed", "cancelled")


@dataclass(frozen=True)
class CustomerCase:
    """The minimum a customer sees of their case."""

    link_id: int
    purpose: LinkPurpose
    case_no: str
    process_key: str
    process_name: str
    stage: Stage
    stages: tuple[Stage, ...]
    phone: str  # masked
    engineer: str | None
    engineer_phone: str | None
    appointment_at: datetime | None
    expires_at: datetime
    papers: list[papers.PaperLink]
    task: TaskView | None = None
    start_values: dict[str, Any] | None = None
    language: str = DEFAULT_CUSTOMER_LANGUAGE  # the customer's (their messages'): the page's until they pick one


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _ready_step(uow: UnitOfWork, opened: OpenLink) -> Task | None:
    """The ready task the link opens: the one it is bound to (else, a link issued before links were
    bound to tasks, the ready task of its step)."""
    spec, bound = opened.link.task_spec, opened.link.task_id
    ready = uow.tasks.for_instance(opened.instance.id, TaskState.READY)
    return next((t for t in ready if t.element_id == spec and t.role == Role.CUSTOMER and bound in (None, t.id)), None)


def _gone_reason(ctx: ServiceContext, uow: UnitOfWork, link: CustomerLink) -> LinkRefusal:
    """Why a TASK link whose task is not ready opens nothing: done, or — one customer's questionnaire of
    many — closed unanswered by its window. A step of the case's own customer that its window gave to
    staff reads as done, as it always has (staff answer it for them)."""
    task = uow.tasks.get(link.task_id) if link.task_id else None
    if task is None or task.status != TaskState.CANCELLED:
        return LinkRefusal.USED
    element = ctx.versions.get(uow, task.version_id).element(task.element_id)
    per_customer = element is not None and bool(element.properties.get(CUSTOMER_FROM_PROPERTY))
    return LinkRefusal.CLOSED if per_customer else LinkRefusal.USED


def _open(
    ctx: ServiceContext, uow: UnitOfWork, token: str, purpose: LinkPurpose | None, address: str | None, now: datetime
) -> OpenLink:
    """The link, or :class:`LinkRefused` — noted on its case when the row is known (committed)."""
    try:
        try:
            opened = open_link(uow, ctx.customers, token, purpose, now, lock=True)
        except LinkRefused as refused:
            if refused.reason is LinkRefusal.USED and refused.link is not None:
                raise LinkRefused(_gone_reason(ctx, uow, refused.link), refused.link) from None
            raise
        if opened.purpose is LinkPurpose.TASK and _ready_step(uow, opened) is None:
            opened.link.used_at = opened.link.used_at or now  # done or closed meanwhile (e.g. by staff): spent
            raise LinkRefused(_gone_reason(ctx, uow, opened.link), opened.link)
        return opened
    except LinkRefused as refused:
        link = refused.link
        instance = uow.instances.get(link.instance_id) if link is not None else None
        if link is not None and instance is not None:
            note(
                uow,
                instance,
                now,
                _actor(link.id, instance),
                EventType.CUSTOMER_LINK_REFUSED,
                link_id=link.id,
                reason=refused.reason.value,
                address=address,
            )
            seen(link, now, address)
            uow.commit()
        raise


def _actor(link_id: int, instance: Instance) -> str:
    return link_principal(link_id, instance.id).username


def principal_of(opened: OpenLink) -> Principal:
    return link_principal(opened.link.id, opened.instance.id, opened.link.task_id)


def _engineer(uow: UnitOfWork, data: dict[str, Any]) -> tuple[str | None, str | None]:
    engineer = engineer_of(uow, data)
    return (engineer.name, engineer.phone) if engineer is not None else (None, None)


def open_page(ctx: ServiceContext, token: str, address: str | None) -> CustomerCase:
    """The case as the link shows it (a TASK link: with its step's form); the opening is noted."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        opened = _open(ctx, uow, token, None, address, now)
        instance, link = opened.instance, opened.link
        step = _ready_step(uow, opened) if opened.purpose is LinkPurpose.TASK else None
        process = ctx.versions.get(uow, instance.version_id)
        one = customer_of_task(ctx.engine, process, instance, step)
        # A step of one customer among many: that customer's own contacts, nothing of the others'.
        data = {"customer_phone": one.get("phone")} if one is not None else (instance.data or {})
        done = {e.element_id for e in uow.events.for_instance(instance.id) if e.type == "task_completed"}
        appointment = _parse_time(data.get("appointment_at"))
        finished = instance.status in CLOSED
        stage = customer_stage(instance.process_key, data, done, finished=finished, appointment_at=appointment, now=now)
        engineer, engineer_phone = _engineer(uow, data)
        note(
            uow,
            instance,
            now,
            _actor(link.id, instance),
            EventType.CUSTOMER_LINK_OPENED,
            link_id=link.id,
            purpose=link.purpose,
            address=address,
        )
        seen(link, now, address)
        uow.commit()
        view = CustomerCase(
            link_id=link.id,
            purpose=opened.purpose,
            case_no=instance.case_no or str(instance.id),
            process_key=instance.process_key,
            process_name=process.name or instance.process_key,
            stage=stage,
            stages=stages_of(instance.process_key),
            phone=mask_phone(data.get("customer_phone") if isinstance(data.get("customer_phone"), str) else None),
            engineer=engineer if stage is not Stage.REGISTERED else None,
            engineer_phone=engineer_phone,
            appointment_at=appointment,
            expires_at=link.expires_at,
            papers=[],
            language=language_of(uow, instance, one),
        )
        step_id = step.id if step is not None else None
    actor = principal_of(opened)
    if step_id is not None:
        task_view = work.get_task(ctx, step_id, actor)
        task_view = replace(task_view, form=_shown_form(task_view.form, task_view.data))
        fields = (task_view.form or {}).get("properties") or {}
        start = {k: p["default"] for k, p in fields.items() if isinstance(p, dict) and "default" in p}
        start.update({k: task_view.data[k] for k in fields if k in task_view.data})
        if one is not None:  # the case data holds every surveyed customer: the page gets its own fields only
            task_view = replace(task_view, data={k: v for k, v in task_view.data.items() if k in fields})
        return replace(view, task=task_view, start_values=start)
    return replace(view, papers=papers.case_papers(ctx, opened.instance.id, actor))


def _shown_form(form: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any] | None:
    """The step's form as the customer sees it: a read-only field the case does not hold (what was done
    on a path this case did not take: the on-site work of a case solved remotely) is left out, not shown
    as an empty box."""
    unheld = forms.unheld_read_only(form, data)
    if not unheld:
        return form
    fields = (form or {}).get("properties") or {}
    return {**(form or {}), "properties": {n: p for n, p in fields.items() if n not in unheld}}


def complete_step(ctx: ServiceContext, token: str, data: Any, address: str | None) -> Task:
    """The customer's step done with ``data`` through the same service as a staff completion; the
    link is spent in that step's transaction (journal → customers.steps), so a replay opens nothing."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        opened = _open(ctx, uow, token, LinkPurpose.TASK, address, now)
        step = _ready_step(uow, opened)
        task_id, link_id, case_id = step.id, opened.link.id, opened.instance.id
        actor = principal_of(opened)
    task = work.complete_task(ctx, task_id, data, actor)
    with ctx.uow() as uow:
        instance, link = uow.instances.get(case_id), uow.customer_links.get(link_id)
        note(
            uow,
            instance,
            ctx.clock.now(),
            actor.username,
            EventType.CUSTOMER_TASK_DONE,
            task_id=task.id,
            element_id=task.element_id,
            link_id=link_id,
            address=address,
        )
        link.used_at = link.used_at or now
        seen(link, ctx.clock.now(), address)
        uow.commit()
    return task


def request_reschedule(ctx: ServiceContext, token: str, wished: str, note_text: str, address: str | None) -> None:
    """A reschedule request: an event on the case and a notification to its dispatcher or agent.
    The engine is not touched: staff agree the new time with the customer as before."""
    wished_at = _parse_time(wished)
    errors: dict[str, list[str]] = {}
    if wished_at is None:
        errors["wished_at"] = ["a date and time, e.g. 2026-12-08T09:30+08:00"]
    if len(note_text or "") > NOTE_LENGTH:
        errors["note"] = [f"at most {NOTE_LENGTH} characters"]
    if errors:
        raise InvalidInput("the reschedule request is incomplete", errors=errors)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        opened = _open(ctx, uow, token, LinkPurpose.FOLLOW, address, now)
        instance, link = opened.instance, opened.link
        actor = _actor(link.id, instance)
        note(
            uow,
            instance,
            now,
            actor,
            EventType.RESCHEDULE_REQUESTED,
            link_id=link.id,
            address=address,
            wished_at=wished_at,
            note=(note_text or "").strip(),
        )
        _tell_staff(uow, instance, wished_at, now)
        seen(link, now, address)
        uow.commit()


def _tell_staff(uow: UnitOfWork, instance: Instance, wished_at: datetime, now: datetime) -> None:
    worked = {e.actor for e in uow.events.for_instance(instance.id) if e.type == "task_completed" and e.actor}
    people = [u for u in uow.users.by_usernames(worked).values() if u.active and u.roles & set(RESCHEDULE_ROLES)]
    if not people:
        people = [u for u in uow.users.with_role("dispatcher") if u.active]
    about = f"客户请求改约 {wished_at:%Y-%m-%d %H:%M} / The customer asks to reschedule to {wished_at:%Y-%m-%d %H:%M}"
    uow.add_rows(
        [
            Notification(
                username=user.username,
                kind="reschedule",
                instance_id=instance.id,
                task_id=None,
                title=title("reschedule", about, instance.case_no),
                body=f"{instance.case_no} · {instance.process_key} · {about}",
                email=user.email or None,
                created_at=now,
            )
            for user in people
        ]
    )


def paper(ctx: ServiceContext, token: str, kind: str, address: str | None) -> papers.PaperFile:
    """One of the case's papers, through a FOLLOW link."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        opened = _open(ctx, uow, token, LinkPurpose.FOLLOW, address, now)
        seen(opened.link, now, address)
        uow.commit()
    return papers.paper_pdf(ctx, opened.instance.id, kind, principal_of(opened))
