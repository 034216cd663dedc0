"""The inbox and the work on a task: list, show with its form, claim, hand over, complete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...domain.cases import TaskState
from ...domain.customer_steps import ON_BEHALF_PROPERTY
from ...domain.customer_steps import OnBehalf
from ...domain.customer_steps import is_customer
from ...domain.departments import head_role_pair
from ...domain.events import EventType
from ...domain.principal import Principal
from ...domain.roles import Role
from ...domain.task_queries import TaskQuery
from ...domain.visibility import ReadScope
from ...engine import TaskNotReady
from ...engine import UnknownTask
from ...errors import Conflict
from ...errors import Forbidden
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.orm import Instance
from ...persistence.orm import Task
from ...persistence.unit_of_work import UnitOfWork
from .. import revisions
from ..cases.attachments import store_files
from ..cases.opening import may_view
from ..cases.opening import read_scope
from ..cases.step import CaseStep
from ..cases.step import case_step
from ..context import ServiceContext
from ..master_data.case_files import file_case
from ..master_data.case_files import with_record_facts
from ..processes.version_cache import DeployedProcess
from . import forms
from .affected import with_affected_units
from .field_choices import option_sources
from .handover import check_chosen_technicians
from .handover import require_assignable
from .numbering import with_document_numbers
from .quoting import with_quote
from .start_deadlines import meet_start_deadlines


@dataclass(frozen=True)
class TaskPage:
    rows: list[tuple[Task, dict[str, Any] | None]]  # each task with its form schema (None: not asked for)
    total: int  # how many there are without the limit


@dataclass(frozen=True)
class TaskView:
    task: Task
    form: dict[str, Any] | None
    instructions: str | None
    case_no: str | None
    data: dict[str, Any]
    revision: str = ""  # revisions.of_task: what a client sends back as If-Match


def list_tasks(
    ctx: ServiceContext,
    actor: Principal,
    *,
    status: str | None = TaskState.READY,
    instance_id: int | None = None,
    process_key: str | None = None,
    mine: bool = False,
    limit: int = 100,
    with_forms: bool = True,
) -> list[tuple[Task, dict[str, Any] | None]]:
    """``task_page``'s rows for the common questions (a case's tasks, a process's, the user's own)."""
    query = TaskQuery(status=status, instance_id=instance_id, process_key=process_key, mine=mine)
    return task_page(ctx, actor, query, limit=limit, with_forms=with_forms).rows


def task_page(
    ctx: ServiceContext,
    actor: Principal,
    query: TaskQuery | None = None,
    *,
    limit: int = 100,
    offset: int = 0,
    with_forms: bool = True,
    live_forms: bool = False,
) -> TaskPage:
    """Tasks the user may see, each with its form schema (unless ``with_forms`` is off): their own, the
    ready ones of their roles that nobody holds, every task of the roles they coordinate
    (domain/visibility.py); ``total`` counts them without the limit.

    ``live_forms``: each ready task's form as ``get_task`` gives it and ``complete_task`` validates
    against (live choices, the case's read-only values, prefills), not the form as deployed.

    Users who read every case and work no lane (admin, process owner, auditor) see every task; anyone
    who may read a case sees all of its tasks when asking for that case, and nobody else may ask.
    """
    query = query or TaskQuery()
    with ctx.uow() as uow:
        scope: ReadScope | None = read_scope(ctx, uow, actor)
        if query.instance_id is not None:
            if uow.instances.get(query.instance_id) is None:
                raise NotFound(f"no case with id {query.instance_id}")
            if not uow.instances.is_visible(query.instance_id, scope):
                raise Forbidden(f"case {query.instance_id} is not visible to {actor.username}")
            scope = None
        elif scope.everything and not actor.working_roles:
            scope = None
        rows = uow.tasks.inbox(query, scope=scope, username=actor.username, limit=limit, offset=offset)
        full_page = offset or len(rows) >= limit
        total = uow.tasks.count_inbox(query, scope=scope, username=actor.username) if full_page else len(rows)
        if not with_forms:
            return TaskPage([(t, None) for t in rows], total)
        if not live_forms:
            return TaskPage([(t, ctx.versions.get(uow, t.version_id).form(t.form)) for t in rows], total)
        sources = option_sources(uow, ctx)
        listed = []
        for t in rows:
            instance = uow.instances.get(t.instance_id)
            process = ctx.versions.get(uow, instance.version_id)
            listed.append((t, _task_form(ctx, process, instance, t, sources, listed=True)[0]))
        return TaskPage(listed, total)


def _task_form(
    ctx: ServiceContext,
    process: DeployedProcess,
    instance: Instance,
    task: Task,
    sources: dict[str, forms.OptionSource],
    *,
    listed: bool = False,
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The task's form as the case makes it now, with the case data the task sees (a ready task's own;
    in a list, one the engine no longer has shows the case's data instead of failing the list)."""
    data = dict(instance.data or {})
    if task.status == TaskState.READY:
        try:
            data = ctx.engine.task_data(process, instance.state, task.id)
        except UnknownTask:
            if not listed:
                raise
    schema = forms.effective_schema(process.form(task.form) or {}, data, sources) if task.form else None
    return schema, data


def _visible_task(ctx: ServiceContext, uow: UnitOfWork, task_id: str, actor: Principal) -> Task:
    """A task is read with its case: by those who may read the case."""
    task = uow.tasks.get(task_id)
    if task is None:
        raise NotFound(f"no task with id {task_id}")
    if is_customer(actor):  # a case link's principal reads its own case's customer steps only
        if actor.case_id == task.instance_id and task.role == Role.CUSTOMER and actor.task_id in (None, task.id):
            return task
        raise Forbidden(f"task {task_id} is not a step of {actor.username}'s case")
    instance = uow.instances.get(task.instance_id)
    if instance is not None and may_view(ctx, uow, instance, actor):
        return task
    raise Forbidden(f"task {task_id} is of a case {actor.username} may not read")


def moved_to(ctx: ServiceContext, task_id: str, actor: Principal) -> str | None:
    """The task that took ``task_id``'s place when its case moved to another version (after every
    move since), or None if it was never replaced. Only for those who may read the case."""
    with ctx.uow() as uow:
        following = uow.task_moves.follow(task_id)
        if following is not None and uow.tasks.get(task_id) is not None:
            _visible_task(ctx, uow, task_id, actor)
        return following


def get_task(ctx: ServiceContext, task_id: str, actor: Principal) -> TaskView:
    """A task with its form schema (live options filled in) and the case data it sees."""
    with ctx.uow() as uow:
        task = _visible_task(ctx, uow, task_id, actor)
        instance = uow.instances.get(task.instance_id)
        process = ctx.versions.get(uow, instance.version_id)
        schema, data = _task_form(ctx, process, instance, task, option_sources(uow, ctx))
        element = process.element(task.element_id)
        instructions = element.instructions if element else None
        return TaskView(task, schema, instructions, instance.case_no, data, revisions.of_task(task, instance))


def _record_on_task(step: CaseStep, type_: str, **data: Any) -> None:
    step.record(type_, step.task.element_id, task_id=step.task.id, data=data)


def _require_may_take(uow: UnitOfWork, ctx: ServiceContext, task: Task, actor: Principal) -> None:
    """A member of the task's role taking it is chosen like anyone handed it (an administrator
    working a task is not in its role, and is not dispatched)."""
    if task.role in actor.roles and task.role != Role.CUSTOMER:
        require_assignable(uow, ctx, actor.username, task.role, "username")


def _require_department_head(step: CaseStep, username: str, roles: set[str] | frozenset[str]) -> None:
    """A task of the ruled department's head (``head_of``) is for that department's head, not for any
    department head: once the staff list names one (a user with both roles), nobody else takes it."""
    element = step.process.element(step.task.element_id)
    field = element.properties.get("head_of") if element is not None else None
    pair = head_role_pair(element.role, (step.instance.data or {}).get(field)) if field else None
    if pair is None or pair <= roles or Role.ADMIN in roles:
        return
    if any(pair <= u.roles for u in step.uow.users.with_role(element.role)):
        raise Forbidden(f"task {step.task.id} is for the head of the department responsible; {username} is not")


def _record_on_behalf(step: CaseStep, why: OnBehalf) -> None:
    """The audit trail says a customer's step was done by staff for the customer, and why."""
    actor = step.actor
    roles = sorted(actor.roles) if actor is not None else []
    _record_on_task(step, EventType.CUSTOMER_STEP_ON_BEHALF, why=why.value, by=step.by, roles=roles)


def claim_task(ctx: ServiceContext, task_id: str, actor: Principal) -> Task:
    with case_step(ctx, actor, task_id=task_id) as step:
        task = step.task
        if task.role == Role.CUSTOMER:  # nobody holds a customer's step: it stays out of staff inboxes
            raise Conflict(f"task {task_id} is the customer's own step; it is completed, not claimed")
        if task.assignee and task.assignee != actor.username:
            raise Conflict(f"task {task_id} is already claimed by {task.assignee}")
        if task.assignee != actor.username:
            _require_may_take(step.uow, ctx, task, actor)
            _require_department_head(step, actor.username, actor.roles)
            task.assignee, task.claimed_at = actor.username, step.now
            _record_on_task(step, "task_claimed")
        meet_start_deadlines(step)  # taking the work up meets a deadline on its start (D-12)
    return task


def unclaim_task(ctx: ServiceContext, task_id: str, actor: Principal) -> Task:
    with case_step(ctx, actor, task_id=task_id) as step:
        task = step.task
        if task.assignee != actor.username and not actor.is_admin:
            raise Conflict(f"task {task_id} is claimed by {task.assignee or 'nobody'}, not by {actor.username}")
        task.assignee, task.claimed_at = None, None
        _record_on_task(step, "task_unclaimed")
    return task


def delegate_task(ctx: ServiceContext, task_id: str, to_username: str, actor: Principal) -> Task:
    """Hand a task to a colleague who has the task's role."""
    with case_step(ctx, actor, task_id=task_id) as step:
        task = step.task
        if task.role == Role.CUSTOMER:
            raise Conflict(f"task {task_id} is the customer's own step; it is not handed over")
        if task.assignee and task.assignee != actor.username and not actor.is_admin:
            raise Conflict(f"task {task_id} is claimed by {task.assignee}")
        require_assignable(step.uow, ctx, to_username, task.role, "username")
        colleague = step.uow.users.get(to_username)
        _require_department_head(step, to_username, colleague.roles if colleague is not None else set())
        previous = task.assignee
        task.assignee, task.claimed_at = to_username, step.now
        _record_on_task(step, "task_delegated", **{"from": previous, "to": to_username})
    return task


def complete_task(ctx: ServiceContext, task_id: str, data: Any, actor: Principal, *, on_behalf: bool = False) -> Task:
    """Validate the form data, run the engine on, and store everything it did — or nothing.
    ``on_behalf``: staff doing a customer's step say so, and the audit trail records it
    (domain/customer_steps.py); a staff task the customer's window fell back to is recorded so too."""
    with case_step(ctx, actor, task_id=task_id, on_behalf=on_behalf) as step:
        uow, task, instance, now = step.uow, step.task, step.instance, step.now
        if task.assignee and task.assignee != actor.username and not actor.is_admin:
            raise Forbidden(f"task {task_id} is assigned to {task.assignee}")
        if not task.assignee:
            _require_may_take(uow, ctx, task, actor)  # completing a task nobody claimed takes it
            _require_department_head(step, actor.username, actor.roles)
        schema = step.process.form(task.form)

        def prepare(case_data: dict[str, Any]) -> dict[str, Any]:
            if schema is None:
                if not isinstance(data, dict):
                    raise InvalidInput("the data must be a JSON object", errors={"_schema": ["expected an object"]})
                return data
            sent = forms.without_unheld_read_only(schema, data, case_data)
            check_chosen_technicians(uow, ctx, schema, sent)
            year = now.astimezone(ctx.calendar.tz).year
            numbered = with_document_numbers(uow, schema, sent, case_data, year)
            quoted, quote_facts = with_quote(uow, schema, numbered, case_data)
            quoted, units = with_affected_units(uow, schema, quoted)
            quote_facts = {**quote_facts, **units}
            seen = {**case_data, **quote_facts}  # computed again: the new value, not the case's old one
            valid = forms.validate(forms.effective_schema(schema, seen, option_sources(uow, ctx)), quoted)
            valid = {**with_record_facts(uow, valid, schema.get("properties")), **quote_facts}
            return store_files(uow, instance, task.id, schema, valid, actor=actor.username, now=now)

        try:
            snapshot, clean = ctx.engine.complete_task(step.process, instance.state, task.id, prepare)
        except UnknownTask:
            raise Conflict(f"task {task_id} no longer exists in case {instance.id}") from None
        except TaskNotReady as exc:
            raise Conflict(str(exc)) from None
        task.status, task.completed_at, task.completed_by = TaskState.COMPLETED, now, actor.username
        task.assignee = task.assignee or actor.username
        completed = step.record("task_completed", task.element_id, task_id=task.id, data=dict(clean))
        element = step.process.element(task.element_id)
        if task.role == Role.CUSTOMER and not is_customer(actor):
            _record_on_behalf(step, OnBehalf.AT_HAND)
        elif element is not None and element.properties.get(ON_BEHALF_PROPERTY) == Role.CUSTOMER:
            _record_on_behalf(step, OnBehalf.FALLBACK)
        if clean.get("serial_no"):
            file_case(uow, instance, clean, actor, now)
        step.advance(snapshot, completed_task_id=task.id, recorded=[completed])
    return task
