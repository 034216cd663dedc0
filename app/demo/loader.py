"""Demo data: one user per role (password = user name, demo only), customers, units in every
warranty state, contracts, technicians by region and skill, a price list, and repair cases standing
at different steps.

The people and master data are CSV files in ``app/demo/data/``. The master data files are the
import format (headers are field names) and are loaded by the spreadsheet import itself, so the
demo proves it; the one thing the loader does first is turn ``today±N`` cells into dates, so the
demo keeps its warranty and contract states whenever it is loaded."""

from __future__ import annotations

import csv
import re
from datetime import date
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..domain.fees import warranty_evidence
from ..domain.principal import Principal
from ..domain.roles import Role
from ..persistence.orm import Unit
from ..services.context import ServiceContext
from ..services.master_data import imports
from ..services.master_data.records import list_records
from ..services.people.users import create_user
from ..services.planning.default_schedules import ensure_default_schedules

DATA = Path(__file__).resolve().parent / "data"
# Contracts before units (a unit names its contract), technicians after their user accounts.
MASTER_TABLES = ("customers", "contracts", "units", "technicians", "prices")
DEMO_ADMIN = Principal("admin", frozenset({Role.ADMIN}), "系统管理员 Admin")
_RELATIVE_DAY = re.compile(r"(?<![^,\n])today([+-]\d+)?(?![^,\r\n])")  # a whole cell: today, today+200, today-35


def _rows(name: str) -> list[dict[str, str]]:
    """One CSV of the demo's data (``app/demo/data/``), a dict per row keyed by the header."""
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _list(value: str) -> list[str]:
    return [item for item in value.split(";") if item]


DEMO_USERS: list[tuple[str, str, list[str]]] = [
    (row["username"], row["display_name"], _list(row["roles"])) for row in _rows("users")
]


def import_file(name: str, today: date) -> bytes:
    """``app/demo/data/<name>.csv`` as the file a department would import: ``today±N`` cells as dates."""
    text = (DATA / f"{name}.csv").read_text(encoding="utf-8")
    resolved = _RELATIVE_DAY.sub(lambda m: (today + timedelta(days=int(m[1] or 0))).isoformat(), text)
    return resolved.encode("utf-8")


def _create_missing_users(ctx: ServiceContext, usernames: set[str] | None = None) -> tuple[list[str], list[str]]:
    """The demo accounts (of ``usernames``, or all) that do not exist yet; (created, kept as they were)."""
    wanted = [u for u in DEMO_USERS if usernames is None or u[0] in usernames]
    with ctx.uow() as uow:
        existing = set(uow.users.by_usernames({username for username, _, _ in wanted}))
    created = []
    for username, name, roles in wanted:
        if username in existing:
            continue  # someone's account now: never reset its password to the well-known demo one
        create_user(
            ctx, username, username, [str(r) for r in roles], display_name=name, email=f"{username}@aftersales.example"
        )
        created.append(username)
    return created, [u for u, _, _ in wanted if u in existing]


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


def load_master_data(ctx: ServiceContext) -> list[str]:
    """Import each demo table that is still empty (a table holding records is left as it is), as the
    administrator; the technicians' user accounts are created first if missing. Says what it imported."""
    today = ctx.clock.now().date()
    _create_missing_users(ctx, {row["username"] for row in _rows("technicians")})
    lines = []
    for name in MASTER_TABLES:
        if list_records(ctx, DEMO_ADMIN, name, limit=1).total:
            continue
        sheet = imports.read_upload(f"{name}.csv", import_file(name, today))
        plan = imports.apply_import(ctx, DEMO_ADMIN, name, sheet, source=f"demo/{name}.csv")
        lines.append(f"{name}: {plan.counts['create']} imported from app/demo/data/{name}.csv")
    return lines


def load_demo(ctx: ServiceContext) -> list[str]:
    """Idempotent: existing users (their password, roles and name) and master data are kept; cases are added once."""
    created, kept = _create_missing_users(ctx)
    imported = load_master_data(ctx)
    schedules = ensure_default_schedules(ctx)
    with ctx.uow() as uow:
        has_cases = bool(uow.instances.list(limit=1))
    lines = []
    if created:
        lines.append(f"{len(created)} demo users created (password = user name): " + ", ".join(created))
    if kept:
        lines.append(f"{len(kept)} existing users left as they are (password, roles, name): " + ", ".join(kept))
    lines += imported
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
