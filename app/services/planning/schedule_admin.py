"""Writing schedule rows: used by the schedule admin and by diagrams that plan cases ahead.

A diagram plans cases by throwing the message ``schedule_starts`` with the payload
``{"starts": [{"process_key": "repair", "at": "2027-03-15T09:00:00+08:00", "data": {...}}, ...]}``;
the application receives it and adds one one-off schedule per entry, linked to the case that
planned it. No instance waits months for its date.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

from ...domain.iso8601 import parse_rule
from ...errors import Conflict
from ...errors import InvalidInput
from ...persistence.orm import Instance
from ...persistence.orm import Schedule
from ...persistence.unit_of_work import UnitOfWork

SCHEDULE_MESSAGE = "schedule_starts"


def first_run(rule_text: str, now: datetime) -> tuple[int, datetime | None]:
    """A recurring schedule begins with its first occurrence from now on (no back-filling of years);
    a one-off runs at its date, at once if that date has passed."""
    try:
        rule = parse_rule(rule_text)
    except ValueError as exc:
        raise InvalidInput(str(exc), errors={"rule": [str(exc)]}) from None
    first = rule.occurrence(0)
    if rule.period is None or first >= now:
        return 0, first.astimezone(UTC)
    found = rule.first_after(now)
    return (found[0], found[1].astimezone(UTC)) if found else (0, None)


def add_schedule(
    uow: UnitOfWork,
    *,
    name: str,
    process_key: str,
    rule: str,
    data: dict[str, Any] | None,
    now: datetime,
    actor: str,
    origin: Instance | None = None,
) -> Schedule:
    """Add a schedule whose first run is the rule's first occurrence from now on (not committed)."""
    if uow.schedules.by_name(name) is not None:
        raise Conflict(f"a schedule named {name!r} exists already")
    index, next_run = first_run(rule, now)
    schedule = Schedule(
        name=name,
        process_key=process_key,
        rule=rule,
        data=data or {},
        enabled=next_run is not None,
        next_index=index,
        next_run_at=next_run,
        runs=0,
        created_at=now,
        updated_by=actor,
        origin_instance_id=origin.id if origin else None,
    )
    uow.schedules.add(schedule)
    return schedule


def schedule_planned_starts(
    uow: UnitOfWork, origin: Instance, payload: Any, *, now: datetime, actor: str
) -> list[Schedule]:
    """One one-off schedule per entry of a ``schedule_starts`` message."""
    starts = payload.get("starts") if isinstance(payload, dict) else None
    if not isinstance(starts, list):
        raise InvalidInput('schedule_starts needs a payload {"starts": [...]}')
    rows = []
    for number, entry in enumerate(starts, start=1):
        name = entry.get("name") or f"{origin.case_no} #{number}"
        rows.append(
            add_schedule(
                uow,
                name=name,
                process_key=entry["process_key"],
                rule=entry["at"],
                data=entry.get("data") or {},
                now=now,
                actor=actor,
                origin=origin,
            )
        )
    return rows
