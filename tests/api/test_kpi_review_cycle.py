"""The quarterly KPI review to its end (seed 002 §5.1.5): each missed target goes to the department that
owns it (K-02), the service manager evaluates, and the general manager's refusal, with its reason, sends
the review back to the departments instead of ending it like an acceptance."""

from __future__ import annotations

from datetime import datetime

from app.domain.principal import Principal
from app.services.planning import schedules
from app.services.timing.timer_firing import fire_due
from tests.case_driver import CaseDriver

ADMIN = Principal("admin", frozenset({"admin"}))


def gap(kpi: str) -> dict:
    return {"kpi": kpi, "explanation": "人手不足", "improvement": "增派", "owner": "张三", "due_date": "2026-09-30"}


class Review(CaseDriver):
    ROLE_USER = {
        "mis": "mis",
        "dept_head": "dept_head",
        "sales": "admin",  # no sales user in the test set
        "supervisor": "supervisor",
        "service_manager": "service_manager",
        "executive": "executive",
    }
    FORMS = {
        "check_figures": {"figures_checked": True},
        "explain_gaps": {"gap_explanations": [gap("complaint_satisfaction")]},
        "explain_quote_gap": {"quote_gap_explanations": [gap("quote_timeliness")]},
        "explain_repair_gap": {"repair_gap_explanations": [gap("repair_timeliness")]},
        "evaluate_kpis": {"department_assessment": "技术部、业务部未达标", "system_evaluation": "体系基本有效"},
    }


def opened_review(ctx, clock, as_user, missed: list[str]) -> Review:
    data = {"period": "2026-Q2", "missed": missed}
    schedules.create_schedule(ctx, "kpi-test", "kpi_review", "R1/2026-07-01T09:00:00+08:00/P3M", data, ADMIN)
    clock.advance(datetime.fromisoformat("2026-07-01T09:01:00+08:00") - clock.now())
    assert fire_due(ctx).opened == 1
    with ctx.uow() as uow:
        [review] = [i for i in uow.instances.list(limit=100) if i.process_key == "kpi_review"]
    return Review(as_user, review.id)


def test_each_missed_target_goes_to_its_department_and_a_refusal_sends_them_back(app, ctx, clock, as_user):
    review = opened_review(ctx, clock, as_user, ["quote_timeliness", "repair_timeliness"])
    review.do("check_figures")
    ready = review.ready()
    assert set(ready) == {"explain_quote_gap", "explain_repair_gap"}  # customer service met its targets
    assert ready["explain_quote_gap"]["candidate_roles"] == ["sales"]
    assert ready["explain_repair_gap"]["candidate_roles"] == ["supervisor"]
    review.do("explain_quote_gap")
    assert set(review.ready()) == {"explain_repair_gap"}  # the evaluation waits for every department
    review.do("explain_repair_gap")
    assert review.ready()["evaluate_kpis"]["candidate_roles"] == ["service_manager"]
    review.do("evaluate_kpis")

    refused = review.submit("review_kpis", {"kpi_review_accepted": False}, user="executive")
    assert refused.status_code == 422 and "kpi_review_reason" in str(refused.json["errors"])
    review.do("review_kpis", {"kpi_review_accepted": False, "kpi_review_reason": "改进措施不具体"})
    assert review.body["status"] != "completed"
    assert set(review.ready()) == {"check_figures"}  # the review starts again from the figures
    review.do("check_figures")
    assert set(review.ready()) == {"explain_quote_gap", "explain_repair_gap"}

    review.walk("explain_quote_gap", "explain_repair_gap", "evaluate_kpis")
    review.do("review_kpis", {"kpi_review_accepted": True})
    assert review.body["status"] == "completed"
    path = review.completed_path()
    assert path.count("review_kpis") == 2 and path.count("explain_repair_gap") == 2


def test_a_department_explains_only_its_own_targets(app, ctx, clock, as_user):
    review = opened_review(ctx, clock, as_user, ["complaint_satisfaction"])
    review.do("check_figures")
    assert list(review.ready()) == ["explain_gaps"]
    wrong = review.submit("explain_gaps", {"gap_explanations": [gap("quote_timeliness")]})
    assert wrong.status_code == 422
    review.walk("explain_gaps", "evaluate_kpis")
    review.do("review_kpis", {"kpi_review_accepted": True})
    assert review.body["status"] == "completed"


def test_with_every_target_met_the_service_manager_evaluates_straight_away(app, ctx, clock, as_user):
    review = opened_review(ctx, clock, as_user, [])
    review.do("check_figures")
    assert list(review.ready()) == ["evaluate_kpis"]
    review.do("evaluate_kpis")
    review.do("review_kpis", {"kpi_review_accepted": True})
    assert review.body["status"] == "completed"
