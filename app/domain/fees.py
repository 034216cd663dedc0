"""Fee types of a service request (seed 003: A paid, B contract, C free warranty, D internal)."""

from __future__ import annotations

from datetime import date

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


def classify_fee(
    purchase_date: str | None,
    received_at: str | None,
    warranty_evidence: str | None,
    tampered: bool,
    contract_no: str | None = None,
    *,
    today: date,
) -> str:
    """A (paid), B (maintenance contract) or C (free, in warranty).

    A maintenance contract wins (W-04). Free warranty service needs evidence (invoice or card),
    a purchase within 12 months of the request (``today`` when the request has no date: the
    caller's clock, which may be simulated), and no private disassembly (W-05). Everything else
    is paid; misuse found on site (W-03) is settled at payment, not here.
    """
    if contract_no and str(contract_no).strip():
        return "B"
    end = warranty_end(purchase_date)
    received = as_date(received_at) or today
    if warranty_evidence in EVIDENCE and not tampered and end is not None and received < end:
        return "C"
    return "A"
