"""What a case step means for the customer: a customer-lane task that became ready gets a TASK link
bound to it and a message carrying it; a customer-lane task that is done (through the link, or by staff
as the fallback) or closed (its window passed) spends its links. Called by cases/journal.advance in
the step's own transaction.

A step done once per customer (a multi-instance step whose element names the item with
``customer_from``, e.g. the survey's questionnaire) gets one link per instance, sent to the contacts
of that instance's customer, not to the case's.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ...domain.customer_links import LinkPurpose
from ...domain.customer_steps import CUSTOMER_FROM_PROPERTY
from ...domain.roles import Role
from ...engine import ElementInfo
from ...engine import WorkflowEngine
from ...persistence.orm import Event
from ...persistence.orm import Instance
from ...persistence.orm import Task
from ...persistence.unit_of_work import UnitOfWork
from ..processes.version_cache import DeployedProcess
from .links import issue_link
from .links import spend_links_not_of
from .links import spend_task_links
from .messages import queue_link_message
from .settings import CustomerSettings


def customer_of(element: ElementInfo | None, data: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The customer one instance of a per-customer step is for (the item its element's
    ``customer_from`` names in the task's data); None for a step of the case's own customer."""
    source = element.properties.get(CUSTOMER_FROM_PROPERTY) if element is not None else None
    found = (data or {}).get(source) if source else None
    return dict(found) if isinstance(found, Mapping) else None


def customer_of_task(
    engine: WorkflowEngine, process: DeployedProcess, instance: Instance, task: Task | None
) -> dict[str, Any] | None:
    """The one customer ``task`` is for when its step is done once per customer (its item, read from the
    task's own data in the case's state); None for a step of the case's own customer, or no task."""
    element = process.element(task.element_id) if task is not None else None
    if element is None or not element.properties.get(CUSTOMER_FROM_PROPERTY):
        return None
    return customer_of(element, engine.task_data(process, instance.state, task.id))


def _due(event: Event) -> datetime | None:
    """When the ready task's window closes (its deadline, as the journal wrote it on the event)."""
    due = (event.data or {}).get("due_at")
    return datetime.fromisoformat(due) if isinstance(due, str) and due else None


def after_step(
    uow: UnitOfWork,
    settings: CustomerSettings,
    instance: Instance,
    events: Iterable[Event],
    *,
    completed_task_id: str | None,
    now: datetime,
    element: Callable[[str], ElementInfo | None] = lambda _id: None,
    ready: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """:param element: the case's elements by id
    :param ready: the data of each task ready now, by task id"""
    ready = ready or {}
    if completed_task_id is not None:
        done = uow.tasks.get(completed_task_id)
        if done is not None and done.role == Role.CUSTOMER:
            spend_task_links(uow, instance.id, done.element_id, now, task_id=done.id)
    for event in events:
        customer_step = (event.data or {}).get("role") == Role.CUSTOMER and event.element_id
        closed = element(event.element_id or "") if event.type == "task_cancelled" and event.task_id else None
        if closed is not None and closed.role == Role.CUSTOMER:  # e.g. its reply window passed
            spend_task_links(uow, instance.id, closed.id, now, task_id=event.task_id)
        if event.type != "task_ready" or not customer_step:
            continue
        spend_links_not_of(uow, instance.id, event.element_id, frozenset(ready), now)  # a step repeated
        issued = issue_link(
            uow,
            settings,
            case_id=instance.id,
            purpose=LinkPurpose.TASK,
            task_spec=event.element_id,
            task_id=event.task_id,
            now=now,
            open_until=_due(event),
        )
        to = customer_of(element(event.element_id), ready.get(event.task_id or ""))
        task_name = event.element_name or event.element_id
        queue_link_message(uow, instance, issued, LinkPurpose.TASK, task=task_name, now=now, to=to)
