"""Revisions a client can hold on to (HTTP ``ETag`` / ``If-Match``): a case's is its row version, which
every step of the case moves; a task's adds who holds it and its state, which a claim or a hand-over
changes without moving the case.

A request that says which revision it was made on (``expect``) has it checked by the case's step once
the case is locked, so the check and the change are one: a stale revision changes nothing (412).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from contextvars import Token

from ...errors import PreconditionFailed
from ...persistence.orm import Instance
from ...persistence.orm import Task

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


def check(instance: Instance, task: Task | None) -> None:
    """Called by the step with the case locked (and its task, for a task's step); once per request."""
    wanted = _expected.get()
    if wanted is None:
        return
    _expected.set(None)  # the first step of the request is the one the revision was read for
    current = of_task(task, instance) if task is not None else of_case(instance)
    if wanted != current:
        raise PreconditionFailed(
            f"{'task' if task is not None else 'case'} changed since revision {wanted} (now {current}); read it again"
        )
