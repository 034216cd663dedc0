"""Repair cases for the demo, each driven through the real services to a different step."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from datetime import timedelta
from typing import Any

from ..clock import SimulatedClock
from ..domain.roles import Role
from ..errors import AppError
from ..services.cases.opening import start_case
from ..services.context import ServiceContext
from ..services.people.users import principal_for
from ..services.tasks.work import complete_task
from ..services.tasks.work import list_tasks
from ..services.timing.timer_firing import fire_due_timers
from .loader import demo_principal
from .loader import register_form

ADMIN = demo_principal("admin", ["admin"])


# The on-site path of repair.bpmn after registration, up to the customer's signed acceptance.
ON_SITE = (
    "contact_customer",
    "dispatch_notice",
    "agree_appointment",
    "record_arrival",
    "diagnose_on_site",
    "accept_plan",
    "perform_service",
    "customer_acceptance",
)
# After the acceptance, for a case nobody pays for (fee type B or C): report, archive, and the customer's
# answer to the callback.
UNPAID_TAIL = ("file_report", "archive_report", "callback_answer")
VISIT = ON_SITE[: ON_SITE.index("record_arrival") + 1]  # up to the check-in
# The forms of the other paths' steps the demo walks.
OTHER_PATHS: dict[str, dict[str, Any]] = {
    "mail_parts": {"parts_mailed": [{"part_no": "SEAL-FR520", "qty": 2}], "carrier": "ems", "tracking_no": "EMS-0001"},
    "confirm_delivery": {"received": True, "pieces_ok": True, "appearance_ok": True},
    "rtf_receive": {"pickup_receipt_no": "PR-0001"},  # received_into_factory_at: the moment of the demo
    "supervisor_late_arrival": {
        "customer_informed": True,
        "action_taken": "已致电客户致歉，改派就近工程师 / apologised, nearest engineer sent",
        "refund_due": True,
        "refund_amount": 50,  # the call-out fee (W-07)
    },
}


def step_data(now: datetime) -> dict[str, dict[str, Any]]:
    """Valid form data for each user task of repair.bpmn (the happy path)."""
    soon = (now + timedelta(hours=4)).isoformat()
    callback = {
        "arrived_on_time": True,
        "fixed_first_visit": True,
        "expertise_satisfied": True,
        "satisfaction_score": 95,
        "satisfied": True,
    }
    return {
        "contact_customer": {"customer_reached": True, "service_mode": "on_site"},
        "dispatch_notice": {"technician": "tech_urban1"},
        "agree_appointment": {"engineer_contact_given": True, "appointment_at": soon},
        "record_arrival": {"customer_present": True},
        "diagnose_on_site": {
            "confirmed_fault": "压缩机不启动 / compressor does not start",
            "cause": "启动继电器损坏 / start relay failed",
            "repair_plan": "更换继电器 / replace relay",
            "parts_needed": [{"part_no": "RLY-220", "qty": 1}],  # quoted 45 + labour 150 + call-out 50
            "fixable_on_site": True,
            "parts_to_send": False,  # the van carries the relay (the form's default, for the bare engine)
        },
        "accept_plan": {"plan_accepted": True},  # the customer's answer (the engineer's device on their behalf)
        "perform_service": {
            "parts_used": [{"part_no": "RLY-220", "qty": 1}],
            "labour_hours": 1.5,
            "functional_test_ok": True,
            "quality_feedback": False,  # the form's default, spelt out for the bare-engine benchmark
        },
        "customer_acceptance": {
            "signature": "data:image/png;base64,iVBORw0KGgo=",
            "signed_by": "张伟",
            "rating_attitude": 4,
            "rating_skills": 4,
            "rating_arrival": 3,
            "rating_promises": 4,
        },
        "payment_invoice": {"payment_method": "bank_transfer", "invoice_no": "FP-0001"},  # amount: the quote
        "file_report": {
            "report_summary": "更换启动继电器，试机正常",
            "fault_found": "启动继电器损坏",
            "method_used": "更换原厂继电器",
        },
        "archive_report": {"report_approved": True},
        "callback_answer": callback,  # the customer's own answer (the desk's by phone: the same form)
        "callback": callback,
    }


def advance_case(ctx: ServiceContext, instance_id: int, steps: list[str], data: dict[str, dict[str, Any]]) -> None:
    """Complete the ready task of each element in ``steps``, as a user who holds its role (a customer's
    own step as the administrator on the customer's behalf)."""
    for element_id in steps:
        ready = [t for t, _ in list_tasks(ctx, ADMIN, instance_id=instance_id) if t.element_id == element_id]
        if not ready:
            raise AppError(f"demo: no ready task {element_id} in case {instance_id}")
        task = ready[0]
        actor = principal_for(ctx, task.assignee) if task.assignee else None
        complete_task(ctx, task.id, data[element_id], actor or ADMIN, on_behalf=task.role == Role.CUSTOMER)


def open_demo_cases(ctx: ServiceContext) -> list[str]:
    agent = principal_for(ctx, "agent")
    now = ctx.clock.now()
    data = {**step_data(now), **OTHER_PATHS}
    data["rtf_receive"] = {**OTHER_PATHS["rtf_receive"], "received_into_factory_at": now.isoformat()}
    with ctx.uow() as uow:
        units = {u.serial_no: u for u in uow.master.units()}  # customers are joined in
    mailed = {"contact_customer": {**data["contact_customer"], "service_mode": "mail_parts"}}
    shipped = {"contact_customer": {**data["contact_customer"], "service_mode": "ship_to_factory"}}
    plans: list[tuple[str, list[str], dict[str, Any], dict[str, dict[str, Any]]]] = [
        ("SN-FR-1001", [], {}, {}),  # registered, waiting for the 24 h contact
        ("SN-WM-2001", ["contact_customer"], {}, {}),  # waiting for the service notice
        ("SN-TV-3001", ["contact_customer", "dispatch_notice", "agree_appointment"], {}, {}),  # on the way
        ("SN-IT-5001", list(ON_SITE), {}, {}),  # report due within 2–3 days
        # opened by the customer: no free warranty, paid; the customer asked to answer the callback
        ("SN-WM-2002", [*ON_SITE, "payment_invoice", "file_report", "archive_report"], {}, {}),
        ("SN-KT-4001", list(VISIT), {"service_category": "installation", "fault_description": "新机安装调试"}, {}),
        ("SN-FR-1002", list(VISIT), {"service_category": "training", "fault_description": "门店员工维护培训"}, {}),
        ("SN-TV-3001", ["contact_customer", "rtf_receive"], {"fault_description": "客户寄回：无图像"}, shipped),
        # parts mailed to a paying customer (fee type A): waiting for the payment
        (
            "SN-WM-2001",
            ["contact_customer", "mail_parts", "confirm_delivery"],
            {"service_category": "parts_mailing"},
            mailed,
        ),
    ]
    lines = []
    for serial, steps, registered, changed in plans:
        instance = start_case(ctx, "repair", None, agent)
        forms = {**data, **changed, "register_request": register_form(units[serial], **registered)}
        advance_case(ctx, instance.id, ["register_request", *steps], forms)
        lines.append(f"case {instance.case_no}: {serial} after {len(steps) + 1} step(s)")
    lines.append(_late_arrival_with_refund(ctx, units["SN-FR-1001"], data))
    return lines


def _late_arrival_with_refund(ctx: ServiceContext, unit: Any, data: dict[str, dict[str, Any]]) -> str:
    """A case opened 7 hours ago whose technician missed the 6-hour promise: the supervisor's handling
    opened a refund case (W-07), waiting for finance's approval."""
    clock = SimulatedClock(ctx.clock.now() - timedelta(hours=7), frozen=True)
    past = dataclasses.replace(ctx, clock=clock)
    ctx.engine.use_clock(clock)
    try:
        instance = start_case(past, "repair", None, principal_for(ctx, "agent"))
        forms = {**step_data(clock.now()), **data, "register_request": register_form(unit, urgency="high")}
        advance_case(past, instance.id, ["register_request", "contact_customer", "dispatch_notice"], forms)
        advance_case(past, instance.id, ["agree_appointment"], forms)
        clock.advance(timedelta(hours=5))  # the urgent fault's promise is 4 hours around the clock
        fire_due_timers(past)
        advance_case(past, instance.id, ["supervisor_late_arrival"], forms)
    finally:
        ctx.engine.use_clock(ctx.clock)
    return f"case {instance.case_no}: {unit.serial_no} arrived late, refund case opened"
