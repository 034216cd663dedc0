"""Messages into running cases (``POST /messages``): an outside system says something happened — the
ERP shipped the spare part, the call centre reached the customer — and the one case waiting for that
message moves on.

The message is correlated by its name and the case: its number or id, or correlation keys that the
case's data must hold (``{"order_no": "PO-7"}``). Exactly one waiting case must match: none is a 404,
several a 409 naming them, so a message never moves the wrong case. The payload goes into the catch
event's message variable; the case's audit trail records who sent what.
"""

from __future__ import annotations

from typing import Any

from ...domain.cases import CaseStatus
from ...domain.events import EventType
from ...domain.principal import Principal
from ...errors import Conflict
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.orm import Instance
from ..context import ServiceContext
from .opening import read_scope
from .step import case_step

MAX_CANDIDATES = 20  # more matches than this: the keys do not pick a case


def correlate(
    ctx: ServiceContext,
    actor: Principal,
    name: str,
    *,
    case_no: str | None = None,
    instance_id: int | None = None,
    keys: dict[str, Any] | None = None,
    payload: Any = None,
) -> Instance:
    """Deliver message ``name`` to the one running case that waits for it and matches; that case."""
    keys = keys or {}
    name = (name or "").strip()
    if not name:
        raise InvalidInput("the message needs a name", errors={"name": ["required"]})
    if case_no is None and instance_id is None and not keys:
        raise InvalidInput(
            "say which case: case_no, instance_id or correlation keys",
            errors={"correlation_keys": ["give case_no, instance_id or at least one key"]},
        )
    with ctx.uow() as uow:
        candidates = uow.instances.correlated(
            keys=keys,
            status=CaseStatus.RUNNING,
            visible_to=read_scope(ctx, uow, actor),
            case_no=case_no,
            instance_id=instance_id,
            limit=MAX_CANDIDATES + 1,
        )
        waiting = [
            case
            for case in candidates
            if name in ctx.engine.awaited_messages(ctx.versions.get(uow, case.version_id), case.state)
        ]
    if not waiting:
        raise NotFound(
            f"no running case you may read waits for message {name!r}{_criteria(case_no, instance_id, keys)}"
        )
    if len(waiting) > 1:
        numbers = ", ".join(c.case_no or str(c.id) for c in waiting[:MAX_CANDIDATES])
        raise Conflict(
            f"{len(waiting)} cases wait for message {name!r}{_criteria(case_no, instance_id, keys)}: {numbers}"
        )
    with case_step(ctx, actor, instance_id=waiting[0].id) as step:
        step.expect(CaseStatus.RUNNING)
        if name not in ctx.engine.awaited_messages(step.process, step.instance.state):
            raise Conflict(f"case {step.instance.case_no} no longer waits for message {name!r}")
        step.apply(
            lambda: ctx.engine.deliver_message(step.process, step.instance.state, name, payload),
            EventType.MESSAGE_RECEIVED,
            data={"message": name, "payload": payload, "correlation_keys": keys},
        )
    return step.instance


def _criteria(case_no: str | None, instance_id: int | None, keys: dict[str, Any]) -> str:
    said = [f"case {case_no}" if case_no else "", f"id {instance_id}" if instance_id is not None else ""]
    said += [f"{k} = {v!r}" for k, v in keys.items()]
    return " (" + ", ".join(s for s in said if s) + ")" if any(said) else ""
