"""The quote of a service from the price list (W-02/03/04/06): parts × unit price, the labour rate of
the service category, the call-out fee of the region, and what the fee type lets the customer pay.

Rules (seed 002 and REQUIREMENTS W-01…W-04):
- A (paid, out of warranty): materials, labour and travel (W-02).
- B (contract): as the contract says (W-04): ``free`` nothing, ``parts_charged`` the parts only,
  ``discounted`` everything less the contract's discount.
- C (free warranty): nothing — unless misuse is found on site (W-03: 「免收工费，只收取材料费」):
  then the materials, not the labour or the call-out.
- D (internal work): nothing.
A visit-less service (remote support, parts mailed) has no call-out fee. The price lines are passed
in as plain mappings (the master data's ``prices`` rows), so this module stays pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .master_data import FeeTerms
from .master_data import PriceKind

CENT = Decimal("0.01")


class LineKind(StrEnum):
    PART = "part"
    LABOUR = "labour"
    TRAVEL = "travel"


@dataclass(frozen=True)
class QuoteLine:
    kind: LineKind
    code: str
    name: str
    qty: Decimal
    unit_price: Decimal
    charged: bool  # False: listed for the customer to see, but free under the fee type

    @property
    def amount(self) -> Decimal:
        return (self.qty * self.unit_price).quantize(CENT, ROUND_HALF_UP)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "code": self.code,
            "name": self.name,
            "qty": float(self.qty),
            "unit_price": float(self.unit_price),
            "amount": float(self.amount),
            "charged": self.charged,
        }


@dataclass(frozen=True)
class Quote:
    lines: tuple[QuoteLine, ...]
    discount_percent: int = 0

    @property
    def gross(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.charged), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        """What the customer pays: the charged lines less the contract's discount, to the cent."""
        factor = (Decimal(100) - Decimal(self.discount_percent)) / Decimal(100)
        return (self.gross * factor).quantize(CENT, ROUND_HALF_UP)

    def as_lines(self) -> list[dict[str, Any]]:
        return [line.as_dict() for line in self.lines]


class UnknownPart(ValueError):
    """A part the price list does not hold: it cannot be quoted."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(f"not on the price list: {', '.join(codes)}")
        self.codes = codes


def _charges(fee_type: str | None, contract: Mapping[str, Any] | None, misuse: bool) -> tuple[set[LineKind], int]:
    """Which kinds of line the customer pays for, and the discount, under the fee type."""
    everything = {LineKind.PART, LineKind.LABOUR, LineKind.TRAVEL}
    if fee_type == "A":
        return everything, 0
    if fee_type == "B":
        terms = (contract or {}).get("fee_terms")
        if terms == FeeTerms.PARTS_CHARGED:
            return {LineKind.PART}, 0
        if terms == FeeTerms.DISCOUNTED:
            return everything, int((contract or {}).get("discount_percent") or 0)
        return set(), 0
    if fee_type == "C" and misuse:
        return {LineKind.PART}, 0
    return set(), 0


def compute_quote(
    prices: Iterable[Mapping[str, Any]],
    parts: Iterable[Mapping[str, Any]],
    *,
    service_category: str | None,
    region: str | None,
    fee_type: str | None,
    contract: Mapping[str, Any] | None = None,
    misuse: bool = False,
    labour_qty: float | Decimal = 1,
    on_site: bool = True,
) -> Quote:
    """The quote for ``parts`` (``{"part_no", "qty"}``) and the category's labour (``labour_qty`` of its
    rate's unit) and, for a visit, the region's call-out fee. Raises ``UnknownPart`` for a part the
    price list does not hold; a category or region without a rate simply has no such line."""
    table = list(prices)
    by_code = {str(p["code"]): p for p in table if p.get("kind") == PriceKind.PART}
    missing = sorted({str(p.get("part_no")) for p in parts if str(p.get("part_no")) not in by_code})
    if missing:
        raise UnknownPart(missing)
    paid, discount = _charges(fee_type, contract, misuse)
    lines: list[QuoteLine] = []
    for part in parts:
        row = by_code[str(part["part_no"])]
        lines.append(_line(LineKind.PART, row, Decimal(str(part.get("qty") or 0)), paid))
    labour = _rate(table, PriceKind.LABOUR, "service_category", service_category)
    if labour is not None and labour_qty:
        lines.append(_line(LineKind.LABOUR, labour, Decimal(str(labour_qty)), paid))
    travel = _rate(table, PriceKind.TRAVEL, "region", region) if on_site else None
    if travel is not None:
        lines.append(_line(LineKind.TRAVEL, travel, Decimal(1), paid))
    return Quote(tuple(lines), discount if lines else 0)


def _rate(table: list[Mapping[str, Any]], kind: PriceKind, key: str, value: str | None) -> Mapping[str, Any] | None:
    if not value:
        return None
    return next((p for p in table if p.get("kind") == kind and p.get(key) == value), None)


def _line(kind: LineKind, row: Mapping[str, Any], qty: Decimal, paid: set[LineKind]) -> QuoteLine:
    return QuoteLine(
        kind, str(row["code"]), str(row.get("name") or ""), qty, Decimal(str(row["unit_price"])), kind in paid
    )
