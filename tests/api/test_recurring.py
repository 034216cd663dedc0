"""A year of recurring procedures, and an annual plan whose items become service cases on their dates."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from datetime import timedelta

from app.services.planning.default_schedules import ensure_default_schedules
from app.services.timing.timer_firing import fire_due
from tests.complaint_driver import ComplaintCase

PLAN = {
    "plan_year": 2027,
    "goals_policy": "用户满意度≥90% / satisfaction at least 90 %",
    "measures": "巡检、培训、重点客户走访",
    "budget": 1_200_000,
    "items": [
        {
            "type": "patrol_inspection",
            "date": "2027-03-15",
            "customer": "北方精密机械有限公司",
            "owner": "tech_it",
            "product_category": "it_network",
            "description": "服务器巡检",
        },
        {
            "type": "training",
            "date": "2027-05-10",
            "customer": "华信科技",
            "owner": "tech_it",
            "product_category": "it_network",
            "description": "新产品培训",
        },
        {
            "type": "customer_visit",
            "date": "2027-04-01",
            "customer": "华信科技",
            "owner": "agent",
            "product_category": "it_network",
            "description": "重点用户走访",
        },
        {
            "type": "major_support",
            "date": "2027-06-01",
            "customer": "北方精密机械有限公司",
            "owner": "supervisor",
            "product_category": "it_network",
            "description": "重大现场保障",
        },
        {
            "type": "spare_parts_preinvestment",
            "date": "2027-07-01",
            "customer": "各服务分部",
            "owner": "mis",
            "product_category": "it_network",
            "description": "服务器备件预投",
        },
    ],
}


def opened_by_process(ctx) -> Counter:
    with ctx.uow() as uow:
        return Counter(i.process_key for i in uow.instances.list(limit=10_000))


def test_a_year_of_schedules_starts_each_recurring_procedure_once_per_period(app, ctx, clock):
    added = ensure_default_schedules(ctx)
    assert len(added) == 13 + 3  # thirteen recurring procedures, three active contracts
    assert ensure_default_schedules(ctx) == []  # added once
    for _ in range(366):
        clock.advance(timedelta(days=1))
        fire_due(ctx)
    assert opened_by_process(ctx) == {
        "daily_control": 366,  # every day at 18:00, 2026-03-02 … 2027-03-02
        "service_report": 12 + 2 + 1,  # monthly Apr 2026…Mar 2027, half-year Jul and Jan, annual Jan
        "kpi_review": 4,  # 2026-04-01, 07-01, 10-01, 2027-01-01
        "contract_renewal": 3,
        "annual_plan": 1,  # 2026-12-01
        "spare_parts_plan": 1,  # 2026-07-01
        "satisfaction_survey": 1,  # 2027-01-10
        "service_budget": 1,  # 2026-12-01, before the financial audit
        "market_research": 4,  # each quarter, like the KPI review
        "training": 4 + 1,  # the quarterly training plan, and the yearly check of who had none (2026-12-01)
        "complaint_meeting": 12,  # monthly Apr 2026…Mar 2027, with the month before's complaints
    }
    with ctx.uow() as uow:
        reviews = [i for i in uow.instances.list(limit=10_000) if i.process_key == "kpi_review"]
    periods = sorted(r.data["period"] for r in reviews)
    assert periods == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert set(reviews[0].data["figures"]) == {
        "first_time_fix",
        "quote_timeliness",
        "repair_timeliness",
        "complaint_satisfaction",
    }


def test_the_kpi_review_asks_for_gap_explanations_of_missed_targets(app, ctx, clock, as_user):
    complaint = ComplaintCase.registered(as_user)
    complaint.do("clarify_facts", within_authority=True)
    complaint.walk("immediate_solution", "feedback_customer", "confirm_feedback", "approve_closure")
    clock.advance(timedelta(days=93))
    fire_due(ctx)
    complaint.do("callback_survey", complainant_satisfied=False)  # 0 % satisfied in 2026-Q2
    from app.domain.principal import Principal
    from app.services.planning import schedules

    schedules.create_schedule(
        ctx,
        "kpi",
        "kpi_review",
        "R/2026-07-01T09:00:00+08:00/P3M",
        {"compute": "kpi_previous_quarter"},
        Principal("admin", frozenset({"admin"})),
    )
    clock.advance(datetime.fromisoformat("2026-07-01T09:01:00+08:00") - clock.now())
    assert fire_due(ctx).opened == 1
    with ctx.uow() as uow:
        [review] = [i for i in uow.instances.list(limit=100) if i.process_key == "kpi_review"]
    assert review.data["period"] == "2026-Q2" and review.data["missed"] == ["complaint_satisfaction"]
    tasks = {t["element_id"]: t for t in as_user("admin").get(f"/tasks?instance_id={review.id}").json}
    done = as_user("mis").post(f"/tasks/{tasks['check_figures']['id']}/complete", json={"figures_checked": True})
    assert done.status_code == 200
    tasks = {t["element_id"]: t for t in as_user("admin").get(f"/tasks?instance_id={review.id}").json}
    assert list(tasks) == ["explain_gaps"]


def test_an_approved_plan_turns_its_items_into_service_cases_on_their_dates(app, ctx, clock, as_user):
    started = as_user("agent").post("/processes/annual_plan/instances")
    assert started.status_code == 201
    plan_id = started.json["id"]

    def do(element_id, user, data):
        [task] = [
            t for t in as_user("admin").get(f"/tasks?instance_id={plan_id}").json if t["element_id"] == element_id
        ]
        return as_user(user).post(f"/tasks/{task['id']}/complete", json=data)

    outside = {**PLAN, "items": [{**PLAN["items"][0], "date": "2026-12-20"}]}
    refused = do("draft_plan", "agent", outside)
    assert refused.status_code == 422 and "items.0.date" in refused.json["fields"]
    # The plan year is the one the plan was opened for, not one typed in (a plan for 2065 was accepted).
    other_year = {**PLAN, "plan_year": 2065, "items": [{**i, "date": "2065" + i["date"][4:]} for i in PLAN["items"]]}
    refused = do("draft_plan", "agent", other_year)
    assert refused.status_code == 422 and "cannot be changed" in refused.json["fields"]["plan_year"][0]
    [draft] = [t for t in as_user("admin").get(f"/tasks?instance_id={plan_id}").json if t["element_id"] == "draft_plan"]
    form = as_user("agent").get(f"/tasks/{draft['id']}").json["form"]
    assert form["properties"]["plan_year"]["default"] == 2027 and form["properties"]["plan_year"]["readOnly"]
    assert do("draft_plan", "agent", PLAN).status_code == 200
    assert do("review_plan", "dept_head", {"review_approved": False, "review_comments": "预算偏高"}).status_code == 200
    assert do("draft_plan", "agent", {**PLAN, "budget": 1_000_000}).status_code == 200
    assert do("review_plan", "dept_head", {"review_approved": True}).status_code == 200
    assert do("approve_plan", "executive", {"plan_approved": True}).status_code == 200
    assert do("approve_major_support", "executive", {"major_support_approved": True}).status_code == 200
    assert as_user("admin").get(f"/instances/{plan_id}").json["status"] == "completed"

    progress = as_user("auditor").get(f"/reports/plans/{plan_id}").json
    assert progress["plan_year"] == 2027 and progress["counts"]["planned"] == 5
    assert [i["planned_for"][:10] for i in progress["items"]] == [
        "2027-03-15",
        "2027-05-10",
        "2027-04-01",
        "2027-06-01",
        "2027-07-01",
    ]

    clock.advance(datetime.fromisoformat("2027-03-15T09:00:01+08:00") - clock.now())
    assert fire_due(ctx).opened == 1
    progress = as_user("auditor").get(f"/reports/plans/{plan_id}").json
    assert [i["status"] for i in progress["items"]] == ["in_progress", "planned", "planned", "planned", "planned"]
    case = as_user("admin").get(f"/instances/{progress['items'][0]['case_id']}").json
    assert case["process_key"] == "repair" and case["parent_id"] == plan_id
    assert case["data"]["service_category"] == "repair" and case["data"]["plan_item_type"] == "patrol_inspection"
    clock.advance(datetime.fromisoformat("2027-07-01T09:00:01+08:00") - clock.now())
    assert fire_due(ctx).opened == 4
    progress = as_user("auditor").get(f"/reports/plans/{plan_id}").json
    opened = [as_user("admin").get(f"/instances/{i['case_id']}").json for i in progress["items"]]
    # each item type opens the procedure that fits it, as a child of the plan
    assert [c["process_key"] for c in opened] == ["repair", "training", "customer_visit", "repair", "spare_parts_plan"]
    assert {c["parent_id"] for c in opened} == {plan_id}
    training, visit, support, parts = opened[1:]
    assert training["data"]["training_kind"] == "customer" and training["data"]["customer_name"] == "华信科技"
    assert visit["data"]["customer_name"] == "华信科技" and visit["data"]["plan_item_owner"] == "agent"
    assert support["data"]["service_category"] == "major_support"
    assert parts["data"]["plan_case_no"] == progress["plan_case_no"] and parts["data"]["branches"]
    tasks = {
        t["element_id"]: t for c in opened[1:3] for t in as_user("admin").get(f"/tasks?instance_id={c['id']}").json
    }
    assert set(tasks) == {"plan_training", "plan_visit"}
    form = as_user("agent").get(f"/tasks/{tasks['plan_visit']['id']}").json["form"]
    assert form["properties"]["customer_name"]["default"] == "华信科技"  # the visit starts from the plan's customer
