"""The repair diagram's remaining rules of issue 15: a late arrival opens a refund case (W-07, D-17);
parts mailed to a paying customer are paid for (W-02); the 1-hour response of the PREMIUM profile
(D-02), the phone appointment within 10 minutes of the dispatch (D-04), the general parts the site
lacks answered within 24 hours (D-10) and the paid service settled the same day (D-28) are watched; a
consultation or a mailing does not go on site (Table 1)."""

from __future__ import annotations

from datetime import timedelta

from app.services.timing.timer_firing import fire_due
from tests.case_driver import CaseDriver
from tests.repair_driver import FORMS
from tests.repair_driver import TO_ACCEPTANCE
from tests.repair_driver import TO_DIAGNOSIS
from tests.repair_driver import RepairCase

LATE = {"customer_informed": True, "action_taken": "已致电客户致歉并催促工程师"}


def late_case(ctx, clock, as_user) -> RepairCase:
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice", "agree_appointment")
    clock.advance(timedelta(hours=6, seconds=1))  # past the 6 working hours of an urban request
    fire_due(ctx)
    return case


def test_a_late_arrival_with_a_refund_due_opens_a_linked_refund_case(ctx, clock, as_user):
    case = late_case(ctx, clock, as_user)
    refused = case.submit("supervisor_late_arrival", {**LATE, "refund_due": True})
    assert refused.status_code == 422 and "refund_amount" in refused.json["fields"]
    case.do("supervisor_late_arrival", {**LATE, "refund_due": True, "refund_amount": 50})
    [sent] = case.events("message_sent")
    refund = CaseDriver(as_user, sent["data"]["to_instance_id"])
    assert (refund.body["process_key"], refund.body["parent_id"]) == ("refund", case.id)
    data = refund.data
    assert (data["refund_reason"], data["requested_amount"], data["linked_case_no"]) == (
        "late_arrival",
        50,
        case.body["case_no"],
    )
    assert list(refund.ready()) == ["approve_refund"]
    assert "record_arrival" in case.ready()  # the service itself goes on


def test_a_late_arrival_without_a_refund_opens_nothing(ctx, clock, as_user):
    case = late_case(ctx, clock, as_user)
    case.do("supervisor_late_arrival", LATE)
    assert case.events("message_sent") == [] and "late_arrival_handled" in case.completed_path()


def test_parts_mailed_to_a_paying_customer_are_paid_for_before_the_callback(as_user):
    case = RepairCase(as_user)  # out of warranty: fee type A
    case.do("contact_customer", service_mode="mail_parts")
    case.walk("mail_parts", "confirm_delivery")
    assert list(case.ready()) == ["payment_invoice"]
    case.do("payment_invoice", amount=90, payment_method="cash", invoice_no="FP-0090")
    assert list(case.ready()) == ["callback_answer"]  # no visit, so no service report
    assert "file_report" not in case.completed_path()


def test_a_premium_request_must_be_answered_within_one_hour(ctx, clock, as_user):
    premium, standard = RepairCase(as_user, urgency="high"), RepairCase(as_user)
    clock.advance(timedelta(hours=1, seconds=1))
    fire_due(ctx)
    assert sorted(premium.ready()) == ["contact_customer", "supervisor_contact_followup"]
    assert list(standard.ready()) == ["contact_customer"]  # 24 hours (D-01)


def test_no_phone_appointment_ten_minutes_after_the_dispatch_goes_to_the_supervisor(ctx, clock, as_user):
    late, prompt = RepairCase(as_user), RepairCase(as_user)
    for case in (late, prompt):
        case.walk("contact_customer", "dispatch_notice")
    clock.advance(timedelta(minutes=9))
    prompt.do("agree_appointment")
    clock.advance(timedelta(minutes=1, seconds=1))
    fire_due(ctx)
    assert sorted(late.ready()) == ["agree_appointment", "supervisor_appointment_followup"]
    [escalation] = late.events("escalation")
    assert escalation["data"]["clause"] == "D-04"
    assert "supervisor_appointment_followup" not in prompt.ready()
    late.do("supervisor_appointment_followup", {"action_taken": "已督促客服立即致电"})


def test_parts_the_site_lacks_are_answered_within_24_hours_or_the_supervisor_chases(ctx, clock, as_user):
    slow, carried = RepairCase(as_user), RepairCase(as_user)
    for case in (slow, carried):
        case.walk(*TO_DIAGNOSIS)
    slow.do("diagnose_on_site", {**FORMS["diagnose_on_site"], "parts_to_send": True})
    slow.do("accept_plan")
    carried.do("diagnose_on_site")  # the van carries the relay: no parts to send, straight to the work
    carried.do("accept_plan")
    assert list(slow.ready()) == ["supply_parts"] and list(carried.ready()) == ["perform_service"]
    clock.advance(timedelta(hours=23, minutes=59))
    fire_due(ctx)
    assert "supervisor_parts_followup" not in slow.ready()
    clock.advance(timedelta(minutes=2))  # 24 calendar hours, nights and weekends included
    fire_due(ctx)
    assert sorted(slow.ready()) == ["supervisor_parts_followup", "supply_parts"]
    assert [e["data"]["clause"] for e in slow.events("escalation")] == ["D-10"]
    slow.do("supply_parts", {"parts_supply": "stock", "parts_expected_on": "2026-03-05", "parts_dispatch_note": "SF1"})
    assert sorted(slow.ready()) == ["perform_service", "supervisor_parts_followup"]
    slow.do("supervisor_parts_followup", {"action_taken": "已督促调度发货并告知客户"})
    assert "parts_followup_done" in slow.completed_path()


def test_a_paid_service_not_settled_the_same_day_goes_to_the_company_leader(ctx, clock, as_user):
    case = RepairCase(as_user)
    case.walk(*TO_ACCEPTANCE, "customer_acceptance")
    [timer] = [t for t in case.timer_rows() if t["element_id"] == "payment_overdue"]
    assert timer["due_at"] == "2026-03-02T16:00:00+00:00"  # midnight in Shanghai
    clock.advance(timedelta(hours=14, minutes=59))  # 23:59 in Shanghai
    fire_due(ctx)
    assert list(case.ready()) == ["payment_invoice"]
    clock.advance(timedelta(minutes=1, seconds=1))
    fire_due(ctx)
    ready = case.ready()
    assert sorted(ready) == ["leader_payment_followup", "payment_invoice"]
    assert ready["leader_payment_followup"]["candidate_roles"] == ["executive"]
    assert [e["data"]["clause"] for e in case.events("escalation")] == ["D-28"]


def test_a_consultation_cannot_be_sent_on_site(as_user):
    case = RepairCase(as_user, service_category="consultation", fault_description="咨询保养方法")
    refused = case.submit("contact_customer", {"customer_reached": True, "service_mode": "on_site"})
    assert refused.status_code == 422
    assert refused.json["fields"]["service_mode"] == [
        "咨询/远程支持（T-04）不上门：请选择远程支持或邮寄资料 / "
        "a consultation (T-04) is not an on-site service: choose remote support or mailing"
    ]
    case.do("contact_customer", service_mode="remote")
    assert list(case.ready()) == ["remote_support"]


def test_a_customer_who_cancels_after_paying_gets_a_linked_refund_case(as_user):
    paid, unpaid = RepairCase(as_user), RepairCase(as_user)
    paid.walk(*TO_ACCEPTANCE, "customer_acceptance")
    paid.do("payment_invoice", amount=245, payment_method="cash", invoice_no="FP-0245")
    for case in (paid, unpaid):
        cancel = {"reason": "客户取消服务 / the customer called it off", "customer_cancelled": True}
        cancelled = as_user("supervisor").post(f"/instances/{case.id}/cancel", json=cancel)
        assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    [sent] = paid.events("message_sent")
    refund = CaseDriver(as_user, sent["data"]["to_instance_id"])
    assert (refund.body["parent_id"], refund.data["refund_reason"], refund.data["requested_amount"]) == (
        paid.id,
        "customer_cancelled",
        245,
    )
    assert unpaid.events("message_sent") == []  # nothing paid, nothing to give back
