"""A maintenance contract's renewal to its end (D-18, seed 003 (20)): a contract not renewed stays in
force to its last day and lapses the day after (fee type A from then on), a "pending" visit loops only
until the contract ends, and a contract filed after deploy gets its renewal case like the others."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from app.services.planning.default_schedules import ensure_default_schedules
from app.services.timing.timer_firing import fire_due
from tests.api.test_contract_outcomes import RenewalCase
from tests.case_driver import CaseDriver
from tests.repair_driver import RepairCase

VISIT = {"visit_date": "2026-03-05", "new_contract_end": ""}


class Renewal(CaseDriver):
    ROLE_USER = {"supervisor": "supervisor", "finance": "finance"}
    NOTICE = {"notice_date": "2026-03-02", "notice_channel": "phone", "renewal_offer": "续签一年"}
    FORMS = {"send_expiry_notice": NOTICE}


def contract(as_user, number: str) -> dict:
    return as_user("finance").get(f"/master/contracts/{number}").json["record"]


def renewal_case(ctx, as_user, number: str) -> Renewal:
    with ctx.uow() as uow:
        cases = [i for i in uow.instances.list(limit=1000) if i.process_key == "contract_renewal"]
    [case] = [c for c in cases if c.data.get("contract_no") == number]
    return Renewal(as_user, case.id)


def move_to(ctx, clock, day: date, at: time = time(9, 0)) -> None:
    clock.advance(datetime.combine(day, at, ctx.calendar.tz) - clock.now())
    fire_due(ctx)


def repair_fee(as_user) -> str:
    # SN-IT-5002 belongs to C005, whose contract is MC-2025-005; no warranty evidence, so A without the contract.
    case = RepairCase(
        as_user, serial_no="SN-IT-5002", contract_no="MC-2025-005", warranty_evidence="none", purchase_date="2020-01-01"
    )
    return case.data["fee_type"]


def test_a_contract_not_renewed_covers_to_its_last_day_and_is_paid_service_the_day_after(app, ctx, clock, as_user):
    ensure_default_schedules(ctx)
    fire_due(ctx)  # MC-2025-005 ends in 20 days: its renewal case opens at once
    ends = date.fromisoformat(contract(as_user, "MC-2025-005")["ends_on"])
    case = renewal_case(ctx, as_user, "MC-2025-005")
    case.do("send_expiry_notice")
    case.do("renewal_visit", {**VISIT, "outcome": "lapsed"})
    assert contract(as_user, "MC-2025-005")["status"] == "active" and case.body["status"] == "running"
    move_to(ctx, clock, ends, time(16, 0))
    assert repair_fee(as_user) == "B"  # the last day of the contract
    move_to(ctx, clock, ends + timedelta(days=1), time(0, 5))
    assert case.body["status"] == "completed"
    assert contract(as_user, "MC-2025-005")["status"] == "lapsed"
    assert repair_fee(as_user) == "A"


def test_pending_visits_loop_only_until_the_contract_ends(app, ctx, clock, as_user):
    ensure_default_schedules(ctx)
    fire_due(ctx)
    ends = date.fromisoformat(contract(as_user, "MC-2025-005")["ends_on"])
    case = renewal_case(ctx, as_user, "MC-2025-005")
    case.do("send_expiry_notice")
    case.do("renewal_visit", {**VISIT, "outcome": "pending"})
    assert list(case.ready()) == ["renewal_visit"]  # before the end: visit again
    move_to(ctx, clock, ends + timedelta(days=2))
    case.do("renewal_visit", {**VISIT, "outcome": "pending"})
    assert case.ready() == {}  # after the end, pending means not renewed
    move_to(ctx, clock, ends + timedelta(days=2), time(9, 5))
    assert case.body["status"] == "completed"
    assert contract(as_user, "MC-2025-005")["status"] == "lapsed"


def test_a_contract_filed_after_deploy_gets_its_renewal_case_a_month_before_it_ends(app, ctx, clock, as_user):
    ensure_default_schedules(ctx)
    today = clock.now().date()
    record = {
        "contract_no": "MC-2026-777",
        "customer_code": "C002",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=90)).isoformat(),
        "sla_profile": "STANDARD_SUBURBAN",
        "fee_terms": "free",
        "status": "active",
    }
    created = as_user("finance").post("/master/contracts", json=record)
    assert created.status_code == 201, created.json
    move_to(ctx, clock, today + timedelta(days=55))
    with ctx.uow() as uow:
        assert not [i for i in uow.instances.list(limit=1000) if i.data.get("contract_no") == "MC-2026-777"]
    move_to(ctx, clock, today + timedelta(days=62))  # a month before the end
    case = renewal_case(ctx, as_user, "MC-2026-777")
    assert case.data["contract_end"] == record["ends_on"]


def test_the_next_contract_a_renewal_files_is_followed_for_its_own_renewal(app, ctx, clock, as_user):
    ensure_default_schedules(ctx)
    case = RenewalCase(as_user, "MC-2026-003")
    case.walk("send_expiry_notice", "renewal_visit", "record_renewal")  # files MC-2027-003, ending 2027-09-30
    with ctx.uow() as uow:
        schedule = uow.schedules.by_name("合同续签 / Renewal of MC-2027-003")
        assert schedule is not None and schedule.data["contract_end"] == "2027-09-30"
        assert schedule.next_run_at.astimezone(ctx.calendar.tz).date() == date(2027, 8, 30)
