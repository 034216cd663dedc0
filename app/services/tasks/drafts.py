"""Drafts of task forms, kept on the server per user and task so a half-filled form survives.

A draft is private to its author and is only kept for a ready task the author may work (theirs,
or unclaimed in their role); it is
never validated (that happens when the task is completed) but must be a JSON object of bounded size.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ...domain.cases import TaskState
from ...domain.customer_steps import is_customer
from ...domain.customer_steps import may_act_on_behalf
from ...domain.principal import Principal
from ...domain.roles import Role
from ...errors import Conflict
from ...errors import Forbidden
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.drafts import Draft
from ...persistence.unit_of_work import UnitOfWork
from .. import revisions
from ..cases.step import case_step
from ..context import ServiceContext
from .start_deadlines import meet_start_deadlines

# A drawn signature is ~20 kB; a scanned one can be a few hundred kB.
MAX_DRAFT_BYTES = 4 * 1024 * 1024


def _check_task(uow: UnitOfWork, task_id: str, actor: Principal) -> None:
    task = uow.tasks.get(task_id)
    if task is None:
        raise NotFound(f"no task with id {task_id}")
    for_customer = task.role == Role.CUSTOMER and not is_customer(actor) and may_act_on_behalf(actor)
    if not (for_customer or actor.may_work(task.role) or (task.assignee == actor.username and not actor.read_only)):
        raise Forbidden(f"task {task_id} is for role {task.role!r}; {actor.username} may not keep a draft of it")
    if task.assignee not in (None, actor.username) and not actor.is_admin:
        raise Forbidden(f"task {task_id} is held by {task.assignee}; only they keep a draft of it")
    if task.status != TaskState.READY:
        raise Conflict(f"task {task_id} is {task.status}; its form can no longer be drafted")


def get_draft(ctx: ServiceContext, task_id: str, actor: Principal) -> Draft:
    with ctx.uow() as uow:
        draft = uow.drafts.get(actor.username, task_id)
        if draft is None:
            raise NotFound(f"no draft of task {task_id} for {actor.username}")
        return draft


def find_draft(ctx: ServiceContext, task_id: str, actor: Principal) -> dict[str, Any] | None:
    """The user's draft of the task's form, or None."""
    with ctx.uow() as uow:
        draft = uow.drafts.get(actor.username, task_id)
        return dict(draft.data) if draft is not None else None


def save_draft(ctx: ServiceContext, task_id: str, data: Any, actor: Principal) -> Draft:
    if not isinstance(data, dict):
        raise InvalidInput("a draft must be a JSON object", errors={"_schema": ["expected an object"]})
    if len(json.dumps(data)) > MAX_DRAFT_BYTES:
        raise InvalidInput("the draft is too large", errors={"_schema": [f"at most {MAX_DRAFT_BYTES} bytes"]})
    now: datetime = ctx.clock.now()
    with ctx.uow() as uow:
        _check_task(uow, task_id, actor)
        kept = uow.drafts.get(actor.username, task_id)
        revisions.require(revisions.of_draft(kept) if kept is not None else None, "draft")
        first = kept is None
        draft = uow.drafts.put(actor.username, task_id, data, now)
        uow.commit()
    if first:  # the first save starts the work: it meets a deadline on the task's start (D-12)
        try:
            with case_step(ctx, actor, task_id=task_id) as step:
                meet_start_deadlines(step)
        except Conflict:  # the case is not running (suspended, in error): the draft is kept all the same
            pass
    return draft


def delete_draft(ctx: ServiceContext, task_id: str, actor: Principal) -> None:
    """Forget the user's draft of a task (after sending the form, or on request); idempotent."""
    with ctx.uow() as uow:
        uow.drafts.remove(actor.username, task_id)
        uow.commit()


def drafted_task_ids(ctx: ServiceContext, actor: Principal) -> set[str]:
    with ctx.uow() as uow:
        return uow.drafts.task_ids(actor.username)
