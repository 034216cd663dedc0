"""Looking records up while filling a form: customers by name, code or phone; units by serial;
technicians by user name or name.

Only for the roles that register requests and complaints (``roles.REGISTRARS``): a look-up reads any
customer's phone and address. A technician on site has the customer and unit of their own case in
the case data, and needs no search across all customers.
"""

from __future__ import annotations

from typing import Any

from ...domain.fees import warranty_evidence
from ...domain.principal import Principal
from ...domain.roles import REGISTRARS
from ...errors import Forbidden
from ..context import ServiceContext

MAX_RESULTS = 20


def _require_registrar(actor: Principal) -> None:
    if not actor.roles & REGISTRARS:
        raise Forbidden(
            "customer records are looked up by those who register requests and complaints"
            f" ({', '.join(sorted(REGISTRARS))}; seed 000 §4.11: confidential)"
        )


def customers(ctx: ServiceContext, query: str, actor: Principal) -> list[dict[str, Any]]:
    _require_registrar(actor)
    if len(query.strip()) < 1:
        return []
    with ctx.uow() as uow:
        rows = uow.master.customers(query.strip(), limit=MAX_RESULTS)
    return [
        {
            "code": c.code,
            "name": c.name,
            "phone": c.phone,
            "address": c.address,
            "region": c.region,
            "key_customer": c.key_customer,
        }
        for c in rows
    ]


def units(ctx: ServiceContext, serial: str, actor: Principal) -> list[dict[str, Any]]:
    """Units whose serial number starts with ``serial``, with the warranty facts the register form needs."""
    _require_registrar(actor)
    if len(serial.strip()) < 2:
        return []
    with ctx.uow() as uow:
        rows = uow.master.units_by_serial_prefix(serial.strip(), limit=MAX_RESULTS)
    return [
        {
            "serial_no": u.serial_no,
            "model": u.model,
            "product_category": u.product_category,
            "purchase_date": u.purchase_date.isoformat() if u.purchase_date else "",
            "warranty_evidence": warranty_evidence(u.invoice_no, u.warranty_card_no),
            "tampered": u.tampered,
            "contract_no": u.contract_no or "",
            "customer_code": u.customer.code,
            "customer_name": u.customer.name,
            "customer_phone": u.customer.phone,
            "address": u.customer.address,
            "region": u.customer.region,
        }
        for u in rows
    ]


def technicians(ctx: ServiceContext, query: str, actor: Principal) -> list[dict[str, Any]]:
    """Technicians whose user name or name contains ``query``; the form keeps the user name."""
    _require_registrar(actor)
    if len(query.strip()) < 1:
        return []
    with ctx.uow() as uow:
        rows = uow.master.technicians_matching(query.strip(), limit=MAX_RESULTS)
    return [
        {"username": t.username, "name": t.name, "branch": t.branch, "regions": list(t.regions or []), "title": t.title}
        for t in rows
    ]
