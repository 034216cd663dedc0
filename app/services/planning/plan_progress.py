"""Where an approved plan stands: its items, the cases they became, done / due / overdue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ...domain.cases import CaseStatus
from ...domain.principal import Principal
from ...errors import InvalidInput
from ..cases.opening import load_visible
from ..context import ServiceContext

# A planned case still open this long after its date counts as overdue.
OVERDUE_AFTER = timedelta(days=30)


def plan_progress(ctx: ServiceContext, instance_id: int, actor: Principal) -> dict[str, Any]:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        plan = load_visible(ctx, uow, instance_id, actor)
        if plan.process_key != "annual_plan":
            raise InvalidInput(f"case {plan.case_no} is not an annual plan", errors={"id": ["not a plan"]})
        schedules = [s for s in uow.schedules.list() if s.origin_instance_id == plan.id]
        cases = {c.data.get("plan_item_no"): c for c in uow.instances.children(plan.id)}
    items = []
    for schedule in sorted(schedules, key=lambda s: s.data.get("plan_item_no", 0)):
        number = schedule.data.get("plan_item_no")
        case = cases.get(number)
        planned_at = schedule.next_run_at or (case.created_at if case else None)
        if case is None:
            status = "overdue" if planned_at and planned_at < now - OVERDUE_AFTER else "planned"
        elif case.status == CaseStatus.COMPLETED:
            status = "done"
        elif case.created_at < now - OVERDUE_AFTER:
            status = "overdue"
        else:
            status = "in_progress"
        items.append(
            {
                "item_no": number,
                "type": schedule.data.get("plan_item_type"),
                "customer": schedule.data.get("customer_name"),
                "planned_for": schedule.rule,
                "status": status,
                "case_id": case.id if case else None,
                "case_no": case.case_no if case else None,
            }
        )
    counts = {s: sum(1 for i in items if i["status"] == s) for s in ("planned", "in_progress", "done", "overdue")}
    return {
        "plan_case_no": plan.case_no,
        "plan_year": plan.data.get("plan_year"),
        "status": plan.status,
        "items": items,
        "counts": counts,
    }
