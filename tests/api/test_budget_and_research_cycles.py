"""Two cycles the seeds name (002 §5.1.3.1, §6.2) walked to their end with a moved clock: the annual
service budget (5 % of sales, settled by finance before the financial audit, approved by the general
manager, D-27/AP-07) and the quarterly market and customer-needs research (D-23)."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from app.domain.principal import Principal
from app.services.planning import schedules
from app.services.timing.timer_firing import fire_due
from tests.case_driver import CaseDriver

ADMIN = Principal("admin", frozenset({"admin"}))
COSTS = {
    "annual_sales": 2_000_000,
    "cost_lines": [{"category": "staff", "amount": 60_000}, {"category": "training", "amount": 10_000}],
}


class Cycle(CaseDriver):
    ROLE_USER = {"finance": "finance", "executive": "executive", "dept_head": "dept_head"}
    FORMS = {
        "budget_followup": {"budget_followup_action": "督促财务部"},
        "research_market": {
            "market_orientation": "智能化",
            "customer_needs": "更快上门",
            "service_focus": "首次修复",
            "measures": [{"measure": "增设备件点", "owner": "张三", "due_date": "2027-03-31"}],
        },
        "review_research": {"adopted_measures": "全部采纳"},
    }


def opened(ctx, clock, as_user, process_key: str, at: str) -> Cycle:
    schedules.create_schedule(ctx, f"{process_key}-test", process_key, f"R1/{at}/P1Y", {}, ADMIN)
    clock.advance(datetime.fromisoformat(at) + timedelta(minutes=1) - clock.now())
    assert fire_due(ctx).opened == 1
    with ctx.uow() as uow:
        [case] = [i for i in uow.instances.list(limit=100) if i.process_key == process_key]
    return Cycle(as_user, case.id)


def test_the_budget_is_chased_at_the_audit_deadline_refused_with_a_reason_then_approved(app, ctx, clock, as_user):
    budget = opened(ctx, clock, as_user, "service_budget", "2026-12-01T09:00:00+08:00")
    assert budget.ready()["settle_service_costs"]["candidate_roles"] == ["finance"]
    clock.advance(datetime.fromisoformat("2026-12-31T17:31:00+08:00") - clock.now())
    fire_due(ctx)  # not settled before the audit: the general manager follows up
    assert set(budget.ready()) == {"settle_service_costs", "budget_followup"}
    budget.do("budget_followup")
    budget.do("settle_service_costs", COSTS)
    assert budget.data["service_provision"] == 100_000 and budget.data["service_costs_total"] == 70_000
    assert budget.data["within_provision"] is True
    refused = budget.submit("approve_budget", {"budget_approved": False})
    assert refused.status_code == 422  # a refusal needs its reason
    budget.do("approve_budget", {"budget_approved": False, "budget_refusal_reason": "培训费偏低"})
    # back to finance, and past the deadline the returned budget is followed up again
    assert set(budget.ready()) == {"settle_service_costs", "budget_followup"}
    budget.do("budget_followup")
    more = [*COSTS["cost_lines"], {"category": "training", "amount": 5000}]
    budget.do("settle_service_costs", {**COSTS, "cost_lines": more})
    budget.do("approve_budget", {"budget_approved": True})
    assert budget.body["status"] == "completed" and budget.data["service_costs_total"] == 75_000


def test_the_quarterly_research_is_reminded_after_30_days_then_reviewed(app, ctx, clock, as_user):
    research = opened(ctx, clock, as_user, "market_research", "2026-04-01T09:00:00+08:00")
    assert research.ready()["research_market"]["candidate_roles"] == ["dept_head"]
    clock.advance(timedelta(days=30, minutes=1))
    fire_due(ctx)
    assert [t["element_id"] for t in research.timer_rows() if t["status"] == "fired"] == ["research_overdue"]
    research.walk("research_market", "review_research")
    assert research.body["status"] == "completed"
