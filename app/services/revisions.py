"""Revisions a client can hold on to (HTTP ``ETag`` / ``If-Match``): a case's is its row version, which
every step of the case moves; a task's adds who holds it and its state, which a claim or a hand-over
changes without moving the case; a draft's is what and when it was last saved; a schedule's is what it says.

A request that says which revision it was made on (``expect``) has it checked where the object is
changed, in the same unit of work (a case's step, once the case is locked), so the check and the change
are one: a stale revision changes nothing (412).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from contextvars import Token

from ..errors import PreconditionFailed
from ..persistence.orm import Draft
from ..persistence.orm import Instance
from ..persistence.orm import Schedule
from ..persistence.orm import Task

_expected: ContextVar[str | None] = ContextVar("expected_revision", default=None)


def of_case(instance: Instance) -> str:
    return f"c{instance.id}.{instance.lock_version}"


def of_task(task: Task, instance: Instance) -> str:
    held = f"{task.status}|{task.assignee or ''}|{instance.lock_version}"
    return f"t{hashlib.sha256(held.encode()).hexdigest()[:16]}"


@contextmanager
def expect(revision: str | None) -> Iterator[None]:
    """Within the block, the case step refuses to change an object whose revision is not ``revision``."""
    token = begin(revision)
    try:
        yield
    finally:
        end(token)


def begin(revision: str | None) -> Token:
    """``expect`` for a request whose start and end are two hooks (hand the token to ``end``)."""
    return _expected.set(revision)


def end(token: Token) -> None:
    _expected.reset(token)


def of_draft(draft: Draft) -> str:
    said = f"{draft.updated_at.isoformat()}|{json.dumps(draft.data, sort_keys=True, default=str)}"
    return f"d{hashlib.sha256(said.encode()).hexdigest()[:16]}"


def of_schedule(schedule: Schedule) -> str:
    said = f"{schedule.rule}|{schedule.enabled}|{schedule.next_index}|{schedule.runs}|{sorted(schedule.data.items())}"
    return f"s{hashlib.sha256(said.encode()).hexdigest()[:16]}"


def require(current: str | None, what: str) -> None:
    """Refuse (412) unless the request's expected revision, if it gave one, is ``current`` (None: the
    object does not exist). Once per request: the first object changed is the one it was read for."""
    wanted = _expected.get()
    if wanted is None:
        return
    _expected.set(None)
    if wanted != current:
        raise PreconditionFailed(f"{what} changed since revision {wanted} (now {current or 'gone'}); read it again")


def check(instance: Instance, task: Task | None) -> None:
    """Called by the step with the case locked (and its task, for a task's step)."""
    if task is not None:
        require(of_task(task, instance), "task")
    else:
        require(of_case(instance), "case")
