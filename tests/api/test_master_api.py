"""Each master-data table under /api/v1/master: create, edit at a revision, a stale edit (409) and refused
input (422 naming the field), by the role that keeps the table."""

from __future__ import annotations

import pytest

from app.services.people.users import create_user

# table → (its keeper, a new record, an edit, a stale edit, refused input and the field it names)
CASES = {
    "customers": (
        "agent",
        {
            "code": "c-900",
            "name": "周杰",
            "kind": "person",
            "region": "urban",
            "branch": "市区 Urban",
            "address": "北京市朝阳区光华路 9 号",
            "phone": "１３８ ００００ ０９００",
        },
        {"mobile": "139-0000-0900", "key_customer": "是"},
        {"name": "周杰伦"},
        ({"phone": "call me"}, "phone"),
    ),
    "units": (
        "agent",
        {
            "serial_no": "sn 900 1",
            "customer_code": "C001",
            "product_category": "refrigeration",
            "model": "BCD-520W",
            "purchase_date": "2025-06-01",
        },
        {"extended_until": "2028-06-01", "contract_no": "MC-2025-001"},
        {"model": "BCD-521W"},
        ({"customer_code": "C999"}, "customer_code"),
    ),
    "contracts": (
        "finance",
        {
            "contract_no": "MC-2026-900",
            "customer_code": "C002",
            "starts_on": "2026-03-01",
            "ends_on": "2027-02-28",
            "sla_profile": "STANDARD_SUBURBAN",
            "fee_terms": "free",
            "status": "active",
        },
        {"fee_terms": "discounted", "discount_percent": 20},
        {"status": "lapsed"},
        ({"ends_on": "2025-01-01"}, "ends_on"),
    ),
    "technicians": (
        "service_manager",
        {
            "username": "tech_new",
            "name": "钱进",
            "branch": "市区 Urban",
            "regions": "urban; suburban",
            "skills": ["refrigeration", "kitchen"],
            "title": "junior",
            "max_load": 4,
        },
        {"cert_no": "CERT-NEW", "cert_expiry": "2027-03-01", "unavailable": "2026-03-10; 2026-04-01/2026-04-03"},
        {"max_load": 6},
        ({"max_load": 99}, "max_load"),
    ),
    "prices": (
        "finance",
        {"code": "P-COMP-01", "kind": "part", "name": "压缩机 Compressor", "unit_price": "¥1,280.00", "unit": "个"},
        {"unit_price": "1300.5"},
        {"name": "压缩机"},
        ({"kind": "labour"}, "service_category"),
    ),
}


@pytest.mark.parametrize("table", list(CASES))
def test_a_table_is_created_and_edited_by_its_keeper_with_conflicts_and_refusals(table, as_user, ctx):
    if table == "technicians":
        create_user(ctx, "tech_new", "tech_new", ["technician"])
    keeper, record, edit, stale_edit, (bad, bad_field) = CASES[table]
    api = as_user(keeper)
    created = api.post(f"/master/{table}", json=record)
    assert created.status_code == 201, created.json
    key_field = {"customers": "code", "units": "serial_no", "contracts": "contract_no"}.get(table)
    key_field = key_field or {"technicians": "username", "prices": "code"}[table]
    key = created.json[key_field]
    assert created.json["revision"] == 1
    again = api.post(f"/master/{table}", json=record)
    assert again.status_code == 422 and key_field in again.json["fields"]

    def patch(body):
        return api.client.patch(f"/api/v1/master/{table}/{key}", json=body, headers=api._headers())

    edited = patch({**edit, "revision": 1})
    assert edited.status_code == 200, edited.json
    assert edited.json["revision"] == 2
    stale = patch({**stale_edit, "revision": 1})  # made on what the record was before the edit
    assert stale.status_code == 409, stale.json
    refused = patch({**bad, "revision": 2})
    assert refused.status_code == 422 and bad_field in refused.json["fields"], refused.json
    shown = api.get(f"/master/{table}/{key}").json
    assert shown["record"]["revision"] == 2
    assert [h["action"] for h in shown["history"]] == ["updated", "created"]
    if table != "prices":  # technicians quote from the price list; nobody else edits what they do not keep
        assert as_user("tech_urban1").post(f"/master/{table}", json=record).status_code == 403


def test_typed_values_come_back_normalised(as_user, ctx):
    keeper, record, *_ = CASES["customers"]
    created = as_user(keeper).post("/master/customers", json=record).json
    assert (created["code"], created["phone"]) == ("C-900", "13800000900")
    keeper, record, *_ = CASES["prices"]
    assert as_user(keeper).post("/master/prices", json=record).json["unit_price"] == "1280.00"
