"""KPIs and technician ratings computed from what the cases recorded (domain/kpi.py has the rules)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import tzinfo
from typing import Any

from ...domain.customer_steps import with_fallbacks
from ...domain.iso8601 import parse_moment
from ...domain.kpi import ARRIVAL_WATCH
from ...domain.kpi import QUOTE_HOURS
from ...domain.kpi import RATING_ITEMS
from ...domain.kpi import Tally
from ...domain.kpi import evaluate
from ...domain.kpi import period_bounds
from ...domain.kpi import technician_ratings
from ...domain.kpi import within_service_level
from ...domain.principal import Principal
from ...errors import InvalidInput
from ...persistence.unit_of_work import UnitOfWork
from ..context import ServiceContext
from .reports import REPORT_ROLES
from .reports import require_role


def kpi_for_period(uow: UnitOfWork, tz: tzinfo, first: date, after: date) -> dict[str, Any]:
    """KPI figures for cases whose deciding step happened from ``first`` up to (not incl.) ``after``."""
    start, end = datetime.combine(first, time(0), tz), datetime.combine(after, time(0), tz)
    tallies: dict[str, Tally] = defaultdict(Tally)
    for event in uow.events.between("repair", ["task_completed"], start, end, with_fallbacks(["callback_answer"])):
        tallies["first_time_fix"].add(event.instance_id, bool(event.data.get("fixed_first_visit")))
    diagnoses = [
        e
        for e in uow.events.between("repair", ["task_completed"], start, end, ["diagnose_on_site"])
        if e.data.get("quote_amount") is not None  # computed from the price list, 0 for free work
    ]
    dispatched = {
        e.instance_id: e.at
        for e in uow.events.of_instances({e.instance_id for e in diagnoses}, ["task_completed"])
        if e.element_id == "dispatch_notice"
    }
    for event in diagnoses:
        notice = dispatched.get(event.instance_id)
        tallies["quote_timeliness"].add(
            event.instance_id, notice is not None and event.at - notice <= timedelta(hours=QUOTE_HOURS)
        )
    reported = {
        e.instance_id
        for e in uow.events.between("repair", ["task_completed"], start, end, ["archive_report"])
        if e.data.get("report_approved")
    }
    for instance_id, on_time in _service_levels_kept(uow, reported).items():
        tallies["repair_timeliness"].add(instance_id, on_time)
    for event in uow.events.between("complaint", ["task_completed"], start, end, with_fallbacks(["callback_survey"])):
        tallies["complaint_satisfaction"].add(event.instance_id, bool(event.data.get("complainant_satisfied")))
    return evaluate(tallies)


def _service_levels_kept(uow: UnitOfWork, instance_ids: set[int]) -> dict[int, bool]:
    """Per repair case, whether it kept its arrival promise (and the fix, where promised); a case of a
    diagram without the promise is judged as before it existed: kept when no deadline escalated."""
    arrival_missed: dict[int, bool] = {}
    fixed_at: dict[int, datetime] = {}
    escalated: set[int] = set()
    kinds = ["timer_fired", "timer_cancelled", "task_completed", "escalation"]
    for event in uow.events.of_instances(instance_ids, kinds):
        if event.type == "escalation":
            escalated.add(event.instance_id)
        elif event.element_id == ARRIVAL_WATCH and event.type != "task_completed":
            # the first outcome of the promise decides: a later re-armed watch does not undo a miss
            arrival_missed.setdefault(event.instance_id, event.type == "timer_fired")
        elif event.element_id == "perform_service" and event.type == "task_completed":
            fixed_at.setdefault(event.instance_id, event.at)
    cases = {c.id: c for c in uow.instances.by_ids(instance_ids)}
    kept = {}
    for instance_id in sorted(instance_ids):
        data = cases[instance_id].data or {}
        verdict = within_service_level(
            arrival_missed.get(instance_id),
            data.get("sla_profile"),
            parse_moment(data["arrival_due"]) if data.get("arrival_due") else None,
            fixed_at.get(instance_id),
        )
        kept[instance_id] = instance_id not in escalated if verdict is None else verdict
    return kept


def _bounds(period: str) -> tuple[date, date]:
    try:
        return period_bounds(period)
    except ValueError:
        raise InvalidInput(
            f"period must look like 2026, 2026-H1, 2026-Q1 or 2026-03, not {period!r}",
            errors={"period": ["YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM"]},
        ) from None


def period_kpis(ctx: ServiceContext, period: str, actor: Principal) -> dict[str, Any]:
    """The KPIs of a year, half year, quarter or month, with the cases behind each figure."""
    require_role(actor, REPORT_ROLES, "KPI reports")
    first, after = _bounds(period)
    with ctx.uow() as uow:
        return {"period": period, **kpi_for_period(uow, ctx.calendar.tz, first, after)}


def technician_report(ctx: ServiceContext, period: str, actor: Principal) -> dict[str, Any]:
    """The customers' ratings of each technician (seed 003 (25): 4 items × 4 levels) in a period."""
    first, after = _bounds(period)
    return {"period": period, "technicians": technician_ratings_between(ctx, first, after, actor)}


def technician_ratings_between(ctx: ServiceContext, first: date, after: date, actor: Principal) -> list[dict]:
    """Ratings from the acceptances signed from ``first`` up to (not incl.) ``after``; the technician
    is the one named on the service notice."""
    require_role(actor, REPORT_ROLES, "technician ratings")
    tz = ctx.calendar.tz
    start, end = datetime.combine(first, time(0), tz), datetime.combine(after, time(0), tz)
    with ctx.uow() as uow:
        accepted = uow.events.between("repair", ["task_completed"], start, end, with_fallbacks(["customer_acceptance"]))
        cases = {c.id: c for c in uow.instances.by_ids({e.instance_id for e in accepted})}
    ratings = [
        (cases[e.instance_id].data.get("technician") or e.actor or "", e.instance_id, e.data)
        for e in accepted
        if any(key in e.data for key, _ in RATING_ITEMS)
    ]
    return technician_ratings(ratings)
