"""Repair cases for the demo, each driven through the real services to a different step."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any

from ..errors import AppError
from ..services.cases.opening import start_case
from ..services.context import ServiceContext
from ..services.people.users import principal_for
from ..services.tasks.work import complete_task
from ..services.tasks.work import list_tasks
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
    "perform_service",
    "customer_acceptance",
)
# After the acceptance, for a case nobody pays for (fee type B or C): report, archive, callback.
UNPAID_TAIL = ("file_report", "archive_report", "callback")


def step_data(now: datetime) -> dict[str, dict[str, Any]]:
    """Valid form data for each user task of repair.bpmn (the happy path)."""
    soon = (now + timedelta(hours=4)).isoformat()
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
            "plan_accepted": True,
            "fixable_on_site": True,
        },
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
            "returned_at": soon,
        },
        "payment_invoice": {"payment_method": "bank_transfer", "invoice_no": "FP-0001"},  # amount: the quote
        "file_report": {
            "report_summary": "更换启动继电器，试机正常",
            "fault_found": "启动继电器损坏",
            "method_used": "更换原厂继电器",
        },
        "archive_report": {"report_approved": True},
        "callback": {
            "arrived_on_time": True,
            "fixed_first_visit": True,
            "expertise_satisfied": True,
            "satisfaction_score": 95,
            "satisfied": True,
        },
    }


def advance_case(ctx: ServiceContext, instance_id: int, steps: list[str], data: dict[str, dict[str, Any]]) -> None:
    """Complete the ready task of each element in ``steps``, as a user who holds its role."""
    for element_id in steps:
        ready = [t for t, _ in list_tasks(ctx, ADMIN, instance_id=instance_id) if t.element_id == element_id]
        if not ready:
            raise AppError(f"demo: no ready task {element_id} in case {instance_id}")
        task = ready[0]
        actor = principal_for(ctx, task.assignee) if task.assignee else None
        complete_task(ctx, task.id, data[element_id], actor or ADMIN)


def open_demo_cases(ctx: ServiceContext) -> list[str]:
    agent = principal_for(ctx, "agent")
    data = step_data(ctx.clock.now())
    with ctx.uow() as uow:
        units = {u.serial_no: u for u in uow.master.units()}  # customers are joined in
    plans = [
        ("SN-FR-1001", []),  # registered, waiting for the 24 h contact
        ("SN-WM-2001", ["contact_customer"]),  # waiting for the service notice
        ("SN-TV-3001", ["contact_customer", "dispatch_notice", "agree_appointment"]),  # technician on the way
        ("SN-IT-5001", list(ON_SITE)),  # report due within 2–3 days
        (
            "SN-WM-2002",  # opened by the customer: no free warranty, paid
            [*ON_SITE, "payment_invoice", "file_report", "archive_report"],
        ),  # callback due
    ]
    lines = []
    for serial, steps in plans:
        instance = start_case(ctx, "repair", None, agent)
        advance_case(
            ctx, instance.id, ["register_request", *steps], {"register_request": register_form(units[serial]), **data}
        )
        lines.append(f"case {instance.case_no}: {serial} after {len(steps) + 1} step(s)")
    return lines
