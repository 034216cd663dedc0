"""What the staff's browser workspace shows: the inbox with tabs and filters, the case page
(diagram, element states, labelled case data) and the processes a user may open a case of.

Composes the task and case use cases; it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from ...domain.cases import CaseStatus
from ...domain.cases import TaskState
from ...domain.cases import TimerState
from ...domain.cases import overdue_by
from ...domain.customer_steps import is_customer
from ...domain.customer_steps import may_act_on_behalf
from ...domain.principal import Principal
from ...domain.roles import Role
from ...persistence.orm import Event
from ...persistence.orm import Instance
from ...persistence.orm import Task
from ...persistence.orm import Timer
from ...persistence.unit_of_work import UnitOfWork
from ..cases import opening as cases
from ..context import ServiceContext
from ..master_data.engineers import engineer_of
from ..processes.version_cache import DeployedProcess
from . import work as tasks

# A task due within this long is flagged as due soon.
DUE_SOON = timedelta(hours=4)
INBOX_LIMIT = 1000
TABS = ("mine", "group")
SORT_KEYS = ("due", "created", "name", "process", "customer", "case")


@dataclass(frozen=True)
class InboxFilter:
    """The inbox as the user asked for it: a tab, filters and an order."""

    tab: str = ""  # mine, group, or "" for mine unless it is empty
    process_key: str = ""
    customer: str = ""
    due_by: date | None = None  # due on or before this day (local time)
    overdue: bool = False
    sort: str = "due"
    descending: bool = False


@dataclass(frozen=True)
class InboxRow:
    task: Task
    case_no: str | None
    customer: str
    address: str  # where the work is, for the map link on a technician's card
    mine: bool
    overdue: bool
    due_soon: bool
    has_draft: bool


@dataclass(frozen=True)
class Colleague:
    username: str
    display_name: str


@dataclass(frozen=True)
class Inbox:
    tab: str  # the tab shown
    rows: list[InboxRow]  # the chosen tab, filtered and sorted
    counts: dict[str, int]  # rows per tab with the same filters
    process_keys: list[str]  # processes present, for the filter
    process_names: dict[str, str]  # process key -> its newest version's name ("中文 / English")
    colleagues: dict[str, list[Colleague]]  # role -> who else has it (for handing a task over)


def case_diagram(ctx: ServiceContext, instance_id: int, actor: Principal) -> bytes:
    """The BPMN XML of the version the case runs on (only for users who may see the case)."""
    with ctx.uow() as uow:
        instance = cases.load_visible(ctx, uow, instance_id, actor)
        return ctx.versions.get(uow, instance.version_id).bpmn_xml


def inbox(ctx: ServiceContext, actor: Principal, query: InboxFilter) -> Inbox:
    """Ready tasks the user may see, split into theirs and their group's, filtered and sorted."""
    now = ctx.clock.now()
    tz = ctx.calendar.tz
    ready = [t for t, _ in tasks.list_tasks(ctx, actor, limit=INBOX_LIMIT, with_forms=False)]
    with ctx.uow() as uow:
        ids = {t.instance_id for t in ready}
        instances = {i.id: i for i in uow.instances.list(ids=ids, limit=max(len(ids), 1))} if ids else {}
        drafted = uow.drafts.task_ids(actor.username)
        names = {v.process_key: v.name or v.process_key for v in uow.versions.latest_all()}
        colleagues = {
            role: [Colleague(u.username, u.display_name or u.username) for u in uow.users.with_role(role)]
            for role in sorted({t.role for t in ready if t.role})
        }
    rows = [_row(t, instances.get(t.instance_id), actor, now, drafted) for t in ready]
    due_limit = datetime.combine(query.due_by + timedelta(days=1), time(), tz) if query.due_by else None

    def keep(row: InboxRow) -> bool:
        if query.process_key and row.task.process_key != query.process_key:
            return False
        if query.customer and query.customer.casefold() not in row.customer.casefold():
            return False
        if query.overdue and not row.overdue:
            return False
        return due_limit is None or (row.task.due_at is not None and row.task.due_at < due_limit)

    kept = [r for r in rows if keep(r)]
    counts = {"mine": sum(r.mine for r in kept), "group": sum(not r.mine for r in kept)}
    tab = query.tab if query.tab in TABS else ("mine" if counts["mine"] or not counts["group"] else "group")
    return Inbox(
        tab=tab,
        rows=sort_rows([r for r in kept if r.mine == (tab == "mine")], query.sort, query.descending),
        counts=counts,
        process_keys=sorted({t.process_key for t in ready}),
        process_names=names,
        colleagues=colleagues,
    )


def _row(task: Task, instance: Instance | None, actor: Principal, now: datetime, drafted: set[str]) -> InboxRow:
    data = (instance.data if instance is not None else None) or {}
    intake = data.get("intake") if isinstance(data.get("intake"), dict) else {}
    customer = data.get("customer_name") or intake.get("customer_name") or ""
    address = data.get("address") or intake.get("address") or ""
    due = task.due_at
    return InboxRow(
        task=task,
        case_no=instance.case_no if instance is not None else None,
        customer=str(customer),
        address=str(address),
        mine=task.assignee == actor.username,
        overdue=overdue_by(due, now) is not None,
        due_soon=due is not None and now <= due < now + DUE_SOON,
        has_draft=task.id in drafted,
    )


def sort_rows(rows: list[InboxRow], key: str, descending: bool = False) -> list[InboxRow]:
    """Sort by one column; tasks without a due date go last whatever the direction."""
    far = datetime.max.replace(tzinfo=None)

    def due(r: InboxRow) -> Any:
        return r.task.due_at.replace(tzinfo=None) if r.task.due_at else far

    keys = {
        "due": due,
        "created": lambda r: r.task.created_at,
        "name": lambda r: r.task.name,
        "process": lambda r: (r.task.process_key, due(r)),
        "customer": lambda r: (r.customer, due(r)),
        "case": lambda r: (r.case_no or "", due(r)),
    }
    ordered = sorted(rows, key=keys.get(key, due), reverse=descending)
    if key == "due" and descending:  # keep the undated at the end
        ordered = [r for r in ordered if r.task.due_at] + [r for r in ordered if not r.task.due_at]
    return ordered


@dataclass(frozen=True)
class StartableProcess:
    key: str
    name: str


def startable_processes(ctx: ServiceContext, actor: Principal) -> list[StartableProcess]:
    """Deployed processes whose start event's lane is one of the user's roles (any, for an admin).

    A process that another case can also open by a message (a complaint, from a dissatisfied repair
    callback) is still opened by hand by its lane's role: the complaint desk takes calls too."""
    if actor.read_only:
        return []
    with ctx.uow() as uow:
        found = []
        for row in sorted(uow.versions.latest_all(), key=lambda v: v.process_key):
            process = ctx.versions.get(uow, row.id)
            if actor.is_admin or process.start_roles & actor.roles:
                found.append(StartableProcess(row.process_key, row.name))
        return found


def next_task_for(ctx: ServiceContext, instance_id: int, actor: Principal) -> str | None:
    """The first ready task of the case the user can work now: handed to them, or open in their role,
    or the customer's own step of this case when they may do it on the customer's behalf (the
    engineer's device at the site)."""
    ready = [t for t, _ in tasks.list_tasks(ctx, actor, instance_id=instance_id)]
    for_customer = may_act_on_behalf(actor) and not is_customer(actor)

    def may_send(role: str | None) -> bool:
        return for_customer if role == Role.CUSTOMER else actor.may_work(role)

    workable = [t for t in ready if may_send(t.role) and t.assignee in (None, actor.username)]
    workable.sort(key=lambda t: (t.assignee != actor.username, t.created_at))
    return workable[0].id if workable else None


@dataclass(frozen=True)
class CasePage:
    instance: Instance
    data: dict[str, Any]  # the case data, fields in the order the forms ask for them
    open_tasks: list[Task]
    timers: list[Timer]
    events: list[Event]
    ready_elements: list[str]  # element ids of ready tasks, highlighted on the diagram
    waiting_elements: list[str]  # element ids of waiting timers
    done_elements: list[str]  # element ids that completed
    field_titles: dict[str, str] = field(default_factory=dict)  # case data field -> form title
    value_titles: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> enum value -> title
    signature_fields: set[str] = field(default_factory=set)
    people: dict[str, str] = field(default_factory=dict)  # user name in the data or events -> display name
    process_name: str = ""
    outcome: str = ""  # the name of the end event a finished case reached ("Closed by the complainant")


def case_page(ctx: ServiceContext, instance_id: int, actor: Principal) -> CasePage:
    """Where a case stands, with what the page needs to label its data and colour its diagram."""
    instance = cases.get_case(ctx, instance_id, actor)
    events = cases.case_events(ctx, instance_id, actor)
    timers = cases.case_timers(ctx, instance_id, actor)
    open_tasks = [t for t, _ in tasks.list_tasks(ctx, actor, instance_id=instance_id)]
    with ctx.uow() as uow:
        process = ctx.versions.get(uow, instance.version_id)
    titles, values, signatures = form_labels(process.forms)
    done = [e.element_id for e in events if e.element_id and e.type in ("task_completed", "element_completed")]
    actors = {e.actor for e in events if e.actor} | {t.assignee for t in open_tasks if t.assignee}
    with ctx.uow() as uow:
        people = display_names(uow, instance.data or {}, actors)
    return CasePage(
        instance=instance,
        data=_data_in_form_order(ctx, process, instance.data or {}, done),
        open_tasks=open_tasks,
        timers=timers,
        events=events,
        ready_elements=sorted({t.element_id for t in open_tasks}),
        waiting_elements=sorted({t.element_id for t in timers if t.status == TimerState.WAITING}),
        done_elements=sorted(set(done)),
        field_titles=titles,
        value_titles=values,
        signature_fields=signatures,
        people=people,
        process_name=process.name,
        outcome=_outcome(process, events) if instance.status == CaseStatus.COMPLETED else "",
    )


def _outcome(process: DeployedProcess, events: list[Event]) -> str:
    """The end event of the process itself that the case reached (not one inside a sub-process)."""
    for event in reversed(events):
        element = process.element(event.element_id) if event.element_id else None
        if element is not None and element.type == "endEvent" and not element.in_subprocess:
            return element.name or element.id
    return ""


# Case data fields (top level or in a list's rows) that hold a user name, shown by the person's name.
PEOPLE_FIELDS = frozenset({"technician", "owner", "measures_owner", "plan_item_owner", "responsible_person"})


def display_names(uow: UnitOfWork, data: dict[str, Any], usernames: set[str] = frozenset()) -> dict[str, str]:
    """Display names of the users the case data names in its people fields, and of ``usernames``."""
    rows = [data] + [r for v in data.values() if isinstance(v, list) for r in v if isinstance(r, dict)]
    rows += [v for v in data.values() if isinstance(v, dict)]  # a multi-instance item (one action)
    named = {r[n] for r in rows for n in PEOPLE_FIELDS if isinstance(r.get(n), str) and r[n]}
    wanted = (named | set(usernames)) - {""}
    found = uow.users.by_usernames(wanted) if wanted else {}
    return {u: user.display_name or u for u, user in found.items()}


def _labelled_fields(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A form's fields, then the fields of its lists' rows (a part's number, an action's owner)."""
    top = [(n, p) for n, p in (schema.get("properties") or {}).items() if isinstance(p, dict)]
    rows = [p["items"] for _, p in top if isinstance(p.get("items"), dict)]
    return top + [(n, p) for row in rows for n, p in (row.get("properties") or {}).items() if isinstance(p, dict)]


def form_labels(forms: dict[str, dict[str, Any]]) -> tuple[dict[str, str], dict[str, dict[str, str]], set[str]]:
    titles: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}
    signatures: set[str] = set()
    for schema in forms.values():
        for name, prop in _labelled_fields(schema):
            titles.setdefault(name, prop.get("title") or name)
            if prop.get("enum") and prop.get("enumNames"):
                values.setdefault(name, {str(v): t for v, t in zip(prop["enum"], prop["enumNames"], strict=False)})
            if prop.get("x-widget") == "signature":
                signatures.add(name)
    return titles, values, signatures


@dataclass(frozen=True)
class TaskPage:
    view: tasks.TaskView
    start_values: dict[str, Any]  # the form's fields already in the case data, overlaid by the user's draft
    has_draft: bool
    workable: bool  # the user may send the form now
    field_titles: dict[str, str]
    value_titles: dict[str, dict[str, str]]
    signature_fields: set[str]
    facts: dict[str, Any] = field(default_factory=dict)  # the case facts the step's form names (x-facts)
    people: dict[str, str] = field(default_factory=dict)  # user name -> display name (the assignee, facts)
    on_behalf: bool = False  # a customer's step the user (staff) sends on the customer's behalf


def step_facts(form: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any]:
    """The case facts a step shows beside its form: the fields its ``x-facts`` names that the case holds."""
    names = (form or {}).get("x-facts") or []
    return {n: data[n] for n in names if isinstance(n, str) and data.get(n) not in (None, "", [], {})}


# Facts a step may name that no form asks: the server finds them in the master data.
ENGINEER_CONTACT = "engineer_contact"  # the engineer's name and work phone, for the agent to give the customer
DERIVED_FACTS = frozenset({ENGINEER_CONTACT})


def derived_facts(uow: UnitOfWork, form: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any]:
    """The facts of ``DERIVED_FACTS`` the step's form names, found in the master data for the case."""
    if ENGINEER_CONTACT not in ((form or {}).get("x-facts") or []):
        return {}
    engineer = engineer_of(uow, data)
    return {ENGINEER_CONTACT: " · ".join(filter(None, (engineer.name, engineer.phone)))} if engineer else {}


def task_page(ctx: ServiceContext, task_id: str, actor: Principal) -> TaskPage:
    """A task with its form, what to start the form with, and whether the user may send it."""
    view = tasks.get_task(ctx, task_id, actor)
    task = view.task
    # a customer's own step: staff who deal with customers send it on the customer's behalf, said so
    on_behalf = task.role == Role.CUSTOMER and not is_customer(actor) and may_act_on_behalf(actor)
    may_send = on_behalf or (actor.may_work(task.role) and task.role != Role.CUSTOMER)
    workable = task.status == TaskState.READY and may_send and task.assignee in (None, actor.username)
    with ctx.uow() as uow:
        facts = step_facts(view.form, {**view.data, **derived_facts(uow, view.form, view.data)})
        process = ctx.versions.get(uow, uow.instances.get(task.instance_id).version_id)
        draft = uow.drafts.get(actor.username, task_id) if workable else None
        people = display_names(uow, facts, {task.assignee or ""})
    fields = (view.form or {}).get("properties") or {}
    start = {name: prop["default"] for name, prop in fields.items() if isinstance(prop, dict) and "default" in prop}
    start.update({name: view.data[name] for name in fields if name in view.data})  # prefilled, then the case's
    if draft is not None:
        start.update(draft.data or {})
    titles, values, signatures = form_labels(process.forms)
    return TaskPage(
        view, start, draft is not None, workable, titles, values, signatures, facts, people, on_behalf and workable
    )


def _data_in_form_order(
    ctx: ServiceContext, process: DeployedProcess, data: dict[str, Any], done: list[str]
) -> dict[str, Any]:
    """Case data with the fields of each completed task's form in the form's order, in the order
    the tasks were done; fields no task's form asks for (case number, received at, the start data)
    come first."""
    order: list[str] = []
    for element_id in done:
        element = process.element(element_id)
        path = element.form if element is not None and element.type != "startEvent" else None
        if path:
            form = process.form(path) or {}
            order += [k for k in form.get("properties") or {} if k not in order]
    first = [k for k in data if k not in order]
    return {k: data[k] for k in first + [k for k in order if k in data]}
