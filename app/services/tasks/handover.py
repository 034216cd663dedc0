"""Who a task may be handed to: an active user with the task's role — and for a technician's task
only a technician the dispatch rules allow (a valid certificate, 持证上岗, and not on leave that
day), the same rules that leave them out of the technicians proposed on the service notice
(domain/technicians.py).

Every path that chooses a person goes through ``refusal``: a hand-over (delegate), a claim, the
completion of a task nobody had claimed, and case data naming the person for a role (a skip or a
retry with corrected data; the task that becomes ready is handed to whoever the data names).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain.customer_links import is_link_principal
from ...domain.roles import Role
from ...domain.technicians import dispatch_refusal
from ...errors import InvalidInput
from ...persistence.unit_of_work import UnitOfWork
from ..context import ServiceContext
from .field_choices import dispatch_day
from .field_choices import technician_profile


def refusal(uow: UnitOfWork, ctx: ServiceContext, username: str, role: str | None) -> str | None:
    """Why ``username`` may not work a task of ``role``, or None if they may."""
    if role == Role.CUSTOMER:  # the customer's steps are done through a case link, by no account
        return None if is_link_principal(username) else f"{username}: a customer step is done through a case link"
    user = uow.users.get(username)
    if user is None or not user.active:
        return f"no active user {username!r}"
    if role and role not in user.roles:
        return f"{username} does not have the role {role!r}"
    if role == Role.TECHNICIAN:
        reason = dispatch_refusal(technician_profile(uow, username), dispatch_day(ctx))
        return f"{username} may not be dispatched: {reason}" if reason else None
    return None


def require_assignable(uow: UnitOfWork, ctx: ServiceContext, username: str, role: str | None, field: str) -> None:
    reason = refusal(uow, ctx, username, role)
    if reason:
        raise InvalidInput(reason, errors={field: [reason]})


def check_named_assignees(uow: UnitOfWork, ctx: ServiceContext, data: Mapping[str, Any], prefix: str) -> None:
    """Case data whose key is a role names the person its next task goes to: each must be allowed."""
    errors: dict[str, list[str]] = {}
    for role in Role:
        value = data.get(role.value)
        if isinstance(value, str) and value:
            reason = refusal(uow, ctx, value, role)
            if reason:
                errors[f"{prefix}{role.value}"] = [reason]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors=errors)


def check_chosen_technicians(uow: UnitOfWork, ctx: ServiceContext, schema: Mapping[str, Any], data: Any) -> None:
    """A form field offering the ranked technicians (``x-options: technicians``) that names one who may
    not be dispatched is refused with the reason (expired certificate, on leave), not only as "not a choice"."""
    if not isinstance(data, Mapping):
        return
    errors: dict[str, list[str]] = {}
    for name, prop in (schema.get("properties") or {}).items():
        value = data.get(name)
        if isinstance(prop, dict) and prop.get("x-options") == "technicians" and isinstance(value, str) and value:
            # The dispatch rules only: whether the user exists is the choices' own check, as before.
            reason = dispatch_refusal(technician_profile(uow, value), dispatch_day(ctx))
            if reason:
                errors[name] = [f"{value} may not be dispatched: {reason}"]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors=errors)
