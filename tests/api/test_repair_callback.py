"""The repair callback (seed 002 §5.2, K-04) answered by the customer through the link their SMS
carries (issue 21): their answer is what the first-time-fix KPI and the meetings' callback figures
read; without an answer in 48 h the desk phones them (the staff task ``callback``, the same form)."""

from __future__ import annotations

import re
from datetime import datetime
from datetime import timedelta

from app.domain.principal import Principal
from app.services.customers.messages import send_customer_messages
from app.services.planning.start_figures import start_data
from app.services.qa.kpi import period_kpis
from app.services.timing.timer_firing import fire_due_timers
from tests.api.test_customer_links import post_step
from tests.api.test_customer_steps import WINDOW
from tests.api.test_customer_steps import on_behalf_events
from tests.complaint_driver import ComplaintCase
from tests.conftest import T0
from tests.repair_driver import RepairCase

AUDITOR = Principal("auditor", frozenset({"auditor"}))
PHONE = "13800000001"  # the driver's customer
ANSWER = {
    "arrived_on_time": True,
    "fixed_first_visit": False,
    "expertise_satisfied": True,
    "satisfaction_score": 72,
    "satisfied": True,
    "callback_comments": "第二次才修好 / fixed on the second try",
}


def to_callback(as_user) -> RepairCase:
    """A case solved by remote support: the customer's callback answer is what is ready."""
    case = RepairCase(as_user)
    case.do("contact_customer", service_mode="remote")
    case.do("remote_support")
    assert list(case.ready()) == ["callback_answer"]
    return case


def sms_link(ctx) -> tuple[str, str]:
    """The newest SMS to the customer: (its text, the link path it carries)."""
    send_customer_messages(ctx)
    [*_, sms] = [m for m in ctx.customers.senders["sms"].sent if m.address.replace(" ", "") == PHONE]
    return sms.body, re.search(r"(/c/[\w.\-]+)", sms.body).group(1)


def answer_on_the_phone(app, ctx, answer: dict) -> None:
    text, path = sms_link(ctx)
    assert "「回访：评价本次服务」" in text  # the step by its name, in the customer's language
    phone = app.test_client()
    page = phone.get(path).get_data(as_text=True)
    assert "满意度" not in page and "您给本次服务打几分" in page  # the customer's own wording
    assert "远程指导" in page and "完成的工作" not in page  # what was done on this case's path only
    done = post_step(phone, path, answer)
    assert done.status_code == 200, done.json


def callback_figures(ctx) -> dict:
    """The March figures the April service statistics start with (the callbacks and their score)."""
    with ctx.uow() as uow:
        run = datetime(2026, 4, 1, 9, tzinfo=T0.tzinfo)
        return start_data(uow, ctx.calendar.tz, {"compute": "service_statistics"}, run)["statistics"]


def test_the_customer_answers_the_callback_through_their_link_and_the_kpi_counts_it(app, ctx, as_user):
    case = to_callback(as_user)
    answer_on_the_phone(app, ctx, ANSWER)
    assert case.body["status"] == "completed" and case.completed_path()[-1] == "case_closed"
    [done] = [e for e in case.events("task_completed") if e["element_id"] == "callback_answer"]
    assert done["actor"].startswith("customer-link:") and done["data"]["satisfaction_score"] == 72
    assert on_behalf_events(case) == []  # the customer's own answer
    first_time_fix = period_kpis(ctx, "2026-03", AUDITOR)["figures"]["first_time_fix"]
    assert (first_time_fix["cases"], first_time_fix["value"]) == (1, 0.0)  # not fixed on the first visit
    statistics = callback_figures(ctx)
    assert (statistics["callbacks"], statistics["average_satisfaction_score"]) == (1, 72)


def test_no_answer_in_48_hours_goes_to_the_desk_who_phones_and_the_link_is_spent(app, ctx, as_user, clock):
    case = to_callback(as_user)
    _, path = sms_link(ctx)
    clock.advance(WINDOW - timedelta(minutes=1))
    fire_due_timers(ctx)
    assert list(case.ready()) == ["callback_answer"]
    clock.advance(timedelta(minutes=2))
    fire_due_timers(ctx)
    assert list(case.ready()) == ["callback"]
    fallback = case.ready()["callback"]
    assert fallback["candidate_roles"] == ["cs_agent"]
    assert fallback["id"] in {t["id"] for t in as_user("agent").get("/tasks").json}  # in the desk's inbox
    refused = app.test_client().get(path)
    assert refused.status_code == 410 and "已完成" in refused.get_data(as_text=True)
    case.do("callback", {**ANSWER, "fixed_first_visit": True, "satisfaction_score": 90})
    assert case.body["status"] == "completed"
    [event] = on_behalf_events(case, "callback", "callback_answer")
    assert event["element_id"] == "callback" and event["data"]["why"] == "fallback" and event["actor"] == "agent"
    first_time_fix = period_kpis(ctx, "2026-03", AUDITOR)["figures"]["first_time_fix"]
    assert (first_time_fix["cases"], first_time_fix["value"]) == (1, 1.0)  # the phoned answer counts the same
    assert callback_figures(ctx)["average_satisfaction_score"] == 90


def test_a_dissatisfied_customer_answer_opens_a_linked_complaint(app, ctx, as_user):
    repair = to_callback(as_user)
    unhappy = {**ANSWER, "satisfied": False, "satisfaction_score": 20, "callback_comments": "工程师迟到且态度差"}
    answer_on_the_phone(app, ctx, unhappy)
    assert repair.completed_path()[-1] == "closed_dissatisfied"
    [link] = repair.body["links"]
    assert (link["relation"], link["process_key"]) == ("opened", "complaint")
    complaint = ComplaintCase(as_user, link["id"])
    assert complaint.data["intake"]["description"] == "工程师迟到且态度差"
    assert complaint.data["intake"]["linked_case_no"] == repair.body["case_no"]
    assert list(complaint.ready()) == ["register_complaint"]


def test_staff_record_the_customers_callback_answer_only_saying_on_behalf(as_user):
    case = to_callback(as_user)
    task = case.ready()["callback_answer"]
    assert task["candidate_roles"] == ["customer"]
    assert task["id"] not in {t["id"] for t in as_user("agent").get("/tasks").json}  # not in a staff inbox
    without = as_user("agent").post(f"/tasks/{task['id']}/complete", json=ANSWER)
    assert without.status_code == 403 and "on_behalf" in without.json["message"]
    done = as_user("agent").post(f"/tasks/{task['id']}/complete?on_behalf=true", json=ANSWER)
    assert done.status_code == 200, done.json
    [event] = on_behalf_events(case)
    assert (event["element_id"], event["actor"], event["data"]["why"]) == ("callback_answer", "agent", "at_hand")
    assert case.body["status"] == "completed"


def test_a_read_only_field_the_case_does_not_hold_cannot_be_written_through_the_link(app, ctx, as_user):
    """A remote case holds no on-site "work done": what a link sends for that read-only field is dropped,
    never kept as the case's (the guidance the case holds cannot be changed either)."""
    case = to_callback(as_user)
    _, path = sms_link(ctx)
    phone = app.test_client()
    changed = post_step(phone, path, {**ANSWER, "answer": "别的说法 / something else"})
    assert changed.status_code == 422 and "answer" in changed.json["fields"]
    done = post_step(phone, path, {**ANSWER, "repair_plan": "更换压缩机 / replaced the compressor"})
    assert done.status_code == 200, done.json
    assert "repair_plan" not in case.data and case.data["answer"] == "指导用户重置温控器"
