"""Telling people: a task handed to them, a reminder on their task, an escalation to their group.

Notifications are rows written in the same transaction as the step that caused them; e-mail
is sent afterwards from those rows (an outbox, see ``mailer.py``), so a mail server that is
down delays mail but never a case.
"""

from __future__ import annotations

from datetime import datetime

from ...domain.principal import Principal
from ...errors import Forbidden
from ...errors import NotFound
from ...persistence.orm import Event
from ...persistence.orm import Instance
from ...persistence.orm import Notification
from ...persistence.orm import Task
from ...persistence.orm import User
from ...persistence.unit_of_work import UnitOfWork
from ..context import ServiceContext

TITLE_LENGTH = 256  # Notification.title
KIND_TITLE = {
    "assigned": "新任务 / New task",
    "reminder": "提醒 / Reminder",
    "escalation": "升级 / Escalation",
    "informed": "知会 / For your information",
    "reschedule": "客户改约 / Reschedule request",
}


def _halves(text: str) -> tuple[str, str]:
    """("中文", "English") of a "中文 / English" name; a name in one language is both."""
    parts = text.split(" / ")
    return (parts[0], parts[1]) if len(parts) == 2 else (text, text)


def title(kind: str, about: str, case_no: str | None) -> str:
    """The whole title in each language, "中文 / English" (the page shows the user's half, an e-mail
    both), not the kind's and the task's halves mixed ("新任务 / New task: 登记 / Register")."""
    (kind_zh, kind_en), (about_zh, about_en) = _halves(KIND_TITLE[kind]), _halves(about)
    half = (TITLE_LENGTH - 3) // 2  # each language's half, so that both fit the title column
    return f"{_clip(f'{kind_zh}：{about_zh}（{case_no}）', half)} / {_clip(f'{kind_en}: {about_en} ({case_no})', half)}"


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def inform(uow: UnitOfWork, instance: Instance, about: str, usernames: object, *, now: datetime) -> list[Notification]:
    """Tell the people a step named (e.g. the emergency team the general manager set up, CP-09) that
    they are in it: one notification each, about the case rather than a task of theirs."""
    named = {u for u in usernames if isinstance(u, str) and u} if isinstance(usernames, list) else set()
    found = uow.users.by_usernames(named) if named else {}
    rows = [
        Notification(
            username=user.username,
            kind="informed",
            instance_id=instance.id,
            task_id=None,
            title=title("informed", about, instance.case_no),
            body=f"{instance.case_no} · {instance.process_key} · {about}",
            email=user.email or None,
            created_at=now,
        )
        for user in found.values()
        if user.active
    ]
    uow.add_rows(rows)
    return rows


def notify(
    uow: UnitOfWork, instance: Instance, events: list[Event], ready_tasks: list[Task], *, now: datetime
) -> list[Notification]:
    """Notifications for what one step of ``instance`` did (not committed).

    :param ready_tasks: the case's ready tasks after the step
    """
    wanted: dict[tuple[str, str | None, str], str] = {}  # (user, task, kind) -> what it is about
    users: dict[str, User] = {}
    role_members: dict[str, list[str]] = {}

    def members(role: str | None) -> list[str]:
        if role not in role_members:
            found = uow.users.with_role(role or "")
            users.update((u.username, u) for u in found)
            role_members[role] = [u.username for u in found]
        return role_members[role]

    escalated = any(e.type == "escalation" for e in events)
    for event in events:
        if event.type == "task_ready":
            assignee = event.data.get("assignee")
            if assignee:
                wanted[(assignee, event.task_id, "assigned")] = event.element_name or event.element_id or ""
            elif escalated:  # the task an escalation creates goes to everyone of its role
                for username in members(event.data.get("role")):
                    wanted[(username, event.task_id, "escalation")] = event.element_name or ""
        elif event.type in ("reminder", "escalation"):
            for task in [t for t in ready_tasks if t.element_id == event.data.get("attached_to")]:
                for username in [task.assignee] if task.assignee else members(task.role):
                    wanted[(username, task.id, event.type)] = f"{task.name} — {event.element_name or ''}"
    # A notification of a task that is done (or went away) is no longer news.
    uow.notifications.clear_finished(instance.id, {t.id for t in ready_tasks}, now)
    rows = []
    users.update(uow.users.by_usernames({username for username, _, _ in wanted} - users.keys()))
    for (username, task_id, kind), about in wanted.items():
        user = users.get(username)
        if user is None or not user.active:
            continue
        rows.append(
            Notification(
                username=username,
                kind=kind,
                instance_id=instance.id,
                task_id=task_id,
                title=title(kind, about, instance.case_no),
                body=f"{instance.case_no} · {instance.process_key} · {about}",
                email=user.email or None,
                created_at=now,
            )
        )
    uow.add_rows(rows)
    return rows


PAGE_SIZE = 50


def my_notifications(
    ctx: ServiceContext, actor: Principal, *, unread_only: bool = False, page: int = 1, per_page: int = PAGE_SIZE
) -> list[Notification]:
    """The actor's notifications, newest first, one page (``page`` counts from 1)."""
    with ctx.uow() as uow:
        return uow.notifications.for_user(
            actor.username, unread_only=unread_only, limit=per_page, offset=(max(page, 1) - 1) * per_page
        )


def notification_count(ctx: ServiceContext, actor: Principal) -> int:
    with ctx.uow() as uow:
        return uow.notifications.count_for_user(actor.username)


def mark_all_read(ctx: ServiceContext, actor: Principal) -> int:
    """Every unread notification of the actor read now; returns how many."""
    with ctx.uow() as uow:
        marked = uow.notifications.mark_all_read(actor.username, ctx.clock.now())
        uow.commit()
    return marked


def unread_count(ctx: ServiceContext, actor: Principal) -> int:
    with ctx.uow() as uow:
        return uow.notifications.unread_count(actor.username)


def mark_read(ctx: ServiceContext, notification_id: int, actor: Principal) -> Notification:
    with ctx.uow() as uow:
        row = uow.notifications.get(notification_id)
        if row is None:
            raise NotFound(f"no notification {notification_id}")
        if row.username != actor.username:
            raise Forbidden("a notification can only be read by the person it is for")
        row.read_at = row.read_at or ctx.clock.now()
        uow.commit()
        return row
