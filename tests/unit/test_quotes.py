"""The quote from the price list: parts × unit price, the category's labour, the region's call-out,
and what each fee type lets the customer pay (W-02/03/04)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.quotes import UnknownPart
from app.domain.quotes import compute_quote

PRICES = [
    {"code": "RLY-220", "kind": "part", "name": "Start relay", "unit_price": "45.00"},
    {"code": "SEAL-FR520", "kind": "part", "name": "Door seal", "unit_price": "120.00"},
    {
        "code": "LAB-REPAIR",
        "kind": "labour",
        "name": "On-site repair",
        "unit_price": "150.00",
        "service_category": "repair",
    },
    {
        "code": "LAB-OTHER",
        "kind": "labour",
        "name": "Other (per hour)",
        "unit_price": "100.00",
        "service_category": "other",
    },
    {"code": "TRV-URBAN", "kind": "travel", "name": "Call-out urban", "unit_price": "50.00", "region": "urban"},
    {
        "code": "TRV-SUBURBAN",
        "kind": "travel",
        "name": "Call-out suburban",
        "unit_price": "80.00",
        "region": "suburban",
    },
]
PARTS = [{"part_no": "RLY-220", "qty": 1}, {"part_no": "SEAL-FR520", "qty": 2}]


def quote(fee_type: str, **kwargs):
    args = {"service_category": "repair", "region": "urban", "fee_type": fee_type, **kwargs}
    return compute_quote(PRICES, PARTS, **args)


def test_out_of_warranty_pays_parts_times_price_labour_of_the_category_and_the_regions_call_out():
    q = quote("A")
    assert [(line.code, line.amount) for line in q.lines] == [
        ("RLY-220", Decimal("45.00")),
        ("SEAL-FR520", Decimal("240.00")),
        ("LAB-REPAIR", Decimal("150.00")),
        ("TRV-URBAN", Decimal("50.00")),
    ]
    assert q.total == Decimal("485.00")
    assert quote("A", region="suburban").total == Decimal("515.00")  # the suburban call-out is 80


def test_labour_counts_in_the_rates_unit_and_a_visit_less_service_has_no_call_out():
    assert quote("A", service_category="other", labour_qty=2.5).total == Decimal("285.00") + 250 + 50
    assert quote("A", on_site=False).total == Decimal("435.00")


def test_warranty_is_free_but_misuse_found_on_site_charges_the_materials_not_the_labour():
    assert quote("C").total == 0
    misuse = quote("C", misuse=True)
    assert misuse.total == Decimal("285.00")
    assert {line.code: line.charged for line in misuse.lines} == {
        "RLY-220": True,
        "SEAL-FR520": True,
        "LAB-REPAIR": False,
        "TRV-URBAN": False,
    }


@pytest.mark.parametrize(
    ("contract", "total"),
    [
        ({"fee_terms": "free"}, Decimal("0.00")),
        ({"fee_terms": "parts_charged"}, Decimal("285.00")),
        ({"fee_terms": "discounted", "discount_percent": 15}, Decimal("412.25")),  # 485 less 15 %
        (None, Decimal("0.00")),  # no contract on record: nothing charged under B
    ],
)
def test_a_contract_charges_as_it_says(contract, total):
    assert quote("B", contract=contract).total == total


def test_internal_work_is_not_charged():
    assert quote("D").total == 0


def test_a_part_not_on_the_price_list_cannot_be_quoted():
    with pytest.raises(UnknownPart) as raised:
        compute_quote(
            PRICES, [{"part_no": "NOPE-1", "qty": 1}], service_category="repair", region="urban", fee_type="A"
        )
    assert raised.value.codes == ["NOPE-1"]


def test_a_category_or_region_without_a_rate_has_no_such_line():
    q = compute_quote(PRICES, [], service_category="training", region=None, fee_type="A")
    assert q.lines == () and q.total == 0
