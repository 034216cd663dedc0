"""The customer's own steps (lane ``customer``, R-14): done by the customer through their case's link,
or by staff on the customer's behalf (said explicitly, audited), or by staff after the customer's window
passed without an answer (a timer moves the step to a staff task)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from app.domain.master_data import CUSTOMERS
from app.domain.principal import Principal
from app.domain.roles import Role
from app.errors import Forbidden
from app.services.customers.messages import send_customer_messages
from app.services.tasks.work import complete_task
from app.services.tasks.work import get_task
from app.services.timing.timer_firing import fire_due_timers
from tests.api.test_workspace import session_for
from tests.complaint_driver import ComplaintCase
from tests.repair_driver import TO_DIAGNOSIS
from tests.repair_driver import RepairCase

WINDOW = timedelta(hours=48)  # the diagrams' customer window (README, deadlines)
SIGNED = {
    "signature": "data:image/png;base64,iVBORw0KGgo=",
    "signed_by": "张伟",
    "rating_attitude": 4,
    "rating_skills": 3,
    "rating_arrival": 2,
    "rating_promises": 1,
}
# The complaint's happy path up to the feedback given to the complainant.
TO_FEEDBACK = (
    "clarify_facts",
    "dept_head_review",
    "qa_investigation",
    "handle_complaint",
    "approve_countermeasures",
)


def link_principal(case_id: int) -> Principal:
    """The principal a case link stands for: the customer role, bound to its one case."""
    return Principal(f"link-{case_id}", frozenset({Role.CUSTOMER}), "客户 / Customer", case_id=case_id)


def task_of(case, element_id: str) -> dict:
    return case.ready()[element_id]


def on_behalf_events(case, *element_ids: str) -> list[dict]:
    """The audit trail's "done by staff on the customer's behalf" events (of ``element_ids``, if named)."""
    events = case.events("customer_step_on_behalf")
    return [e for e in events if not element_ids or e["element_id"] in element_ids]


def to_plan_answer(as_user) -> RepairCase:
    case = RepairCase(as_user)
    case.walk(*TO_DIAGNOSIS, "diagnose_on_site")
    assert list(case.ready()) == ["accept_plan"]
    return case


def to_confirmation(as_user) -> ComplaintCase:
    case = ComplaintCase.registered(as_user)
    case.walk(*TO_FEEDBACK)
    case.track_actions()
    case.walk("qa_sign_tracking", "feedback_customer")
    assert list(case.ready()) == ["confirm_feedback"]
    return case


def to_callback(app, as_user, clock) -> ComplaintCase:
    case = to_confirmation(as_user)
    case.walk("confirm_feedback", "approve_closure")
    clock.advance(timedelta(days=93))
    fire_due_timers(app.extensions["aftersales"])
    assert list(case.ready()) == ["callback_survey"]
    return case


def test_the_customer_accepts_the_plan_through_their_link(ctx, as_user):
    case = to_plan_answer(as_user)
    task = task_of(case, "accept_plan")
    customer = link_principal(case.id)
    view = get_task(ctx, task["id"], customer)
    assert view.data["quote_amount"] == 245 and view.data["repair_plan"]  # what they accept is shown
    complete_task(ctx, task["id"], {"plan_accepted": True}, customer)
    assert list(case.ready()) == ["perform_service"]
    done = [e for e in case.events("task_completed") if e["element_id"] == "accept_plan"]
    assert done[0]["actor"] == f"link-{case.id}"
    assert on_behalf_events(case) == []  # the customer's own answer


def test_a_link_of_another_case_may_neither_read_nor_do_the_customer_step(ctx, as_user):
    case = to_plan_answer(as_user)
    other = RepairCase(as_user)
    task = task_of(case, "accept_plan")
    stranger = link_principal(other.id)
    with pytest.raises(Forbidden):
        get_task(ctx, task["id"], stranger)
    with pytest.raises(Forbidden):
        complete_task(ctx, task["id"], {"plan_accepted": True}, stranger)
    with pytest.raises(Forbidden):  # nor a customer principal bound to no case
        complete_task(ctx, task["id"], {"plan_accepted": True}, Principal("x", frozenset({Role.CUSTOMER})))
    assert list(case.ready()) == ["accept_plan"]


def test_a_customer_link_does_only_the_customer_steps_of_its_case(ctx, as_user):
    case = to_plan_answer(as_user)
    customer = link_principal(case.id)
    complete_task(ctx, task_of(case, "accept_plan")["id"], {"plan_accepted": True}, customer)
    staff_step = task_of(case, "perform_service")
    with pytest.raises(Forbidden):
        get_task(ctx, staff_step["id"], customer)
    with pytest.raises(Forbidden):
        complete_task(ctx, staff_step["id"], {"labour_hours": 1, "functional_test_ok": True}, customer)


def test_staff_do_the_customer_step_only_when_saying_on_behalf_and_it_is_audited(as_user):
    case = to_plan_answer(as_user)
    task = task_of(case, "accept_plan")
    without = as_user("tech_urban1").post(f"/tasks/{task['id']}/complete", json={"plan_accepted": True})
    assert without.status_code == 403 and "on_behalf" in without.json["message"]
    finance = as_user("finance").post(f"/tasks/{task['id']}/complete?on_behalf=true", json={"plan_accepted": True})
    assert finance.status_code == 403  # not a role that deals with the customer
    done = as_user("tech_urban1").post(f"/tasks/{task['id']}/complete?on_behalf=true", json={"plan_accepted": True})
    assert done.status_code == 200, done.json
    [event] = on_behalf_events(case)
    assert event["element_id"] == "accept_plan" and event["actor"] == "tech_urban1"
    assert event["data"]["why"] == "at_hand" and "technician" in event["data"]["roles"]


def test_customer_steps_stay_out_of_staff_inboxes(as_user):
    case = to_plan_answer(as_user)
    task = task_of(case, "accept_plan")
    for user in ("agent", "tech_urban1", "supervisor", "dispatcher"):
        inbox = as_user(user).get("/tasks").json
        assert task["id"] not in {t["id"] for t in inbox}, user
    claimed = as_user("tech_urban1").post(f"/tasks/{task['id']}/claim")
    assert claimed.status_code in (403, 409)
    assert task["candidate_roles"] == ["customer"] and task["assignee"] is None


def test_a_declined_plan_needs_a_reason_and_ends_the_repair(as_user):
    case = to_plan_answer(as_user)
    bare = case.submit("accept_plan", {"plan_accepted": False})
    assert bare.status_code == 422 and "decline_reason" in str(bare.json)
    case.do("accept_plan", {"plan_accepted": False, "decline_reason": "报价太高 / too expensive"})
    body = case.body
    assert body["status"] == "completed" and case.completed_path()[-1] == "service_declined"
    assert body["data"]["decline_reason"] == "报价太高 / too expensive"


def test_no_answer_on_the_plan_in_48h_goes_to_the_agent_who_phones(app, as_user, clock):
    case = to_plan_answer(as_user)
    clock.advance(WINDOW - timedelta(minutes=1))
    fire_due_timers(app.extensions["aftersales"])
    assert list(case.ready()) == ["accept_plan"]
    clock.advance(timedelta(minutes=2))
    fire_due_timers(app.extensions["aftersales"])
    assert list(case.ready()) == ["record_plan_answer"]
    fallback = task_of(case, "record_plan_answer")
    assert fallback["candidate_roles"] == ["cs_agent"]
    assert fallback["id"] in {t["id"] for t in as_user("agent").get("/tasks").json}
    case.do("record_plan_answer", {"plan_accepted": True})
    assert list(case.ready()) == ["perform_service"]
    [event] = on_behalf_events(case)
    assert event["element_id"] == "record_plan_answer" and event["data"]["why"] == "fallback"
    assert event["actor"] == "agent"


def test_the_customer_signs_and_rates_on_their_phone(ctx, as_user):
    case = to_plan_answer(as_user)
    case.walk("accept_plan")
    case.do("perform_service", returned_at="2026-03-02T11:30:00+08:00")  # the engineer leaves the site
    step = task_of(case, "customer_acceptance")
    # The customer's own form asks only what is theirs: no field the engineer fills.
    assert "returned_at" not in get_task(ctx, step["id"], link_principal(case.id)).form["properties"]
    complete_task(ctx, step["id"], SIGNED, link_principal(case.id))
    assert list(case.ready()) == ["payment_invoice"]
    data = case.data
    assert (data["rating_attitude"], data["rating_skills"], data["rating_arrival"], data["rating_promises"]) == (
        4,
        3,
        2,
        1,
    )
    assert data["returned_at"] == "2026-03-02T11:30:00+08:00"  # the report's leaving time, the engineer's


def test_a_rating_outside_1_to_4_is_refused(as_user):
    case = to_plan_answer(as_user)
    case.walk("accept_plan", "perform_service")
    refused = case.submit("customer_acceptance", {**SIGNED, "rating_skills": 5})
    assert refused.status_code == 422 and "rating_skills" in str(refused.json)


def test_an_unsigned_acceptance_falls_back_to_the_engineers_device(app, as_user, clock):
    case = to_plan_answer(as_user)
    case.walk("accept_plan", "perform_service")
    clock.advance(WINDOW + timedelta(minutes=1))
    fire_due_timers(app.extensions["aftersales"])
    assert list(case.ready()) == ["sign_on_device"]
    fallback = task_of(case, "sign_on_device")
    assert fallback["candidate_roles"] == ["technician"] and fallback["assignee"] == "tech_urban1"
    case.do("sign_on_device", {**SIGNED, "returned_at": "2026-03-04T10:00:00+08:00"})
    assert list(case.ready()) == ["payment_invoice"]
    [event] = on_behalf_events(case, "sign_on_device", "customer_acceptance")
    assert event["element_id"] == "sign_on_device" and event["data"]["why"] == "fallback"
    papers = as_user("admin").get(f"/instances/{case.id}/papers").json
    assert "service-report" in {p["kind"] for p in papers}  # the device's signature makes the report valid


def test_the_complainant_confirms_the_result_or_says_why_not(as_user):
    case = to_confirmation(as_user)
    bare = case.submit("confirm_feedback", {"customer_accepts": False})
    assert bare.status_code == 422 and "not_accepted_reason" in str(bare.json)
    case.do("confirm_feedback", {"customer_accepts": False, "not_accepted_reason": "赔偿不足 / not enough"})
    assert list(case.ready()) == ["mediate"]


def test_an_unconfirmed_result_goes_to_the_desk_who_phones(app, as_user, clock):
    case = to_confirmation(as_user)
    clock.advance(WINDOW + timedelta(minutes=1))
    fire_due_timers(app.extensions["aftersales"])
    assert "record_feedback_answer" in case.ready() and "confirm_feedback" not in case.ready()
    case.do("record_feedback_answer", {"customer_accepts": True})
    assert "approve_closure" in case.ready()
    assert [e["data"]["why"] for e in on_behalf_events(case, "record_feedback_answer", "confirm_feedback")] == [
        "fallback"
    ]


def test_the_complainant_closes_their_own_complaint_after_three_months(ctx, app, as_user, clock):
    case = to_callback(app, as_user, clock)
    answer = {"recurred": False, "complainant_satisfied": True, "closure_decision": "close"}
    complete_task(ctx, task_of(case, "callback_survey")["id"], answer, link_principal(case.id))
    body = case.body
    assert body["status"] == "completed" and body["data"]["complaint_status"] == "closed"


def test_a_reopen_needs_a_reason_and_returns_the_complaint_to_qa(app, as_user, clock):
    case = to_callback(app, as_user, clock)
    reopen = {"recurred": True, "complainant_satisfied": False, "closure_decision": "reopen"}
    bare = case.submit("callback_survey", reopen)
    assert bare.status_code == 422 and "reopen_reason" in str(bare.json)
    case.do("callback_survey", {**reopen, "reopen_reason": "又漏水了 / leaking again"})
    assert list(case.ready()) == ["qa_investigation"]
    data = case.data
    assert data["complaint_status"] == "reopened" and data["reopen_count"] == 1
    assert data["reopen_reason"] == "又漏水了 / leaking again"


def test_an_unanswered_callback_is_phoned_by_the_desk(app, as_user, clock):
    case = to_callback(app, as_user, clock)
    clock.advance(WINDOW + timedelta(minutes=1))
    fire_due_timers(app.extensions["aftersales"])
    assert list(case.ready()) == ["callback_by_phone"]
    case.do("callback_by_phone", {"recurred": False, "complainant_satisfied": True, "closure_decision": "close"})
    assert case.body["status"] == "completed"
    assert [e["data"]["why"] for e in on_behalf_events(case, "callback_by_phone", "callback_survey")] == ["fallback"]


def test_the_task_page_says_staff_send_the_customers_step_on_their_behalf(app, as_user):
    case = to_plan_answer(as_user)
    task_id = task_of(case, "accept_plan")["id"]
    client, _ = session_for(app, "tech_urban1")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    config = json.loads(re.search(r'id="task-config">(.*?)</script>', page, re.S).group(1))
    assert config["onBehalf"] is True and config["workable"] is True and config["claimOnEdit"] is False
    assert "代客户办理" in page


def test_the_customers_messages_are_in_the_language_of_the_record_the_case_is_filed_under(ctx, as_user):
    """The record's language counts even when the record was renamed since (the case keeps the old name)."""
    with ctx.uow() as uow:
        record = uow.records.get(CUSTOMERS, "C001")
        record.language, record.name = "en", "张伟 Zhang Wei (Mr)"
        uow.commit()
    to_plan_answer(as_user)  # registered on C001's unit: filed under C001
    send_customer_messages(ctx)
    [message] = [m for m in ctx.customers.senders["sms"].sent if m.address == "13800000001"]
    assert message.subject.startswith('Your step: "Accept the plan and quote"')
