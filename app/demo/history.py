"""Four past quarters of repair cases for the demo, replayed with a clock in the past, so the
KPI reports have history: first-time fixes and second visits, late quotes, escalated reports, and
an urgent fault the technician reached after its 4-hour promise."""

from __future__ import annotations

import dataclasses
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from ..clock import SimulatedClock
from ..domain.iso8601 import add_months
from ..domain.kpi import quarter_of
from ..services.context import ServiceContext
from ..services.tasks.work import list_tasks
from ..services.timing.timer_firing import fire_due_timers
from .loader import register_form
from .repairs import ADMIN
from .repairs import advance_case
from .repairs import step_data

ON_SITE = ["contact_customer", "dispatch_notice", "agree_appointment", "record_arrival"]
# (fixed on the first visit, hours from the notice to the quote, report late, arrival late)
GOOD = (True, 4, False, False)
SECOND_VISIT, LATE_QUOTE = (False, 4, False, False), (True, 30, False, False)
LATE_REPORT, LATE_ARRIVAL = (True, 4, True, False), (True, 4, False, True)
LATE_BY = timedelta(hours=5)  # an urgent fault's promise is 4 h around the clock (D-05)
# One list per past quarter, so each KPI is missed in some quarter and met in another.
PATTERNS = [
    [GOOD, SECOND_VISIT, LATE_QUOTE, LATE_ARRIVAL, GOOD],
    [GOOD, GOOD, GOOD, GOOD, GOOD],
    [GOOD, SECOND_VISIT, GOOD, GOOD, GOOD],
    [GOOD, LATE_QUOTE, LATE_REPORT, GOOD, GOOD],
]


def past_quarters(today: date, count: int = 4) -> list[date]:
    """First days of the ``count`` quarters before the current one, oldest first."""
    current = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return [add_months(current, -3 * n) for n in range(count, 0, -1)]


def open_history(ctx: ServiceContext) -> list[str]:
    from ..services.cases.opening import start_case

    tz = ctx.calendar.tz
    lines = []
    try:
        quarters = past_quarters(ctx.clock.now().astimezone(tz).date(), len(PATTERNS))
        for first_day, pattern in zip(quarters, PATTERNS, strict=True):
            start = datetime.combine(first_day + timedelta(days=7), time(10), tz)
            clock = SimulatedClock(start, frozen=True)
            past = dataclasses.replace(ctx, clock=clock)  # a context of its own: the alarm clock does not hear it
            ctx.engine.use_clock(clock)
            with ctx.uow() as uow:
                units = uow.master.units()
            for number, (first_visit, quote_hours, escalated, arrived_late) in enumerate(pattern):
                data = step_data(clock.now())
                urgency = "high" if arrived_late else "medium"
                data["register_request"] = register_form(units[number % len(units)], urgency=urgency)
                data["callback_answer"] = {
                    **data["callback_answer"],
                    "fixed_first_visit": first_visit,
                    "satisfaction_score": 95 if first_visit else 70,
                }
                case = start_case(past, "repair", None, ADMIN)
                if arrived_late:
                    advance_case(past, case.id, ["register_request", *ON_SITE[:-1]], data)
                    clock.advance(LATE_BY)
                    fire_due_timers(past)
                    handled = {"customer_informed": True, "action_taken": "改派就近工程师 / nearest engineer sent"}
                    advance_case(
                        past,
                        case.id,
                        ["supervisor_late_arrival", ON_SITE[-1]],
                        {**data, "supervisor_late_arrival": handled},
                    )
                else:
                    advance_case(past, case.id, ["register_request", *ON_SITE], data)
                clock.advance(timedelta(hours=quote_hours))
                advance_case(
                    past, case.id, ["diagnose_on_site", "accept_plan", "perform_service", "customer_acceptance"], data
                )
                if any(t.element_id == "payment_invoice" for t, _ in list_tasks(past, ADMIN, instance_id=case.id)):
                    advance_case(past, case.id, ["payment_invoice"], data)
                if escalated:
                    clock.advance(timedelta(days=3, hours=1))
                    fire_due_timers(past)
                    advance_case(
                        past,
                        case.id,
                        ["supervisor_report_followup"],
                        {"supervisor_report_followup": {"action_taken": "督促工程师提交报告"}},
                    )
                advance_case(past, case.id, ["file_report", "archive_report", "callback_answer"], data)
                clock.advance(timedelta(days=9))
            lines.append(f"history {quarter_of(first_day)}: {len(pattern)} closed service cases")
    finally:
        ctx.engine.use_clock(ctx.clock)
    return lines
