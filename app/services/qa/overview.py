"""The QA overview: where a process's cases spend their time and break their deadlines, and the KPIs over quarters.

- ``element_heatmap``: per element of one version of a process (the latest unless chosen), how many
  cases opened in the period passed through it (``task_completed`` / ``element_completed`` events),
  the median hours its user tasks waited from ready to completed (``task_ready`` → ``task_completed``
  of the same task id), and how many deadlines sitting on it were breached (deadline report rows due
  in the period with outcome ``breached``). Element ids carry over between versions, so the latest
  diagram shows the cases of every version; a chosen version shows only its own cases.
- ``kpi_trend``: the quarterly KPI figures (kpi.period_kpis) for several quarters, with targets.
- ``conformance_overview``: the conformance report of the system's own cases (conformance.py) as the
  page shows it: fitness per case (least fitting first) and per version, deviations per element with
  the cases behind each (``conformance_section``: the page loads it after itself).
- ``overview``: what the QA page shows around them: deadline outcomes by clause (with the clause's
  name), person (by display name) and month, the KPI trend's figures, quality feedback.

Read-only, for the report roles only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections import defaultdict
from datetime import date
from datetime import datetime
from datetime import time
from statistics import median
from typing import Any

from ...domain.kpi import KPIS
from ...domain.kpi import quarter_bounds
from ...domain.kpi import quarter_of
from ...domain.principal import Principal
from ...errors import InvalidInput
from ...persistence.orm import Event
from ..context import ServiceContext
from . import conformance
from . import deadline_conformance as deadlines
from . import kpi
from . import quality_feedback
from .reports import REPORT_ROLES
from .reports import require_role

QA_PROCESSES = ("repair", "complaint")
PASSED_EVENTS = ("task_completed", "element_completed")
MAX_QUARTERS = 12
TREND_QUARTERS = 4
_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
SHOWN_CASES = 50  # the page's table of cases; the downloads have them all


def may_see_reports(actor: Principal | None) -> bool:
    """Does this user see the QA page (and its link)?"""
    return actor is not None and bool(actor.roles & REPORT_ROLES)


def diagram_xml(ctx: ServiceContext, process_key: str, version: int | None, actor: Principal) -> bytes:
    """The BPMN XML of the process version the heatmap is drawn on."""
    require_role(actor, REPORT_ROLES, "QA diagrams")
    with ctx.uow() as uow:
        return ctx.versions.find(uow, process_key, version).bpmn_xml


def _task_hours(events: list[Event]) -> dict[str, list[float]]:
    """Hours from ready to completed of each user-task completion, by element (a task may be ready again)."""
    ready_at: dict[str, datetime] = {}
    hours: dict[str, list[float]] = defaultdict(list)
    for event in events:
        if not event.task_id:
            continue
        if event.type == "task_ready":
            ready_at[event.task_id] = event.at
        elif event.type == "task_completed" and event.task_id in ready_at:
            hours[event.element_id].append((event.at - ready_at.pop(event.task_id)).total_seconds() / 3600)
    return hours


def element_heatmap(
    ctx: ServiceContext,
    process_key: str,
    start: datetime,
    end: datetime,
    actor: Principal,
    version: int | None = None,
) -> dict[str, Any]:
    """Cases, median user-task hours and breached deadlines per element of one version of a process."""
    require_role(actor, REPORT_ROLES, "QA heatmaps")
    breached = [
        r for r in deadlines.deadline_report(ctx, start, end, actor, process_key)["rows"] if r["outcome"] == "breached"
    ]
    with ctx.uow() as uow:
        process = ctx.versions.find(uow, process_key, version)
        cases = [
            c
            for c in uow.instances.created_between(process_key, start, end)
            if version is None or c.version_id == process.id
        ]
        events = uow.events.of_instances([c.id for c in cases], ("task_ready", *PASSED_EVENTS))
        if version is not None and breached:
            ids = {r["case_id"] for r in breached}
            on_version = {i.id for i in uow.instances.list(ids=ids, limit=len(ids)) if i.version_id == process.id}
            breached = [r for r in breached if r["case_id"] in on_version]
    passed: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.type in PASSED_EVENTS and event.element_id:
            passed[event.element_id].add(event.instance_id)
    hours = _task_hours(events)
    breaches = Counter(r["task"] for r in breached)
    elements = [
        {
            "element_id": element.id,
            "name": element.name,
            "type": element.type,
            "cases": len(passed.get(element.id, ())),
            "completed_tasks": len(hours.get(element.id, ())),
            "median_hours": round(median(hours[element.id]), 2) if hours.get(element.id) else None,
            "breaches": breaches.get(element.id, 0),
        }
        for element in sorted(process.elements.values(), key=lambda e: e.line)
    ]
    return {
        "process_key": process_key,
        "version": process.version,
        "start": start,
        "end": end,
        "cases": len(cases),
        "breaches": sum(e["breaches"] for e in elements),
        "elements": elements,
    }


def recent_quarters(day: date, count: int = TREND_QUARTERS) -> list[str]:
    """The ``count`` quarters ending with the one ``day`` is in, oldest first."""
    year, quarter = day.year, (day.month - 1) // 3 + 1
    labels = []
    for _ in range(count):
        labels.append(f"{year}-Q{quarter}")
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return labels[::-1]


def kpi_trend(ctx: ServiceContext, quarters: list[str], actor: Principal) -> dict[str, Any]:
    """Each KPI's value per quarter with its target (a line each), and the weighted score per quarter."""
    require_role(actor, REPORT_ROLES, "KPI reports")
    bad = [q for q in quarters if not _QUARTER.match(q)]
    if bad or not quarters or len(quarters) > MAX_QUARTERS:
        raise InvalidInput(
            f"quarters must be 1 to {MAX_QUARTERS} labels like 2026-Q1, not {','.join(quarters)!r}",
            errors={"quarters": ["YYYY-Qn,YYYY-Qn,..."]},
        )
    figures = [kpi.period_kpis(ctx, q, actor) for q in quarters]
    return {
        "quarters": list(quarters),
        "kpis": [
            {
                "key": k.key,
                "name": k.name,
                "target": k.target,
                "weight": k.weight,
                "values": [f["figures"][k.key]["value"] for f in figures],
                "cases": [f["figures"][k.key]["cases"] for f in figures],
            }
            for k in KPIS
        ],
        "weighted_scores": [f["weighted_score"] for f in figures],
    }


def _today(ctx: ServiceContext) -> date:
    return ctx.clock.now().astimezone(ctx.calendar.tz).date()


def default_quarters(ctx: ServiceContext) -> list[str]:
    """The trend's default: the last four quarters, the current one included."""
    return recent_quarters(_today(ctx))


def current_quarter(ctx: ServiceContext) -> tuple[date, date]:
    """The first and the last day of the quarter the service's clock is in (the page's default period)."""
    first, after = quarter_bounds(quarter_of(_today(ctx)))
    return first, date.fromordinal(after.toordinal() - 1)


def period_bounds(ctx: ServiceContext, first: date, after: date) -> tuple[datetime, datetime]:
    """[first, after) as times in the service's time zone."""
    tz = ctx.calendar.tz
    return datetime.combine(first, time(0), tz), datetime.combine(after, time(0), tz)


def conformance_overview(
    ctx: ServiceContext, process_key: str, start: datetime, end: datetime, actor: Principal
) -> dict[str, Any]:
    """The conformance of the cases opened in [start, end): a summary, fitness per version, deviations
    per element (named from the latest diagram, with the cases behind each) and the least fitting cases."""
    report = conformance.conformance_report(ctx, process_key, start, end, actor)
    cases = report["per_case"]
    with ctx.uow() as uow:
        latest = ctx.versions.find(uow, process_key, None)
    by_version: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for case in cases:
        by_version[case["version"]].append(case)
    versions = [
        {
            "version": version,
            "cases": len(members),
            "conforming": sum(1 for c in members if c["fitness"] == 1.0),
            "average_fitness": round(sum(c["fitness"] for c in members) / len(members), 4),
        }
        for version, members in sorted(by_version.items())
    ]
    behind: dict[tuple[str, str], dict[int, str]] = defaultdict(dict)
    for case in cases:
        for deviation in case["deviations"]:
            behind[(deviation["element_id"] or "—", deviation["kind"])][case["case_id"]] = case["case_no"]
    elements = []
    for row in report["deviations_by_element"]:
        element = latest.element(row["element_id"])
        elements.append(
            {
                **row,
                "name": element.name if element is not None else row["element_id"],
                "cases": sorted(behind[(row["element_id"], row["kind"])].items()),
            }
        )
    elements.sort(key=lambda r: (-r["count"], r["element_id"], r["kind"]))
    least_fitting = sorted(cases, key=lambda c: (c["fitness"], c["case_id"]))
    return {
        "cases": report["cases"],
        "conforming": report["conforming"],
        "conforming_with_accepted": report["conforming_with_accepted"],
        "average_fitness": report["average_fitness"],
        "versions": versions,
        "elements": elements,
        "per_case": least_fitting[:SHOWN_CASES],
    }


def display_names(ctx: ServiceContext, usernames: set[str]) -> dict[str, str]:
    """Each known user's display name by username (unknown ones are left out: the page shows the name given)."""
    with ctx.uow() as uow:
        return {u: user.display_name or u for u, user in uow.users.by_usernames(usernames - {"", "—"}).items()}


def _check_page_period(actor: Principal, process_key: str, first: date, last: date) -> date:
    """The day after ``last``, once the user, the process and the period (both days included) are fine."""
    require_role(actor, REPORT_ROLES, "QA reports")
    if process_key not in QA_PROCESSES:
        raise InvalidInput(f"unknown process {process_key!r}", errors={"process": list(QA_PROCESSES)})
    if last < first:
        raise InvalidInput("the period ends before it starts", errors={"to": ["on or after from"]})
    return date.fromordinal(last.toordinal() + 1)


def conformance_section(
    ctx: ServiceContext, process_key: str, first: date, last: date, actor: Principal
) -> dict[str, Any]:
    """The QA page's conformance section for the cases opened from ``first`` to ``last`` (both included);
    loaded after the page, since replaying takes some 10–15 ms a case."""
    after = _check_page_period(actor, process_key, first, last)
    return conformance_overview(ctx, process_key, *period_bounds(ctx, first, after), actor)


def overview(ctx: ServiceContext, process_key: str, first: date, last: date, actor: Principal) -> dict[str, Any]:
    """The QA page's server-side part: the period, the trend's quarters and the deadline outcome tables."""
    after = _check_page_period(actor, process_key, first, last)
    bounds = period_bounds(ctx, first, after)
    report = deadlines.deadline_report(ctx, *bounds, actor, process_key)
    quarters = recent_quarters(last)
    technicians = kpi.technician_ratings_between(ctx, first, after, actor) if process_key == "repair" else []
    feedback = quality_feedback.feedback_report(ctx, *bounds, actor)
    people = {r["person"] for r in report["by_person"]} | {t["technician"] for t in technicians}
    people |= {str(r["reported_by"]) for r in feedback["cases"] if r["reported_by"]}
    return {
        "process_key": process_key,
        "processes": QA_PROCESSES,
        "first": first,
        "last": last,
        "after": after,
        "quarters": quarters,
        "by_clause": report["by_clause"],
        "by_person": report["by_person"],
        "by_month": report["by_month"],
        "deadlines": len(report["rows"]),
        "technicians": technicians,
        "quality_feedback": feedback,
        "kpi_trend": kpi_trend(ctx, quarters, actor),
        "names": display_names(ctx, people),
    }
