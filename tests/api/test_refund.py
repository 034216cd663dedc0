"""A refund (D-17, W-07): opened for a cancellation, a late technician or an agreed dissatisfaction,
due within 7 working days, approved and paid by finance, chased by the supervisor when late."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.services.timing.timer_firing import fire_due_timers
from tests.case_driver import CaseDriver

START = {
    "reason": "late_arrival",
    "linked_case_no": "R-2026-00001",
    "customer_name": "张伟 Zhang Wei",
    "customer_phone": "13800000001",
    "amount": 50,
}


class RefundCase(CaseDriver):
    FORMS = {
        "approve_refund": {"refund_approved": True},
        "pay_refund": {
            "refund_method": "bank_transfer",
            "refund_voucher_no": "TK-0001",
            "refunded_at": "2026-03-03T10:00:00+08:00",
        },
        "notify_refund_refused": {"customer_informed": True, "refusal_notes": "上门费已按合同免收"},
        "supervisor_refund_followup": {"action_taken": "已催财务当日退款"},
    }
    ROLE_USER = {"cs_agent": "agent", "finance": "finance", "supervisor": "supervisor"}

    def __init__(self, as_user, **start) -> None:
        opened = as_user("agent").post("/processes/refund/instances", json={**START, **start})
        assert opened.status_code == 201, opened.json
        super().__init__(as_user, opened.json["id"])


def fire(app) -> int:
    return fire_due_timers(app.extensions["aftersales"]).timers


@pytest.mark.parametrize("reason", ["customer_cancelled", "late_arrival", "agreed_after_dissatisfaction"])
def test_a_refund_is_approved_and_paid_by_finance_within_7_working_days(as_user, reason):
    case = RefundCase(as_user, reason=reason)
    data = case.data
    assert data["refund_reason"] == reason and data["linked_case_no"] == "R-2026-00001"
    assert data["refund_due"].startswith("2026-03-11T09:00")  # Monday 2 March + 7 working days
    assert list(case.ready()) == ["approve_refund"]
    form = as_user("finance").get(f"/tasks/{case.ready()['approve_refund']['id']}").json["form"]
    assert form["properties"]["requested_amount"]["const"] == 50
    assert form["properties"]["approved_amount"]["default"] == 50  # prefilled with the amount asked
    case.walk("approve_refund", "pay_refund")
    body = case.body
    assert body["status"] == "completed" and case.completed_path()[-1] == "refund_paid"
    assert (body["data"]["approved_amount"], body["data"]["refund_voucher_no"]) == (50, "TK-0001")
    assert all(status == "cancelled" for status in (t["status"] for t in case.timer_rows()))


def test_a_refused_refund_is_explained_to_the_customer(as_user):
    case = RefundCase(as_user)
    case.do("approve_refund", refund_approved=False, approval_notes="未超出承诺时限")
    case.do("notify_refund_refused")
    assert case.body["status"] == "completed" and case.completed_path()[-1] == "refund_refused"


def test_only_the_roles_of_the_lanes_work_a_refund(as_user):
    case = RefundCase(as_user)
    task = case.ready()["approve_refund"]
    refused = as_user("agent").post(f"/tasks/{task['id']}/complete", json=RefundCase.FORMS["approve_refund"])
    assert refused.status_code == 403
    no_reason = as_user("agent").post("/processes/refund/instances", json={**START, "reason": "bored"})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["fields"]


def test_a_refund_not_paid_within_7_working_days_goes_to_the_supervisor(app, clock, as_user):
    case = RefundCase(as_user)
    case.do("approve_refund")
    clock.advance(timedelta(days=9) - timedelta(minutes=1))  # Wednesday 11 March, 08:59
    assert fire(app) == 0 and "supervisor_refund_followup" not in case.ready()
    clock.advance(timedelta(minutes=2))
    assert fire(app) == 1
    ready = case.ready()
    assert set(ready) == {"pay_refund", "supervisor_refund_followup"}  # the payment is still owed
    assert ready["supervisor_refund_followup"]["candidate_roles"] == ["supervisor"]
    case.walk("supervisor_refund_followup", "pay_refund")
    assert case.body["status"] == "completed"
    assert sorted((t["element_id"], t["status"]) for t in case.timer_rows()) == [
        ("approval_overdue", "cancelled"),
        ("payment_overdue", "fired"),
    ]
