"""Live counts of one deployed version: where its open cases wait right now, per diagram element.

Per element: how many cases have a ready user task there (and how many tasks), and how many timers
wait on it (a boundary or intermediate timer event), with the earliest due time. Open cases are the
running, suspended and failed ones; a case counts on the version it is on now. The live viewer
(/processes/<key>/versions/<n>/live) draws these as badges on the version's diagram.

``cases_waiting_at`` lists the cases behind one element's badge (the viewer opens it from the badge).

Read-only, for those who watch the running work: process owners, administrators, the auditor,
supervisors and service managers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ...domain.cases import CaseStatus
from ...domain.principal import Principal
from ...domain.roles import Role
from ...errors import Forbidden
from ..context import ServiceContext

MAX_LISTED = 100  # the cases listed behind one badge

LIVE_ROLES = frozenset({Role.PROCESS_OWNER, Role.ADMIN, Role.AUDITOR, Role.SUPERVISOR, Role.SERVICE_MANAGER})
OPEN_STATUSES = (CaseStatus.RUNNING, CaseStatus.SUSPENDED, CaseStatus.ERROR)


@dataclass(frozen=True)
class ElementCount:
    """One element where something waits; ``tasks`` and ``timers`` are 0 where none does."""

    element_id: str
    name: str
    type: str
    cases: int  # distinct open cases with a ready task or a waiting timer here
    tasks: int  # ready user tasks here
    timers: int  # waiting timers on this (timer event) element
    next_due_at: datetime | None  # the earliest due time of those tasks or timers, in the service's time zone


@dataclass(frozen=True)
class LiveCounts:
    process_key: str
    version: int
    name: str
    at: datetime  # when counted (the service's clock)
    open_cases: int
    elements: list[ElementCount]  # only elements where something waits, in the diagram's order


def may_see_live(actor: Principal | None) -> bool:
    """Does this user see the live counts (and the links to them)?"""
    return actor is not None and bool(actor.roles & LIVE_ROLES)


def _require_live(actor: Principal) -> None:
    if not may_see_live(actor):
        raise Forbidden(
            "live counts are for process owners, administrators, auditors, supervisors and service managers"
        )


def process_name(ctx: ServiceContext, key: str, version: int, actor: Principal) -> str:
    """The version's process name ("中文 / English"), for the viewer's heading."""
    _require_live(actor)
    with ctx.uow() as uow:
        return ctx.versions.find(uow, key, version).name


def version_diagram(ctx: ServiceContext, key: str, version: int, actor: Principal) -> bytes:
    """The BPMN XML of the version the counts are drawn on."""
    _require_live(actor)
    with ctx.uow() as uow:
        return ctx.versions.find(uow, key, version).bpmn_xml


def live_counts(ctx: ServiceContext, key: str, version: int, actor: Principal) -> LiveCounts:
    """Ready tasks and waiting timers of the version's open cases, per element."""
    _require_live(actor)
    with ctx.uow() as uow:
        process = ctx.versions.find(uow, key, version)
        repository = uow.live_counts
        open_cases = repository.open_cases(process.id, OPEN_STATUSES)
        tasks = {w.element_id: w for w in repository.ready_tasks(process.id, OPEN_STATUSES)}
        timers = {w.element_id: w for w in repository.waiting_timers(process.id, OPEN_STATUSES)}
    tz = ctx.calendar.tz
    elements = []
    order = {element_id: (info.line, element_id) for element_id, info in process.elements.items()}
    for element_id in sorted(tasks.keys() | timers.keys(), key=lambda e: order.get(e, (1 << 30, e))):
        task, timer = tasks.get(element_id), timers.get(element_id)
        dues = [w.next_due_at for w in (task, timer) if w is not None and w.next_due_at is not None]
        info = process.element(element_id)
        elements.append(
            ElementCount(
                element_id=element_id,
                name=info.name if info else element_id,
                type=info.type if info else "",
                cases=max(task.cases if task else 0, timer.cases if timer else 0),
                tasks=task.rows if task else 0,
                timers=timer.rows if timer else 0,
                next_due_at=min(dues).astimezone(tz) if dues else None,
            )
        )
    return LiveCounts(key, process.version, process.name, ctx.clock.now().astimezone(tz), open_cases, elements)


@dataclass(frozen=True)
class CaseWaiting:
    instance_id: int
    case_no: str | None
    since: datetime  # in the service's time zone
    due_at: datetime | None


@dataclass(frozen=True)
class WaitingHere:
    element_id: str
    name: str
    cases: list[CaseWaiting]  # the longest waiting first, at most MAX_LISTED
    more: bool  # more cases wait here than are listed


def cases_waiting_at(ctx: ServiceContext, key: str, version: int, element_id: str, actor: Principal) -> WaitingHere:
    """The open cases of the version waiting at ``element_id`` (a ready task or a waiting timer there)."""
    _require_live(actor)
    with ctx.uow() as uow:
        process = ctx.versions.find(uow, key, version)
        rows = uow.live_counts.waiting_cases(process.id, OPEN_STATUSES, element_id, MAX_LISTED + 1)
    tz = ctx.calendar.tz
    info = process.element(element_id)
    cases = [
        CaseWaiting(r.instance_id, r.case_no, r.since.astimezone(tz), r.due_at.astimezone(tz) if r.due_at else None)
        for r in rows[:MAX_LISTED]
    ]
    return WaitingHere(element_id, info.name if info else element_id, cases, len(rows) > MAX_LISTED)
