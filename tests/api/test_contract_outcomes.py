"""A renewal case writes its decision back to the contract: renewed (with the new contract filed and
the units moved to it) or lapsed — in the same step, with the case as the change's source."""

from __future__ import annotations

from datetime import datetime

from app.services.timing.timer_firing import fire_due
from tests.case_driver import CaseDriver


class RenewalCase(CaseDriver):
    FORMS = {
        "send_expiry_notice": {"notice_date": "2026-03-02", "notice_channel": "phone", "renewal_offer": "续签一年"},
        "renewal_visit": {"visit_date": "2026-03-05", "outcome": "renewed", "new_contract_end": "2027-09-30"},
        "record_renewal": {"new_contract_no": "mc-2027-003", "amount": 12000},
    }
    ROLE_USER = {"supervisor": "supervisor", "finance": "finance"}

    def __init__(self, as_user, contract_no: str) -> None:
        start = {"contract_no": contract_no, "customer_name": "北方精密机械", "contract_end": "2026-09-18"}
        started = as_user("admin").post("/processes/contract_renewal/instances", json=start)
        assert started.status_code == 201, started.json
        super().__init__(as_user, started.json["id"])


def contract(as_user, number: str) -> dict:
    return as_user("finance").get(f"/master/contracts/{number}").json


def test_a_renewal_marks_the_contract_renewed_and_files_the_new_one_with_its_units(as_user):
    old = contract(as_user, "MC-2026-003")["record"]
    case = RenewalCase(as_user, "MC-2026-003")
    case.walk("send_expiry_notice", "renewal_visit", "record_renewal")
    assert case.body["status"] == "completed"
    renewed = contract(as_user, "MC-2026-003")
    assert renewed["record"]["status"] == "renewed"
    assert renewed["history"][0]["source"] == f"case {case.body['case_no']}"
    new = contract(as_user, "MC-2027-003")
    assert new["record"]["status"] == "active" and new["record"]["customer_code"] == old["customer_code"]
    assert new["record"]["ends_on"] == "2027-09-30" and new["record"]["sla_profile"] == old["sla_profile"]
    assert [u["serial_no"] for u in new["related"]["units"]] == ["SN-IT-5001"]
    assert renewed["related"]["units"] == []


def test_a_lapsed_contract_is_marked_lapsed_the_day_after_it_ends(as_user, ctx, clock):
    case = RenewalCase(as_user, "MC-2025-005")  # the case says the contract ends on 2026-09-18
    case.do("send_expiry_notice")
    case.do("renewal_visit", outcome="lapsed", new_contract_end="")
    assert contract(as_user, "MC-2025-005")["record"]["status"] == "active"
    clock.advance(datetime.fromisoformat("2026-09-19T00:01:00+08:00") - clock.now())
    fire_due(ctx)
    assert case.body["status"] == "completed"
    assert contract(as_user, "MC-2025-005")["record"]["status"] == "lapsed"
