"""Fee types of a service request (seed 003: A paid, B contract, C free warranty, D internal)."""

from __future__ import annotations

from datetime import date
from typing import Any

from .iso8601 import add_months
from .iso8601 import as_date

WARRANTY_MONTHS = 12  # W-01: 「产品质保期12个月」
EVIDENCE = frozenset({"invoice", "warranty_card"})  # C-05: invoice or warranty card


def warranty_evidence(invoice_no: str | None, warranty_card_no: str | None) -> str:
    """What proves the purchase (C-05): an invoice, else a warranty card, else nothing."""
    return "invoice" if invoice_no else ("warranty_card" if warranty_card_no else "none")


def warranty_end(purchase_date: str | date | None, extended_until: str | date | None = None) -> date | None:
    start = as_date(purchase_date)
    if start is None:
        return None
    end = add_months(start, WARRANTY_MONTHS)
    extended = as_date(extended_until)
    return max(end, extended) if extended else end


def _record(on_record: Any, name: str) -> dict[str, Any] | None:
    """One of the records the registration found (``unit``, ``contract``, ``customer``), if any."""
    if not isinstance(on_record, dict):
        return None
    found = on_record.get(name)
    return found if isinstance(found, dict) else None


def contract_in_force(on_record: Any, on: date) -> dict[str, Any] | None:
    """The contract the registration found, if it is active on ``on`` and covers the unit: the
    unit names it, or the unit is unknown and the contract is the customer's."""
    contract, unit = _record(on_record, "contract"), _record(on_record, "unit")
    if contract is None or contract.get("status") != "active":
        return None
    starts, ends = as_date(contract.get("starts_on")), as_date(contract.get("ends_on"))
    if starts is None or ends is None or not starts <= on <= ends:
        return None
    if unit is not None and unit.get("contract_no") != contract.get("contract_no"):
        if unit.get("customer_code") != contract.get("customer_code"):
            return None
    return contract


def classify_fee(
    purchase_date: str | None,
    received_at: str | None,
    warranty_evidence: str | None,
    tampered: bool,
    contract_no: str | None = None,
    on_record: Any = None,
    recall_case_no: str | None = None,
    *,
    today: date,
) -> str:
    """A (paid), B (maintenance contract), C (free, in warranty) or D (internal).

    A case a recall opened (``recall_case_no``: the recall case that opened it) is free (C) whatever the
    warranty says: the company owes the batch's 三包 repair, replacement or refund (W-08).

    ``on_record``: what the registration found in the master data (its unit, contract, customer).
    Work for the company's own departments is D. A contract in force that covers the unit wins
    (W-04); a contract number nobody knows, or one expired or lapsed, does not. Free warranty
    service needs evidence (invoice or card), a purchase within 12 months of the request or an
    extended warranty still running (``today`` when the request has no date: the caller's clock,
    which may be simulated), and no private disassembly, neither reported nor on record (W-05).
    Everything else is paid; misuse found on site (W-03) is settled at payment, not here.
    """
    customer, unit = _record(on_record, "customer"), _record(on_record, "unit")
    if customer is not None and customer.get("kind") == "internal":
        return "D"
    if recall_case_no and str(recall_case_no).strip():
        return "C"
    received = as_date(received_at) or today
    if contract_no and str(contract_no).strip() and contract_in_force(on_record, received) is not None:
        return "B"
    end = warranty_end(purchase_date, unit.get("extended_until") if unit else None)
    tampered = bool(tampered) or bool(unit and unit.get("tampered"))
    if warranty_evidence in EVIDENCE and not tampered and end is not None and received < end:
        return "C"
    return "A"


def chargeable(fee_type: str, on_record: Any = None) -> bool:
    """Does the customer pay at the end: fee type A, or a contract that charges (parts, a discount)?"""
    if fee_type == "A":
        return True
    contract = _record(on_record, "contract")
    return fee_type == "B" and contract is not None and contract.get("fee_terms") in ("parts_charged", "discounted")


REFUND_MESSAGE = "refund_opened"  # the message refund.bpmn starts with


def cancellation_refund(case_data: Any, case_no: str) -> dict[str, Any] | None:
    """What a customer who cancels after paying is owed back (W-07): the refund request for a case
    whose payment is recorded (an invoice number and an amount above 0), or None when nothing was paid."""
    if not isinstance(case_data, dict):
        return None
    amount, invoice_no = case_data.get("amount"), case_data.get("invoice_no")
    if not invoice_no or isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
        return None
    return {
        "reason": "customer_cancelled",
        "linked_case_no": case_no,
        "customer_name": str(case_data.get("customer_name") or case_no),
        "customer_phone": str(case_data.get("customer_phone") or ""),
        "amount": amount,
        "details": f"发票 / invoice {invoice_no}",
    }
