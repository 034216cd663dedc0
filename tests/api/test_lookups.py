"""Forms look customers and units up instead of typing them (and the look-ups are staff-only)."""

from __future__ import annotations


def test_customers_are_found_by_name_code_or_phone(as_user):
    by_name = as_user("agent").get("/lookups/customers?q=张伟").json
    assert [c["code"] for c in by_name] == ["C001"]
    assert [c["name"] for c in as_user("agent").get("/lookups/customers?q=13800000002").json] == ["王秀英 Wang Xiuying"]
    assert as_user("auditor").get("/lookups/customers?q=张").status_code == 403


def test_a_unit_brings_its_warranty_facts_for_the_register_form(as_user):
    [unit] = as_user("agent").get("/lookups/units?serial=SN-IT-5001").json
    assert (unit["contract_no"], unit["warranty_evidence"], unit["customer_code"]) == ("MC-2026-003", "invoice", "C003")
    assert [u["serial_no"] for u in as_user("agent").get("/lookups/units?serial=SN-WM").json] == [
        "SN-WM-2001",
        "SN-WM-2002",
    ]
    assert as_user("agent").get("/lookups/units?serial=SN_%").json == []  # wildcards are literal


def test_the_register_form_declares_its_lookups(as_user):
    started = as_user("agent").post("/processes/repair/instances").json
    [task] = as_user("agent").get(f"/tasks?instance_id={started['id']}").json
    form = as_user("agent").get(f"/tasks/{task['id']}").json["form"]
    assert form["properties"]["serial_no"]["x-lookup"] == "unit"
    assert form["properties"]["serial_no"]["x-fills"]["warranty_evidence"] == "warranty_evidence"


def test_technicians_are_found_by_user_name_or_name_for_a_form_to_keep_the_user_name(as_user):
    found = as_user("dispatcher").get("/lookups/technicians?q=urban").json
    assert [t["username"] for t in found] == ["tech_urban1", "tech_urban2"]
    assert {"name", "branch", "regions", "title"} <= set(found[0])
    assert as_user("dispatcher").get("/lookups/technicians?q=tech_%").json == []  # wildcards are literal
    assert as_user("tech_urban1").get("/lookups/technicians?q=urban").status_code == 403
