"""The quote at the diagnosis comes from the price list (W-02/03/06), and the payment starts from it."""

from __future__ import annotations

from tests.repair_driver import FORMS
from tests.repair_driver import TO_DIAGNOSIS
from tests.repair_driver import RepairCase

WARRANTY = {"purchase_date": "2026-01-10"}  # in warranty with an invoice: fee type C


def diagnosed(as_user, diagnosis: dict | None = None, **register) -> RepairCase:
    case = RepairCase(as_user, **register)
    case.walk(*TO_DIAGNOSIS)
    case.do("diagnose_on_site", {**FORMS["diagnose_on_site"], **(diagnosis or {})})
    case.do("accept_plan")
    return case


def test_the_quote_is_parts_times_price_the_categorys_labour_and_the_regions_call_out(as_user):
    ready = RepairCase(as_user)
    ready.walk(*TO_DIAGNOSIS)
    schema = as_user("tech_urban1").get(f"/tasks/{ready.ready()['diagnose_on_site']['id']}").json["form"]
    assert schema["properties"]["quote_amount"]["readOnly"] is True  # the technician does not type it

    case = diagnosed(as_user, {"parts_needed": [{"part_no": "rly-220", "qty": 2}], "quote_amount": 1})
    data = case.data
    assert data["quote_amount"] == 90 + 150 + 50  # what was typed in the read-only field is replaced
    assert [(line["code"], line["amount"]) for line in data["quote_lines"]] == [
        ("RLY-220", 90),
        ("LAB-REPAIR", 150),
        ("TRV-URBAN", 50),
    ]
    suburban = diagnosed(as_user, region="suburban", address="北京市密云区")
    assert suburban.data["quote_amount"] == 45 + 150 + 80


def test_a_part_not_on_the_price_list_is_refused_with_its_field(as_user):
    case = RepairCase(as_user)
    case.walk(*TO_DIAGNOSIS)
    refused = case.submit(
        "diagnose_on_site", {**FORMS["diagnose_on_site"], "parts_needed": [{"part_no": "X-1", "qty": 1}]}
    )
    assert refused.status_code == 422 and "X-1" in refused.json["fields"]["parts_needed"][0]
    assert "diagnose_on_site" in case.ready()


def test_warranty_work_is_quoted_free_and_not_charged(as_user):
    case = diagnosed(as_user, **WARRANTY)
    assert case.data["fee_type"] == "C" and case.data["quote_amount"] == 0
    assert [line["charged"] for line in case.data["quote_lines"]] == [False, False, False]
    case.walk("perform_service", "customer_acceptance")
    assert "payment_invoice" not in case.ready() and "file_report" in case.ready()


def test_misuse_found_in_warranty_charges_the_materials_not_the_labour(as_user):
    case = diagnosed(as_user, {"misuse_found": True}, **WARRANTY)
    assert case.data["fee_type"] == "C" and case.data["quote_amount"] == 45
    case.walk("perform_service", "customer_acceptance")
    payment = case.ready()["payment_invoice"]
    form = as_user("finance").get(f"/tasks/{payment['id']}").json["form"]
    assert form["properties"]["amount"]["default"] == 45  # prefilled from the quote
    case.do("payment_invoice")
    assert case.data["amount"] == 45 and case.data["payment_method"] == "bank_transfer"


def test_parts_mailed_to_a_paying_customer_are_charged_at_the_price_list_and_the_mailing_rate(as_user):
    paying = RepairCase(as_user)
    paying.do("contact_customer", service_mode="mail_parts")
    paying.do("mail_parts")  # two door seals
    assert paying.data["quote_amount"] == 2 * 120 + 20  # LAB-MAIL, no call-out: nobody visits
    assert paying.data["to_be_charged"] is True
    free = RepairCase(as_user, **WARRANTY)
    free.do("contact_customer", service_mode="mail_parts")
    free.do("mail_parts")
    assert free.data["quote_amount"] == 0 and free.data["to_be_charged"] is False


def test_the_acceptance_shows_the_work_done_and_the_amount_and_the_payment_records_method_and_invoice(as_user):
    case = diagnosed(as_user)
    case.walk("perform_service")
    acceptance = case.ready()["customer_acceptance"]
    shown = as_user("tech_urban1").get(f"/tasks/{acceptance['id']}").json["form"]["properties"]
    assert shown["repair_plan"]["const"] == FORMS["diagnose_on_site"]["repair_plan"]
    assert shown["parts_used"]["const"] == [{"part_no": "RLY-220", "qty": 1}]
    assert shown["labour_hours"]["const"] == 1.5 and shown["quote_amount"]["const"] == 245
    changed = case.submit("customer_acceptance", {**FORMS["customer_acceptance"], "quote_amount": 1})
    assert changed.status_code == 422 and "set by the case" in changed.json["fields"]["quote_amount"][0]
    case.do("customer_acceptance")
    for missing in ("payment_method", "invoice_no"):
        form = {k: v for k, v in FORMS["payment_invoice"].items() if k != missing}
        refused = case.submit("payment_invoice", form)
        assert refused.status_code == 422 and list(refused.json["fields"]) == [missing]
    case.do("payment_invoice", amount=200)  # finance may settle another amount than the quote
    assert (case.data["amount"], case.data["payment_method"], case.data["invoice_no"]) == (
        200,
        "bank_transfer",
        "FP-0001",
    )


def test_the_technician_shows_the_quote_before_the_customer_accepts_the_plan(as_user):
    case = RepairCase(as_user)
    case.walk(*TO_DIAGNOSIS)
    task = case.ready()["diagnose_on_site"]
    draft = {"parts_needed": [{"part_no": "SEAL-FR520", "qty": 1}], "misuse_found": False}
    shown = as_user("tech_urban1").post(f"/tasks/{task['id']}/quote", json=draft)
    assert shown.status_code == 200, shown.json
    assert shown.json["total"] == 120 + 150 + 50
    assert [line["code"] for line in shown.json["lines"]] == ["SEAL-FR520", "LAB-REPAIR", "TRV-URBAN"]
    assert "quote_amount" not in case.data  # a preview stores nothing
    assert as_user("finance").post(f"/tasks/{task['id']}/quote", json=draft).status_code == 403
    unknown = as_user("tech_urban1").post(
        f"/tasks/{task['id']}/quote", json={"parts_needed": [{"part_no": "Z", "qty": 1}]}
    )
    assert unknown.status_code == 422 and "parts_needed" in unknown.json["fields"]
    register = RepairCase(as_user).ready()["contact_customer"]
    assert as_user("agent").post(f"/tasks/{register['id']}/quote", json={}).status_code == 409
