"""Case numbers and the lifecycle states of a case (a process instance)."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from enum import StrEnum

# Case variables the application writes itself when a case opens (the case journal's start data, the
# schedule that opened it, the registration's findings): never taken from whoever starts the case,
# and defined for every diagram's code.
APPLICATION_KEYS = frozenset({"case_no", "received_at", "started_by", "scheduled_for", "schedule", "on_record"})


class CaseStatus(StrEnum):
    RUNNING = "running"  # waiting for people or timers
    COMPLETED = "completed"  # reached an end event
    CANCELLED = "cancelled"  # stopped by an administrator
    SUSPENDED = "suspended"  # held by a process owner: no task can be completed, no timer fires
    ERROR = "error"  # a script or expression failed; the state before the failure is kept


class TaskState(StrEnum):
    READY = "ready"  # in someone's inbox (claimed or not)
    COMPLETED = "completed"  # done by a person, or skipped by a process owner
    CANCELLED = "cancelled"  # the case moved on without it (another path, a cancelled case)


class TaskKind(StrEnum):
    USER = "user"  # worked by a person in the inbox
    EXTERNAL = "external"  # a service task done by an outside worker (fetch-and-lock, /external-tasks)


class TimerState(StrEnum):
    WAITING = "waiting"  # armed, due at ``due_at``
    FIRED = "fired"  # fell due and fired (a cycle timer fires and waits again)
    CANCELLED = "cancelled"  # its task was done first, or the case ended


CASE_PREFIX = {"repair": "SR", "complaint": "CP", "annual_plan": "AP"}


def case_number(process_key: str, instance_id: int, opened_at: datetime) -> str:
    """``SR-2026-000042``: process prefix, year opened, instance id."""
    prefix = CASE_PREFIX.get(process_key, process_key[:3].upper())
    return f"{prefix}-{opened_at.year}-{instance_id:06d}"


def overdue_by(due: datetime | None, now: datetime) -> timedelta | None:
    """How long ago a task's deadline ``due`` passed at ``now`` (None: no deadline, or not yet)."""
    if due is None or due >= now:
        return None
    return now - due
