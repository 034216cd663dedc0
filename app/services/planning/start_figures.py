"""Figures a scheduled case starts with, computed from the cases when it opens.

A schedule's data may name a provider under ``"compute"``; its result is merged into the
case's start data, so a KPI review or a service report begins with numbers nobody typed in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import tzinfo
from typing import Any

from ...domain.cases import CaseStatus
from ...domain.customer_links import customer_language
from ...domain.customer_steps import with_fallbacks
from ...domain.iso8601 import add_months
from ...domain.kpi import previous_quarter
from ...domain.kpi import quarter_bounds
from ...domain.master_data import CUSTOMERS
from ...domain.master_data import TECHNICIANS
from ...domain.roles import WORKING_ROLES
from ...domain.roles import Role
from ...persistence.orm import Customer
from ...persistence.unit_of_work import UnitOfWork
from ..master_data.case_files import ON_RECORD
from ..qa.kpi import kpi_for_period
from ..qa.reports import complaint_figures

# The repair callback: the customer's own answer, or the desk's by phone once the customer's window passed.
CALLBACKS = with_fallbacks(["callback_answer"])

SURVEY_MIN_TRANSACTIONS = 3  # K-06: customers with three or more transactions


def _kpi_previous_quarter(uow: UnitOfWork, tz: tzinfo, when: date, data: dict[str, Any]) -> dict[str, Any]:
    period = previous_quarter(when)
    return {"period": period, **kpi_for_period(uow, tz, *quarter_bounds(period))}


def _report_period(when: date, kind: str) -> tuple[str, date, date]:
    """The period a report run on ``when`` covers: the month, half-year or year just ended."""
    if kind == "annual":
        return str(when.year - 1), date(when.year - 1, 1, 1), date(when.year, 1, 1)
    if kind == "half_year":
        if when.month <= 6:
            return f"{when.year - 1}-H2", date(when.year - 1, 7, 1), date(when.year, 1, 1)
        return f"{when.year}-H1", date(when.year, 1, 1), date(when.year, 7, 1)
    first = add_months(when.replace(day=1), -1)
    return first.strftime("%Y-%m"), first, when.replace(day=1)


def _service_statistics(uow: UnitOfWork, tz: tzinfo, when: date, data: dict[str, Any]) -> dict[str, Any]:
    period, first, after = _report_period(when, data.get("report_kind", "monthly"))
    start, end = datetime.combine(first, time(0), tz), datetime.combine(after, time(0), tz)
    repairs = uow.instances.created_between("repair", start, end)
    complaints = uow.instances.created_between("complaint", start, end)
    callbacks = uow.events.between("repair", ["task_completed"], start, end, CALLBACKS)
    scores = [e.data.get("satisfaction_score") for e in callbacks if isinstance(e.data.get("satisfaction_score"), int)]
    return {
        "period": period,
        "statistics": {
            "service_cases_opened": len(repairs),
            "service_cases_completed": sum(1 for c in repairs if c.status == CaseStatus.COMPLETED),
            "by_service_category": dict(Counter(c.data.get("service_category", "unregistered") for c in repairs)),
            "by_fee_type": dict(Counter(c.data.get("fee_type", "unclassified") for c in repairs)),
            "complaints_received": len(complaints),
            "callbacks": len(callbacks),
            "average_satisfaction_score": round(sum(scores) / len(scores), 1) if scores else None,
        },
    }


def _customer_code(case_data: dict[str, Any]) -> str | None:
    """The code of the customer the registration found for a case (``on_record``), if any: two
    customers of one name stay two, and a renamed customer stays one."""
    on_record = case_data.get(ON_RECORD)
    if not isinstance(on_record, dict):
        return None
    for found, field in ((on_record.get("customer"), "code"), (on_record.get("unit"), "customer_code")):
        if isinstance(found, dict) and found.get(field):
            return str(found[field])
    return None


def _survey_customers(uow: UnitOfWork, tz: tzinfo, when: date, data: dict[str, Any]) -> dict[str, Any]:
    """Customers with at least three service cases in the year before the survey, counted by the
    customer code on record, or the customer the case was filed under when its registration created
    that customer (a case of no known customer counts for nobody)."""
    start = datetime.combine(date(when.year - 1, 1, 1), time(0), tz)
    end = datetime.combine(date(when.year, 1, 1), time(0), tz)
    repairs = uow.instances.created_between("repair", start, end)
    records = {c.code: c for c in uow.master.customers(limit=10_000)}
    filed = uow.records.filed_under(CUSTOMERS, [c.id for c in repairs])
    counts = Counter(code for code in (_customer_code(c.data) or filed.get(c.id) for c in repairs) if code)
    eligible = [
        _surveyed(code, records.get(code), n) for code, n in sorted(counts.items()) if n >= SURVEY_MIN_TRANSACTIONS
    ]
    return {"survey_year": when.year - 1, "eligible_customers": eligible}


def _surveyed(code: str, record: Customer | None, cases: int) -> dict[str, Any]:
    """An eligible customer with what their own questionnaire link needs from the master record: the
    number its message goes to (the mobile, else the phone; none: staff survey them on paper) and
    the language it is written in."""
    if record is None:
        return {"code": code, "name": "", "cases": cases}
    found = {"code": code, "name": record.name, "cases": cases}
    phone = (record.mobile or record.phone or "").strip()
    if phone:
        found["phone"] = phone[:32]
    found["language"] = customer_language(record.language)
    return found


def _daily_control(uow: UnitOfWork, tz: tzinfo, when: date, data: dict[str, Any]) -> dict[str, Any]:
    """The working day that just closed (seed 003 §15–18, §24): its calls, the work still not dispatched,
    and what each technician did, for the next-day opinion cards, priority dispatch and daily reports."""
    closes = time.fromisoformat(data.get("day_ends_at", "18:00"))
    end = datetime.combine(when, closes, tz)
    start = end - timedelta(days=1)
    calls = [
        {
            "case_id": case.id,
            "customer_name": case.data.get("customer_name", ""),
            "customer_phone": case.data.get("customer_phone", ""),
            "service_category": case.data.get("service_category", ""),
        }
        for case in uow.instances.created_between("repair", start, end)
    ]
    waiting = uow.tasks.ready_at("repair", "dispatch_notice")
    cases = {c.id: c for c in uow.instances.by_ids({t.instance_id for t in waiting})}
    undispatched = [
        {
            "case_id": task.instance_id,
            "customer_name": cases[task.instance_id].data.get("customer_name", ""),
            "address": cases[task.instance_id].data.get("address", ""),
            "waiting_since": task.created_at.astimezone(tz).isoformat(timespec="minutes"),
        }
        for task in waiting
    ]
    done = uow.tasks.completed_between("repair", Role.TECHNICIAN, start, end)
    categories = {c.id: c.data.get("service_category", "") for c in uow.instances.by_ids({t.instance_id for t in done})}
    work = [
        {
            "technician": task.completed_by or "",
            "case_id": task.instance_id,
            "step": task.name,
            "service_category": categories.get(task.instance_id, ""),
            "hours": round((task.completed_at - (task.claimed_at or task.created_at)).total_seconds() / 3600, 1),
        }
        for task in done
    ]
    return {
        "control_day": when.isoformat(),
        "calls": calls,
        "undispatched": undispatched,
        "technicians_today": sorted({w["technician"] for w in work if w["technician"]}),
        "work_today": work,
    }


def _service_branches(uow: UnitOfWork, tz: tzinfo, when: date, data: dict[str, Any]) -> dict[str, Any]:
    """The service branches the technicians' records name (each is asked for its spare-parts needs);
    the schedule's own list when no technician is on record yet."""
    found = sorted(str(b) for b in uow.records.distinct_values(TECHNICIANS, "branch", 50) if b)
    return {"branches": found or list(data.get("branches", []))}


def _training_quarter(uow: UnitOfWork, tz: tzinfo, when: date, data: dict[str, Any]) -> dict[str, Any]:
    """The quarter a training plan drawn up on ``when`` covers, and its last day (D-26: 行政部按季度制定培训计划)."""
    first = date(when.year, 3 * ((when.month - 1) // 3) + 1, 1)
    return {
        "training_quarter": f"{first.year}-Q{(first.month - 1) // 3 + 1}",
        "training_due_date": (add_months(first, 3) - timedelta(days=1)).isoformat(),
    }


def trained_since(uow: UnitOfWork, tz: tzinfo, since: date, until: date) -> set[str]:
    """Who signed the attendance of a training session held from ``since`` (inclusive) to ``until``."""
    start = datetime.combine(add_months(since, -12), time(0), tz)  # a case may hold sessions months after it opened
    cases = uow.instances.created_between("training", start, datetime.combine(until, time(0), tz))
    return {
        str(name)
        for case in cases
        for held in case.data.get("sessions_held") or []
        if isinstance(held, dict) and since.isoformat() <= str(held.get("date", "")) < until.isoformat()
        for name in held.get("attendees") or []
    }


def _staff_without_training(uow: UnitOfWork, tz: tzinfo, when: date, data: dict[str, Any]) -> dict[str, Any]:
    """Everyone at least once a year (D-26): the active staff — users holding a working role — who attended no
    training session in the twelve months before ``when``; the check is due by the year's end."""
    trained = trained_since(uow, tz, add_months(when, -12), when + timedelta(days=1))
    staff = [u for u in uow.users.list() if u.active and u.roles & WORKING_ROLES]
    untrained = [
        {"username": u.username, "display_name": u.display_name}
        for u in sorted(staff, key=lambda u: u.username)
        if u.username not in trained
    ]
    return {"untrained_staff": untrained, "training_due_date": date(when.year, 12, 31).isoformat()}


MAX_LISTED = 200  # complaints and callback comments listed on one month's meeting


def _complaint_month(uow: UnitOfWork, tz: tzinfo, when: date, data: dict[str, Any]) -> dict[str, Any]:
    """The month before ``when`` for the complaint meeting (D-24): the complaint statistics and hot
    spots (CP-03), each complaint of the month, and the satisfaction callbacks' results (seed 2)."""
    period, first, after = _report_period(when, "monthly")
    start, end = datetime.combine(first, time(0), tz), datetime.combine(after, time(0), tz)
    cases = uow.instances.created_between("complaint", start, end)
    callbacks = uow.events.between("repair", ["task_completed"], start, end, CALLBACKS)
    scores = [e.data.get("satisfaction_score") for e in callbacks if isinstance(e.data.get("satisfaction_score"), int)]
    unhappy = [e for e in callbacks if e.data.get("satisfied") is False]
    return {
        "period": period,
        "statistics": complaint_figures(cases),
        "complaint_cases": [
            {
                "case_no": c.case_no,
                "category": (c.data or {}).get("category", ""),
                "severity": (c.data or {}).get("severity", ""),
                "urgency": (c.data or {}).get("urgency", ""),
                "product_model": (c.data or {}).get("product_model", ""),
                "status": (c.data or {}).get("complaint_status", ""),
            }
            for c in cases[:MAX_LISTED]
        ],
        "callback_results": {
            "callbacks": len(callbacks),
            "satisfied": sum(1 for e in callbacks if e.data.get("satisfied") is True),
            "dissatisfied": len(unhappy),
            "average_score": round(sum(scores) / len(scores), 1) if scores else None,
            "dissatisfied_comments": [str(e.data.get("callback_comments") or "") for e in unhappy][:MAX_LISTED],
        },
    }


PROVIDERS: dict[str, Callable[[UnitOfWork, tzinfo, date, dict[str, Any]], dict[str, Any]]] = {
    "complaint_month": _complaint_month,
    "daily_control": _daily_control,
    "kpi_previous_quarter": _kpi_previous_quarter,
    "service_statistics": _service_statistics,
    "survey_customers": _survey_customers,
    "service_branches": _service_branches,
    "training_quarter": _training_quarter,
    "staff_without_training": _staff_without_training,
}


def start_data(uow: UnitOfWork, tz: tzinfo, schedule_data: dict[str, Any], scheduled_for: datetime) -> dict[str, Any]:
    """The schedule's data plus what its provider computes for the occurrence at ``scheduled_for``."""
    data = {k: v for k, v in schedule_data.items() if k != "compute"}
    provider = PROVIDERS.get(schedule_data.get("compute", ""))
    if provider is not None:
        data.update(provider(uow, tz, scheduled_for.astimezone(tz).date(), schedule_data))
    return data
