"""Return to factory (seed 000 §4.5.7, seed 003 F-18, seed 002 F-16): the limit covers the repair, the
QA inspection and the shipping back, counted from the pickup receipt and not restarted by a failed
inspection; the pickup receipt is cancelled when the unit goes back; an agreed substitute is shipped
instead, and the customer accepts the substitute."""

from __future__ import annotations

from datetime import timedelta

from app.services.timing.timer_firing import fire_due
from tests.repair_driver import FORMS
from tests.repair_driver import RepairCase


def at_the_factory(as_user) -> RepairCase:
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")
    case.do("diagnose_on_site", fixable_on_site=False)
    case.do("accept_plan")
    case.do("rtf_receive")
    return case


def factory_timer(case: RepairCase) -> dict:
    [timer] = [t for t in case.timer_rows() if t["element_id"] == "rtf_overdue"]
    return timer


def test_a_failed_inspection_does_not_restart_the_limit_and_shipping_back_is_inside_it(ctx, clock, as_user):
    case = at_the_factory(as_user)
    due = factory_timer(case)["due_at"]
    clock.advance(timedelta(days=6))
    case.do("rtf_repair")
    case.do("qa_inspection", inspection_passed=False, inspection_notes="噪音超标")
    clock.advance(timedelta(days=3))
    case.walk("rtf_repair", "qa_inspection")  # repaired again and passed on day 9
    assert factory_timer(case)["due_at"] == due  # the same limit as at the receipt
    clock.advance(timedelta(days=1, seconds=1))  # day 10: passed QA but not shipped back yet
    fire_due(ctx)
    assert sorted(case.ready()) == ["rtf_negotiate_delay", "ship_back"]
    [escalation] = [e for e in case.events("escalation") if e["element_id"] == "rtf_overdue"]
    assert escalation["data"]["clause"].startswith("D-09")
    case.walk("rtf_negotiate_delay", "ship_back")
    assert list(case.ready()) == ["customer_acceptance"]


def test_shipping_back_within_the_limit_stops_the_clock(ctx, clock, as_user):
    case = at_the_factory(as_user)
    clock.advance(timedelta(days=5))
    case.walk("rtf_repair", "qa_inspection", "ship_back")
    assert factory_timer(case)["status"] == "cancelled"
    clock.advance(timedelta(days=10))
    fire_due(ctx)
    assert "rtf_negotiate_delay" not in case.ready()


def test_the_pickup_receipt_is_cancelled_when_the_unit_goes_back(as_user):
    case = at_the_factory(as_user)
    case.walk("rtf_repair", "qa_inspection")
    task = case.ready()["ship_back"]
    form = as_user("dispatcher").get(f"/tasks/{task['id']}").json["form"]
    assert form["properties"]["pickup_receipt_no"]["const"] == "PR-0001"  # the receipt given at the in-register
    kept = case.submit("ship_back", {**FORMS["ship_back"], "pickup_receipt_cancelled": False})
    assert kept.status_code == 422 and "pickup_receipt_cancelled" in kept.json["fields"]
    forgotten = {k: v for k, v in FORMS["ship_back"].items() if k != "pickup_receipt_cancelled"}
    assert case.submit("ship_back", forgotten).status_code == 422
    case.do("ship_back")
    [shipped] = [e for e in case.events("task_completed") if e["element_id"] == "ship_back"]
    assert shipped["data"]["pickup_receipt_cancelled"] is True and shipped["data"]["pickup_receipt_no"] == "PR-0001"


def test_an_agreed_substitute_is_shipped_and_accepted_instead_of_the_unit(ctx, clock, as_user):
    case = at_the_factory(as_user)
    case.do("rtf_repair", repair_outcome="irreparable")
    case.do("agree_substitute")
    assert list(case.ready()) == ["ship_substitute"]
    unlisted = {k: v for k, v in FORMS["ship_substitute"].items() if k != "substitute_serial_no"}
    refused = case.submit("ship_substitute", unlisted)
    assert refused.status_code == 422 and "substitute_serial_no" in refused.json["fields"]
    case.do("ship_substitute")
    assert list(case.ready()) == ["customer_acceptance"]
    assert factory_timer(case)["status"] == "cancelled"  # the substitute's shipping stops the clock too
    assert case.data["substitute_serial_no"] == "SN-FR-9001" and case.data["pickup_receipt_cancelled"] is True


def test_a_substitute_the_customer_refuses_sends_the_unit_back(as_user):
    case = at_the_factory(as_user)
    case.do("rtf_repair", repair_outcome="irreparable")
    case.do("agree_substitute", substitute_agreed=False, substitute_notes="客户要求原机退回")
    assert list(case.ready()) == ["ship_back"]
    case.do("ship_back")
    assert "ship_substitute" not in case.completed_path() and list(case.ready()) == ["customer_acceptance"]
