"""QA's allow-list: deviations from a diagram accepted with a reason, so conformance reports
separate known, agreed practice from real departures."""

from __future__ import annotations

from ...domain.principal import Principal
from ...domain.roles import Role
from ...errors import Conflict
from ...errors import Forbidden
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.orm import AcceptedDeviation
from ..context import ServiceContext
from .reports import REPORT_ROLES
from .reports import require_role

DECIDERS = frozenset({Role.ADMIN, Role.PROCESS_OWNER})
KINDS = frozenset({"inserted", "missing", "skipped", "repeated"})


def list_accepted(ctx: ServiceContext, actor: Principal, process_key: str | None = None) -> list[AcceptedDeviation]:
    require_role(actor, REPORT_ROLES, "accepted deviations")
    with ctx.uow() as uow:
        return uow.accepted.list(process_key)


def accept(
    ctx: ServiceContext, process_key: str, element_id: str, kind: str, reason: str, actor: Principal
) -> AcceptedDeviation:
    if actor.read_only or not actor.roles & DECIDERS:
        raise Forbidden("only a process owner or an administrator may accept a deviation")
    if kind not in KINDS or not reason.strip():
        raise InvalidInput(
            "a kind (inserted, missing, skipped, repeated) and a reason are needed",
            errors={"kind": sorted(KINDS), "reason": ["required"]},
        )
    with ctx.uow() as uow:
        if uow.accepted.find(process_key, element_id, kind):
            raise Conflict(f"{kind} {element_id} is already accepted for {process_key}")
        row = AcceptedDeviation(
            process_key=process_key,
            element_id=element_id,
            kind=kind,
            reason=reason.strip(),
            created_by=actor.username,
            created_at=ctx.clock.now(),
        )
        uow.accepted.add(row)
        uow.commit()
        return row


def withdraw(ctx: ServiceContext, row_id: int, actor: Principal) -> None:
    if actor.read_only or not actor.roles & DECIDERS:
        raise Forbidden("only a process owner or an administrator may withdraw an accepted deviation")
    with ctx.uow() as uow:
        row = uow.accepted.get(row_id)
        if row is None:
            raise NotFound(f"no accepted deviation {row_id}")
        uow.accepted.delete(row)
        uow.commit()
