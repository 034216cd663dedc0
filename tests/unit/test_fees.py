"""Fee types take their time from the application's clock, never from the wall clock."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

import pytest

from app.domain.fees import chargeable
from app.domain.fees import classify_fee
from app.domain.scripting_helpers import make_helpers
from app.domain.workcalendar import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


def helpers_at(moment: datetime) -> dict:
    calendar = WorkCalendar({}, SHANGHAI, time(8, 30), time(17, 30))
    return make_helpers(lambda: moment, lambda: calendar, SHANGHAI)


@pytest.mark.parametrize(
    ("simulated_now", "purchase_date", "fee_type"),
    [
        # Years before the wall clock: bought nine months before the simulated day, still in warranty.
        (datetime(2001, 3, 1, 9, tzinfo=SHANGHAI), "2000-06-01", "C"),
        # Years after it: the warranty of a purchase 17 months before the simulated day has run out.
        (datetime(2041, 6, 1, 9, tzinfo=SHANGHAI), "2040-01-01", "A"),
    ],
)
def test_a_request_without_a_received_date_is_judged_on_the_simulated_day(simulated_now, purchase_date, fee_type):
    classify = helpers_at(simulated_now)["classify_fee"]
    assert classify(purchase_date, None, "invoice", False) == fee_type
    assert classify(purchase_date, "", "invoice", False, None) == fee_type


def test_the_simulated_day_is_the_local_day_of_the_service_time_zone():
    # 2001-05-31 17:00 UTC is already 1 June in Shanghai, the day the warranty of 2000-06-01 ends.
    classify = helpers_at(datetime(2001, 5, 31, 17, tzinfo=ZoneInfo("UTC")))["classify_fee"]
    assert classify("2000-06-01", None, "invoice", False) == "A"


def test_a_received_date_wins_over_today():
    assert classify_fee("2026-01-10", "2026-03-02T09:00:00+08:00", "invoice", False, today=date(2040, 1, 1)) == "C"
    assert classify_fee("2026-01-10", "2027-01-10", "invoice", False, today=date(2026, 3, 2)) == "A"
    contract = {"contract_no": "MC-1", "customer_code": "C1", "starts_on": "2039-01-01", "ends_on": "2040-12-31"}
    on_record = {"contract": {**contract, "status": "active"}, "unit": None, "customer": None}
    assert classify_fee("2026-01-10", None, "warranty_card", False, "MC-1", on_record, today=date(2040, 1, 1)) == "B"


RECEIVED = "2026-03-02T09:00:00+08:00"
UNIT = {"serial_no": "SN-1", "customer_code": "C1", "contract_no": "MC-1", "extended_until": None, "tampered": False}
CONTRACT = {
    "contract_no": "MC-1",
    "customer_code": "C1",
    "starts_on": "2026-01-01",
    "ends_on": "2026-12-31",
    "status": "active",
    "fee_terms": "free",
}
CUSTOMER = {"code": "C1", "kind": "person"}


def facts(unit=UNIT, contract=CONTRACT, customer=CUSTOMER) -> dict:
    return {"unit": unit, "contract": contract, "customer": customer}


@pytest.mark.parametrize(
    ("why", "purchase_date", "evidence", "tampered", "contract_no", "on_record", "fee_type"),
    [
        ("an active contract naming the unit", "2020-01-01", "none", False, "MC-1", facts(), "B"),
        ("a contract number nobody knows", "2020-01-01", "none", False, "MC-404", facts(contract=None), "A"),
        ("a number typed without what the records hold", "2020-01-01", "none", False, "MC-1", None, "A"),
        (
            "an expired contract",
            "2020-01-01",
            "none",
            False,
            "MC-1",
            facts(contract={**CONTRACT, "ends_on": "2026-02-28"}),
            "A",
        ),
        (
            "a lapsed contract",
            "2020-01-01",
            "none",
            False,
            "MC-1",
            facts(contract={**CONTRACT, "status": "lapsed"}),
            "A",
        ),
        (
            "a contract of another customer for another unit",
            "2020-01-01",
            "none",
            False,
            "MC-1",
            facts(unit={**UNIT, "contract_no": None, "customer_code": "C9"}),
            "A",
        ),
        (
            "the customer's contract for a unit not yet on record",
            "2020-01-01",
            "none",
            False,
            "MC-1",
            facts(unit=None),
            "B",
        ),
        (
            "an expired contract, still in warranty",
            "2025-12-01",
            "invoice",
            False,
            "MC-1",
            facts(contract={**CONTRACT, "status": "lapsed"}),
            "C",
        ),
        ("the 12-month warranty", "2025-06-01", "invoice", False, "", facts(contract=None), "C"),
        (
            "an extended warranty keeps C",
            "2024-01-01",
            "invoice",
            False,
            "",
            facts(unit={**UNIT, "extended_until": "2026-06-30"}, contract=None),
            "C",
        ),
        (
            "an extended warranty that ended",
            "2024-01-01",
            "invoice",
            False,
            "",
            facts(unit={**UNIT, "extended_until": "2026-01-31"}, contract=None),
            "A",
        ),
        ("tampering reported voids the warranty", "2025-06-01", "invoice", True, "", facts(contract=None), "A"),
        (
            "tampering on record voids it too",
            "2025-06-01",
            "invoice",
            False,
            "",
            facts(unit={**UNIT, "tampered": True}, contract=None),
            "A",
        ),
        ("no evidence of purchase", "2025-06-01", "none", False, "", facts(contract=None), "A"),
        (
            "work for the company itself",
            "2020-01-01",
            "none",
            False,
            "",
            facts(customer={**CUSTOMER, "kind": "internal"}),
            "D",
        ),
    ],
)
def test_the_fee_type_follows_the_facts_on_record(
    why, purchase_date, evidence, tampered, contract_no, on_record, fee_type
):
    got = classify_fee(purchase_date, RECEIVED, evidence, tampered, contract_no, on_record, today=date(2026, 3, 2))
    assert got == fee_type, why


@pytest.mark.parametrize(
    ("fee_type", "terms", "charged"),
    [
        ("A", None, True),
        ("B", "free", False),
        ("B", "parts_charged", True),
        ("B", "discounted", True),
        ("C", None, False),
        ("D", None, False),
    ],
)
def test_a_contract_is_charged_as_it_says(fee_type, terms, charged):
    on_record = facts(contract={**CONTRACT, "fee_terms": terms}) if terms else facts(contract=None)
    assert chargeable(fee_type, on_record) is charged


def test_a_case_a_recall_opened_is_free_whatever_the_warranty_says():
    facts = ("2020-01-01", "2026-03-02", "none", True)  # long out of warranty, no proof, tampered
    assert classify_fee(*facts, recall_case_no="RC-2026-000001", today=date(2026, 3, 2)) == "C"
    assert classify_fee(*facts, recall_case_no="", today=date(2026, 3, 2)) == "A"
