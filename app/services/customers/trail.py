"""The audit events of the customer's part, appended to the case's trail (as cases/journal.record does;
kept apart so that the journal can call the customer links without importing itself back)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...domain.events import EventType
from ...persistence.orm import Event
from ...persistence.orm import Instance
from ...persistence.unit_of_work import UnitOfWork


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def note(
    uow: UnitOfWork,
    instance: Instance,
    now: datetime,
    actor: str | None,
    type_: EventType,
    *,
    task_id: str | None = None,
    element_id: str | None = None,
    **data: Any,
) -> Event:
    """Append one event of ``type_`` (not committed)."""
    event = Event(
        instance_id=instance.id,
        at=now,
        actor=actor,
        type=type_.value,
        element_id=element_id,
        element_name=None,
        task_id=task_id,
        data={key: _plain(value) for key, value in data.items()},
    )
    uow.events.add(event)
    return event
