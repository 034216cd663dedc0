"""Annual plans for the demo: this year's, approved in December with each item opening the case its
type calls for (service, training, visit), and next year's, drafted and waiting for the department
head's review."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from datetime import time

from ..clock import SimulatedClock
from ..services.cases.opening import start_case
from ..services.context import ServiceContext
from ..services.people.users import principal_for
from ..services.timing.timer_firing import fire_due
from .repairs import ADMIN
from .repairs import advance_case

ITEMS = [  # (month, day, type, customer, category, owner, description)
    (3, 15, "patrol_inspection", "北方精密机械有限公司 Northern Precision", "it_network", "tech_it", "服务器巡检"),
    (5, 10, "training", "华信科技 Huaxin Tech", "it_network", "tech_it", "新产品操作培训"),
    (9, 1, "customer_visit", "张伟 Zhang Wei", "refrigeration", "agent", "重点用户走访"),
    (12, 8, "commissioning", "北方精密机械有限公司 Northern Precision", "it_network", "tech_it", "新机房开通试验"),
    (12, 20, "major_support", "北方精密机械有限公司 Northern Precision", "it_network", "supervisor", "年末重大保障"),
]


def plan_form(year: int) -> dict:
    return {
        "plan_year": year,
        "goals_policy": "用户满意度≥90%，维修一次成功率≥90% / satisfaction ≥ 90 %, first-time fix ≥ 90 %",
        "measures": "巡回检修、技术培训、重点客户主动服务",
        "budget": 1_200_000,
        "items": [
            {
                "type": t,
                "date": f"{year}-{m:02d}-{d:02d}",
                "customer": c,
                "product_category": cat,
                "owner": o,
                "description": desc,
            }
            for m, d, t, c, cat, o, desc in ITEMS
        ],
    }


def open_demo_plans(ctx: ServiceContext) -> list[str]:
    tz = ctx.calendar.tz
    this_year = ctx.clock.now().astimezone(tz).year
    clock = SimulatedClock(datetime.combine(datetime(this_year - 1, 12, 1).date(), time(9), tz), frozen=True)
    past = dataclasses.replace(ctx, clock=clock)  # a context of its own: the alarm clock does not hear it
    planner = principal_for(ctx, "agent") or ADMIN
    try:
        ctx.engine.use_clock(clock)
        approved = start_case(past, "annual_plan", None, planner)
        steps = {
            "draft_plan": plan_form(this_year),
            "review_plan": {"review_approved": True},
            "approve_plan": {"plan_approved": True},
            "approve_major_support": {"major_support_approved": True},
        }
        advance_case(past, approved.id, list(steps), steps)
    finally:
        ctx.engine.use_clock(ctx.clock)
    fire_due(ctx)  # items whose date has passed open their cases now
    with ctx.uow() as uow:
        opened = len(uow.instances.children(approved.id))
    upcoming = start_case(ctx, "annual_plan", None, planner)
    advance_case(ctx, upcoming.id, ["draft_plan"], {"draft_plan": plan_form(this_year + 1)})
    return [
        f"plan {approved.case_no}: {this_year} approved, {opened} item(s) already opened as cases",
        f"plan {upcoming.case_no}: {this_year + 1} drafted, waiting for the department head's review",
    ]
