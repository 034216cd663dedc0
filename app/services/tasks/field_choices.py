"""Live choices for form fields marked ``x-options`` (e.g. the technicians ranked for a case)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ...domain.master_data import parse_period
from ...domain.roles import WORKING_ROLES
from ...domain.technicians import TechnicianProfile
from ...domain.technicians import rank_technicians
from ...persistence.orm import Technician
from ...persistence.unit_of_work import UnitOfWork
from ..context import ServiceContext
from .forms import OptionSource


def dispatch_day(ctx: ServiceContext) -> date:
    """Today in the service's time zone: a certificate or a day of leave is a day of the calendar there."""
    return ctx.clock.now().astimezone(ctx.calendar.tz).date()


def _periods(values: list[Any] | None) -> tuple[tuple[date, date], ...]:
    return tuple(parse_period(str(v)) for v in values or ())


def _profiles(uow: UnitOfWork, rows: list[Technician]) -> list[TechnicianProfile]:
    load = uow.tasks.open_load(r.username for r in rows)
    return [
        TechnicianProfile(
            r.username,
            r.name,
            tuple(r.regions or ()),
            tuple(r.skills or ()),
            r.cert_expiry,
            load.get(r.username, 0),
            r.max_load,
            _periods(r.unavailable),
        )
        for r in rows
    ]


def technician_profile(uow: UnitOfWork, username: str) -> TechnicianProfile | None:
    """One technician as the dispatch rules see them; None without a technician record."""
    row = uow.master.technician(username)
    return _profiles(uow, [row])[0] if row is not None else None


def technician_options(uow: UnitOfWork, ctx: ServiceContext, case_data: dict[str, Any]) -> list[dict[str, str]]:
    ranked = rank_technicians(
        _profiles(uow, uow.master.technicians()),
        region=case_data.get("region"),
        skill=case_data.get("product_category"),
        on=dispatch_day(ctx),
    )
    return [{"const": p.technician.username, "title": p.title} for p in ranked]


def staff_options(uow: UnitOfWork) -> list[dict[str, str]]:
    """Every active user who works tasks, by name with their roles (e.g. to name an emergency team)."""
    working = {r.value for r in WORKING_ROLES}
    rows = [u for u in uow.users.list() if u.active and u.roles & working]
    return [
        {"const": u.username, "title": f"{u.display_name or u.username} ({', '.join(sorted(u.roles & working))})"}
        for u in sorted(rows, key=lambda u: u.username)
    ]


def option_sources(uow: UnitOfWork, ctx: ServiceContext) -> dict[str, OptionSource]:
    return {"technicians": lambda data: technician_options(uow, ctx, data), "staff": lambda data: staff_options(uow)}
