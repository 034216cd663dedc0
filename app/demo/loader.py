"""Demo data: one user per role (password = user name, demo only), customers, units in every
warranty state, technicians by region and skill, and repair cases standing at different steps.

The people and master data are CSV files in ``app/demo/data/`` (one row per record, dates as
``today±N`` days so the demo keeps its warranty and contract states whenever it is loaded)."""

from __future__ import annotations

import csv
from datetime import date
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..domain.fees import warranty_evidence
from ..domain.principal import Principal
from ..persistence.orm import Contract
from ..persistence.orm import Customer
from ..persistence.orm import Technician
from ..persistence.orm import Unit
from ..services.context import ServiceContext
from ..services.people.users import create_user
from ..services.planning.default_schedules import ensure_default_schedules

DATA = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    """One CSV of the demo's data (``app/demo/data/``), a dict per row keyed by the header."""
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _day(value: str, today: date) -> date | None:
    """``today+200`` / ``today-35``: the demo's dates stay in the same warranty and contract states."""
    if not value:
        return None
    if value.startswith("today"):
        return today + timedelta(days=int(value[len("today") :] or 0))
    return date.fromisoformat(value)


def _yes(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "1")


def _list(value: str) -> list[str]:
    return [item for item in value.split(";") if item]


DEMO_USERS: list[tuple[str, str, list[str]]] = [
    (row["username"], row["display_name"], _list(row["roles"])) for row in _rows("users")
]


def _technicians(today: date) -> list[Technician]:
    return [
        Technician(
            username=row["username"],
            name=row["name"],
            branch=row["branch"],
            regions=_list(row["regions"]),
            skills=_list(row["skills"]),
            cert_no=row["cert_no"],
            cert_expiry=_day(row["cert_expiry"], today),
            title=row["title"],
            max_load=int(row["max_load"]),
        )
        for row in _rows("technicians")
    ]


def _customers() -> list[Customer]:
    return [
        Customer(
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            region=row["region"],
            branch=row["branch"],
            address=row["address"],
            phone=row["phone"],
            key_customer=_yes(row["key_customer"]),
        )
        for row in _rows("customers")
    ]


def _units(customers: dict[str, Customer], today: date) -> list[Unit]:
    """Every warranty state: in warranty, expired, expiring this month, extended, contract,
    no evidence, tampered."""
    return [
        Unit(
            serial_no=row["serial_no"],
            customer=customers[row["customer_code"]],
            product_category=row["product_category"],
            model=row["model"],
            purchase_date=_day(row["purchase_date"], today),
            invoice_no=row["invoice_no"] or None,
            warranty_card_no=row["warranty_card_no"] or None,
            extended_until=_day(row["extended_until"], today),
            tampered=_yes(row["tampered"]),
            contract_no=row["contract_no"] or None,
        )
        for row in _rows("units")
    ]


def _contracts(customers: dict[str, Customer], today: date) -> list[Contract]:
    """Active, expiring within a month (renewal starts now), in 45 days, renewed, lapsed (REQUIREMENTS §4)."""
    return [
        Contract(
            contract_no=row["contract_no"],
            customer=customers[row["customer_code"]],
            starts_on=_day(row["starts_on"], today),
            ends_on=_day(row["ends_on"], today),
            status=row["status"],
            sla_profile=row["sla_profile"],
        )
        for row in _rows("contracts")
    ]


def register_form(unit: Unit, **overrides: Any) -> dict[str, Any]:
    """The registration form a hotline agent would fill for ``unit``."""
    customer = unit.customer
    form = {
        "channel": "phone",
        "customer_name": customer.name,
        "customer_phone": customer.phone,
        "address": customer.address,
        "region": customer.region,
        "product_category": unit.product_category,
        "product_model": unit.model,
        "serial_no": unit.serial_no,
        "purchase_date": unit.purchase_date.isoformat() if unit.purchase_date else "",
        "warranty_evidence": warranty_evidence(unit.invoice_no, unit.warranty_card_no),
        "tampered": unit.tampered,
        "contract_no": unit.contract_no or "",
        "fault_description": "不制冷 / not cooling",
        "service_category": "repair",
        "urgency": "medium",
    }
    form.update(overrides)
    return form


def load_master_data(ctx: ServiceContext) -> None:
    """Technicians, customers and units, unless there are technicians already."""
    today = ctx.clock.now().date()
    with ctx.uow() as uow:
        if uow.master.technicians():
            return
        for tech in _technicians(today):
            uow.add_row(tech)
        customers = {c.code: c for c in _customers()}
        for c in customers.values():
            uow.add_row(c)
        for unit in _units(customers, today):
            uow.add_row(unit)
        for contract in _contracts(customers, today):
            uow.add_row(contract)
        uow.commit()


def load_demo(ctx: ServiceContext) -> list[str]:
    """Idempotent: existing users (their password, roles and name) and master data are kept; cases are added once."""
    with ctx.uow() as uow:
        existing = set(uow.users.by_usernames({username for username, _, _ in DEMO_USERS}))
    created = []
    for username, name, roles in DEMO_USERS:
        if username in existing:
            continue  # someone's account now: never reset its password to the well-known demo one
        create_user(
            ctx, username, username, [str(r) for r in roles], display_name=name, email=f"{username}@aftersales.example"
        )
        created.append(username)
    load_master_data(ctx)
    schedules = ensure_default_schedules(ctx)
    with ctx.uow() as uow:
        has_cases = bool(uow.instances.list(limit=1))
    lines = []
    if created:
        lines.append(f"{len(created)} demo users created (password = user name): " + ", ".join(created))
    kept = [u for u, _, _ in DEMO_USERS if u in existing]
    if kept:
        lines.append(f"{len(kept)} existing users left as they are (password, roles, name): " + ", ".join(kept))
    lines += [f"schedule: {name}" for name in schedules]
    if not has_cases:
        from .complaints import open_demo_complaints
        from .history import open_history
        from .repairs import open_demo_cases

        lines += open_history(ctx)
        lines += open_demo_cases(ctx)
        lines += open_demo_complaints(ctx)
        from .plans import open_demo_plans

        lines += open_demo_plans(ctx)
    return lines


def demo_principal(username: str, roles: list[str]) -> Principal:
    return Principal(username, frozenset(roles), username)
