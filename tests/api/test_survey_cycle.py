"""The annual satisfaction survey to its end (seed 004 §5.4, K-06): eligibility counted by the customer
code on record, a 30-day reply window that ends the collection (G-06), a reminder loop with its own
wait, and below 80 % after the window an escalation, then the analysis of what came back — done by
marketing (§5.4.2)."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from app.domain.principal import Principal
from app.services.planning import schedules
from app.services.timing.timer_firing import fire_due
from tests.case_driver import CaseDriver
from tests.repair_driver import RepairCase

ADMIN = Principal("admin", frozenset({"admin"}))


def answer(code: str, returned: bool = True, score: int = 95) -> dict:
    return {"customer_code": code, "customer_name": code, "returned": returned, "score": score, "comments": ""}


class Survey(CaseDriver):
    ROLE_USER = {"sales": "admin", "executive": "executive"}  # no sales user in the test set
    FORMS = {
        "send_questionnaires": {"sent_count": 3, "channel": "mail"},
        "reminder_round": {"reminder_notes": "电话催收"},
        "escalate_low_return": {"low_return_acknowledged": True, "low_return_remedy": "走访重点客户"},
        "cause_analysis": {
            "analyses": [
                {"customer_code": "C3", "cause": "响应慢", "corrective_action": "增派", "reply_date": "2027-03-01"}
            ]
        },
        "survey_report": {"report_summary": "满意度总体良好"},
        "gm_reviews_survey": {},
    }


def opened_survey(ctx, clock, as_user) -> Survey:
    rule, data = "R1/2027-01-10T09:00:00+08:00/P1Y", {"compute": "survey_customers"}
    schedules.create_schedule(ctx, "survey-test", "satisfaction_survey", rule, data, ADMIN)
    clock.advance(datetime.fromisoformat("2027-01-10T09:01:00+08:00") - clock.now())
    assert fire_due(ctx).opened == 1
    with ctx.uow() as uow:
        [survey] = [i for i in uow.instances.list(limit=100) if i.process_key == "satisfaction_survey"]
    return Survey(as_user, survey.id)


def advance(ctx, clock, days: float) -> None:
    clock.advance(timedelta(days=days, minutes=1))
    fire_due(ctx)


def test_eligibility_counts_cases_by_the_customer_code_on_record_not_by_name(app, ctx, clock, as_user):
    for _ in range(3):
        RepairCase(as_user)  # SN-FR-1001: the demo customer C001, 张伟 Zhang Wei
    # A second customer of the same name: the first case creates the unit and the customer (and counts).
    namesake = {"serial_no": "SN-NAMESAKE-1", "customer_phone": "13977770000"}
    for _ in range(3):
        RepairCase(as_user, **namesake)
    RepairCase(as_user, serial_no="SN-ONCE-1", customer_phone="13966660000")
    code = as_user("agent").get("/master/units/SN-NAMESAKE-1").json["record"]["customer_code"]
    survey = opened_survey(ctx, clock, as_user)
    eligible = survey.data["eligible_customers"]
    assert sorted(c["code"] for c in eligible) == sorted(["C001", code])  # two customers, not one of six cases
    assert {c["name"] for c in eligible} == {"张伟 Zhang Wei"}
    assert {c["code"]: c["cases"] for c in eligible}["C001"] == 3
    namesake_record = next(c for c in eligible if c["code"] == code)
    assert namesake_record["phone"] == "13977770000" and namesake_record["language"] == "zh_Hans"  # for the link


def test_the_reply_window_ends_the_collection_and_a_low_return_is_escalated_then_analysed(app, ctx, clock, as_user):
    survey = opened_survey(ctx, clock, as_user)
    survey.do("send_questionnaires")
    survey.do("record_answers", {"answers": [answer("C1"), answer("C2", returned=False), answer("C3", False)]})
    assert list(survey.ready()) == ["reminder_round"]  # 1 of 3 back
    survey.do("reminder_round")
    assert survey.ready() == {}  # the reminder round waits for replies
    advance(ctx, clock, 7)
    assert list(survey.ready()) == ["record_answers"]
    survey.do("record_answers", {"answers": [answer("C1"), answer("C2", score=70), answer("C3", returned=False)]})
    assert list(survey.ready()) == ["reminder_round"]  # 2 of 3 = 67 %, the window is still open
    advance(ctx, clock, 30)  # the 30 days from sending are over while the reminder is not done
    ready = survey.ready()
    assert list(ready) == ["escalate_low_return"] and ready["escalate_low_return"]["candidate_roles"] == ["executive"]
    assert survey.data["collection_closed"] is True and round(survey.data["return_rate"], 2) == 0.67
    survey.do("escalate_low_return")
    ready = survey.ready()
    assert list(ready) == ["cause_analysis"] and ready["cause_analysis"]["candidate_roles"] == ["sales"]
    survey.walk("cause_analysis", "survey_report", "gm_reviews_survey")
    assert survey.body["status"] == "completed"
    fired = [t["element_id"] for t in survey.timer_rows() if t["status"] == "fired"]
    assert fired == ["wait_for_replies", "reminder_window_over"]


def test_a_survey_back_by_80_percent_with_good_scores_needs_no_analysis(app, ctx, clock, as_user):
    survey = opened_survey(ctx, clock, as_user)
    survey.do("send_questionnaires", {"sent_count": 5, "channel": "email"})
    answers = [answer(f"C{i}") for i in range(4)] + [answer("C9", returned=False)]
    survey.do("record_answers", {"answers": answers})
    assert list(survey.ready()) == ["survey_report"]
    survey.walk("survey_report", "gm_reviews_survey")
    assert survey.body["status"] == "completed"
    assert [t["element_id"] for t in survey.timer_rows() if t["status"] == "waiting"] == []  # the window closed too


def test_nothing_recorded_in_the_window_closes_the_collection_at_zero(app, ctx, clock, as_user):
    survey = opened_survey(ctx, clock, as_user)
    survey.do("send_questionnaires")
    advance(ctx, clock, 30)
    assert list(survey.ready()) == ["escalate_low_return"]
    assert survey.data["return_rate"] == 0
