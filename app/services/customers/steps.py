"""What a case step means for the customer: a customer-lane task that became ready gets a TASK link
and a message carrying it; a customer-lane task that is done (through the link, or by staff as the
fallback) spends its links. Called by cases/journal.advance in the step's own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ...domain.customer_links import LinkPurpose
from ...domain.roles import Role
from ...persistence.orm import Event
from ...persistence.orm import Instance
from ...persistence.unit_of_work import UnitOfWork
from .links import issue_link
from .links import spend_task_links
from .messages import queue_link_message
from .settings import CustomerSettings


def after_step(
    uow: UnitOfWork,
    settings: CustomerSettings,
    instance: Instance,
    events: Iterable[Event],
    *,
    completed_task_id: str | None,
    now: datetime,
) -> None:
    if completed_task_id is not None:
        done = uow.tasks.get(completed_task_id)
        if done is not None and done.role == Role.CUSTOMER:
            spend_task_links(uow, instance.id, done.element_id, now)
    for event in events:
        if event.type == "task_ready" and (event.data or {}).get("role") == Role.CUSTOMER and event.element_id:
            spend_task_links(uow, instance.id, event.element_id, now)  # a step repeated: only the new link opens it
            issued = issue_link(
                uow, settings, case_id=instance.id, purpose=LinkPurpose.TASK, task_spec=event.element_id, now=now
            )
            task_name = event.element_name or event.element_id
            queue_link_message(uow, instance, issued, LinkPurpose.TASK, task=task_name, now=now)
