"""Dispatch before the appointment (seed 004 §二.1–3): the dispatcher chooses the engineer, then customer
service gives the customer the engineer's name and phone and agrees the visit; a customer who is not
there at the appointment gets a new one, and the arrival promise keeps counting from the request."""

from __future__ import annotations

from datetime import timedelta

from app.services.timing.timer_firing import fire_due
from tests.api.test_customer_links import issue
from tests.api.test_web import login
from tests.repair_driver import FORMS
from tests.repair_driver import RepairCase


def arrival_timer(case: RepairCase) -> dict:
    [timer] = [t for t in case.timer_rows() if t["element_id"] == "arrival_deadline_passed"]
    return timer


def test_the_engineer_is_chosen_before_the_customer_is_given_a_time(app, as_user):
    case = RepairCase(as_user)
    case.do("contact_customer")  # the first contact (D-01) chooses the service mode only
    assert list(case.ready()) == ["dispatch_notice"]
    case.do("dispatch_notice", technician="tech_urban2")
    [appointment] = case.ready().values()
    assert appointment["element_id"] == "agree_appointment"
    form = as_user("agent").get(f"/tasks/{appointment['id']}").json["form"]
    assert form["properties"]["technician"]["const"] == "tech_urban2"  # the agent sees whom to announce
    browser = app.test_client()
    login(browser, "agent")
    facts = browser.get(f"/tasks/{appointment['id']}").get_data(as_text=True)
    facts = facts[facts.index('id="task-facts"') :]
    # ... and what to tell the customer: the engineer's name and work phone from the master record
    assert "告知客户的工程师（姓名、电话）" in facts and "杨磊 Yang Lei · 13900100002" in facts
    assert facts.index("13900100002") < facts.index("dispatch_notes")  # in the order the step names them
    no_time = case.submit("agree_appointment", {"engineer_contact_given": True})
    assert no_time.status_code == 422 and "appointment_at" in no_time.json["fields"]
    untold = case.submit("agree_appointment", {**FORMS["agree_appointment"], "engineer_contact_given": False})
    assert untold.status_code == 422 and "engineer_contact_given" in untold.json["fields"]
    case.do("agree_appointment")
    assert case.ready()["record_arrival"]["assignee"] == "tech_urban2"
    done = [e["element_id"] for e in case.events("task_completed")]
    assert done.index("dispatch_notice") < done.index("agree_appointment")


def test_a_customer_not_there_gets_a_new_appointment_and_the_promise_keeps_running(ctx, clock, as_user):
    case = RepairCase(as_user)
    due = arrival_timer(case)["due_at"]
    case.walk("contact_customer", "dispatch_notice", "agree_appointment")
    clock.advance(timedelta(hours=2))
    case.do("record_arrival", customer_present=False, arrival_note="客户不在家")
    assert list(case.ready()) == ["agree_appointment"]  # not ended: the agent agrees a new time
    assert arrival_timer(case)["status"] == "waiting" and arrival_timer(case)["due_at"] == due  # not restarted
    case.do("agree_appointment", appointment_notes="客户改约下午")
    clock.advance(timedelta(hours=4, seconds=1))  # the promise (6 working hours from the request) runs out
    fire_due(ctx)
    assert sorted(case.ready()) == ["record_arrival", "supervisor_late_arrival"]
    case.do("record_arrival")
    assert "diagnose_on_site" in case.ready()
    assert arrival_timer(case)["status"] == "fired"
    assert [e["element_id"] for e in case.events("task_completed")].count("agree_appointment") == 2


def test_the_second_visit_on_time_keeps_the_promise(ctx, clock, as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice", "agree_appointment")
    case.do("record_arrival", customer_present=False)
    case.do("agree_appointment")
    clock.advance(timedelta(hours=3))
    case.do("record_arrival")
    assert arrival_timer(case)["status"] == "cancelled"  # arrived within the promise: the clock stopped
    clock.advance(timedelta(days=1))
    fire_due(ctx)
    assert "supervisor_late_arrival" not in case.ready() and "diagnose_on_site" in case.ready()


def test_the_customers_link_names_the_engineer_with_the_work_phone(ctx, app, as_user):
    case = RepairCase(as_user)
    case.do("contact_customer")
    case.do("dispatch_notice", technician="tech_urban2")
    page = app.test_client().get(issue(ctx, case.id).path).get_data(as_text=True)
    engineer = page[page.index('id="engineer"') :].split("</dd>")[0]
    assert "杨磊 Yang Lei" in engineer and 'href="tel:13900100002"' in engineer
