"""Deadline conformance: every deadline of the procedures measured per case.

A deadline is a timer sitting on a user task (``timer_kind`` escalation or deadline; reminders
are not deadlines, nor is the window of a customer's own step, lane ``customer``: it measures the
customer, and its fallback moves the work to staff). Its outcome:

- **met**: the task was finished before the timer fell due (margin = due − finished);
- **breached**: the timer fell due first (by = finished − due, or now − due while still open);
- **open**: not due yet; **at risk** when less than a quarter of its window, or four hours, is left.

Findings are grouped by the procedure clause the timer implements, by the person who did the
task (for technicians also their branch), and by the month the deadline fell due.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from datetime import timedelta
from statistics import median
from typing import Any

from ...domain.cases import TaskState
from ...domain.cases import TimerState
from ...domain.principal import Principal
from ...domain.roles import Role
from ...persistence.orm import Task
from ...persistence.orm import Timer
from ..context import ServiceContext
from .reports import REPORT_ROLES
from .reports import require_role

DEADLINE_KINDS = frozenset({"escalation", "deadline"})
AT_RISK_LEFT = timedelta(hours=4)


def _outcome(timer: Timer, task: Task | None, now: datetime) -> tuple[str, float]:
    """(outcome, seconds): margin when met, breach when breached, time left when open."""
    finished = task.completed_at if task is not None and task.status == TaskState.COMPLETED else None
    if timer.status == TimerState.FIRED or (finished is not None and finished > timer.due_at):
        end = finished or now
        return "breached", (end - timer.due_at).total_seconds()
    if finished is not None or timer.status == TimerState.CANCELLED:
        return "met", (timer.due_at - (finished or timer.due_at)).total_seconds()
    left = timer.due_at - now
    window = timer.due_at - timer.created_at
    at_risk = left < max(window / 4, AT_RISK_LEFT) if left > timedelta(0) else True
    return ("at_risk" if at_risk else "open"), left.total_seconds()


def deadline_report(
    ctx: ServiceContext, start: datetime, end: datetime, actor: Principal, process_key: str | None = None
) -> dict[str, Any]:
    require_role(actor, REPORT_ROLES, "deadline reports")
    now = ctx.clock.now()
    tz = ctx.calendar.tz
    with ctx.uow() as uow:
        timers = [t for t in uow.timers.deadlines_due_between(start, end, process_key) if t.kind in DEADLINE_KINDS]
        tasks = uow.tasks.of_instances({t.instance_id for t in timers})
        instances = {i.id: i for i in uow.instances.list(ids={t.instance_id for t in timers}, limit=100_000)}
        branches = {t.username: t.branch for t in uow.master.technicians()}
        processes = {i.id: ctx.versions.get(uow, i.version_id) for i in instances.values()}
    # The task a timer sat on: same case, same element, made ready in the same step as the timer.
    by_key = {(t.instance_id, t.element_id, t.created_at): t for t in tasks}
    rows = []
    for timer in timers:
        host = processes[timer.instance_id].element(timer.attached_to or "")
        if host is not None and host.role == Role.CUSTOMER:
            continue  # the customer's window, not a staff deadline
        task = by_key.get((timer.instance_id, timer.attached_to, timer.created_at))
        outcome, seconds = _outcome(timer, task, now)
        person = (task.completed_by or task.assignee) if task else None
        case = instances[timer.instance_id]
        element = processes[case.id].element(timer.element_id)
        rows.append(
            {
                "case_id": case.id,
                "case_no": case.case_no,
                "process_key": case.process_key,
                "deadline": timer.element_id,
                "name": timer.name,
                "clause": (element.clause if element else None) or "—",
                "task": timer.attached_to,
                "due_at": timer.due_at,
                "outcome": outcome,
                "seconds": seconds,
                "person": person,
                "branch": branches.get(person or "", ""),
                "month": timer.due_at.astimezone(tz).strftime("%Y-%m"),
                "estimated": timer.estimated,
            }
        )
    by_clause = _group(rows, "clause")
    for group in by_clause:  # the clause's name: the names of the deadlines implementing it
        group["names"] = sorted({r["name"] for r in rows if r["clause"] == group["clause"]})
    return {
        "rows": rows,
        "by_clause": by_clause,
        "by_person": _group(rows, "person"),
        "by_branch": _group([r for r in rows if r["branch"]], "branch"),
        "by_month": _group(rows, "month"),
    }


def _group(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row[key] or "—"].append(row)
    result = []
    for name, members in sorted(groups.items(), key=lambda item: str(item[0])):
        breaches = [r["seconds"] for r in members if r["outcome"] == "breached"]
        counts = {o: sum(1 for r in members if r["outcome"] == o) for o in ("met", "breached", "open", "at_risk")}
        decided = counts["met"] + counts["breached"]
        result.append(
            {
                key: name,
                **counts,
                "met_rate": round(counts["met"] / decided, 4) if decided else None,
                "median_breach_hours": round(median(breaches) / 3600, 2) if breaches else None,
            }
        )
    return result
