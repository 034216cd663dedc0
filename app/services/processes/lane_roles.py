"""Lane roles: a process owner gives each lane of a process the role that works its tasks.

Diagrams drawn elsewhere name lanes as their authors liked ("A", "Back office"); the house
convention (``lane_<role>``) is one way to name a role, this mapping the other. It is kept per
process key and lane id, applies to every version (the one deployed next and those cases run on
now): a task that becomes ready in a mapped lane goes to the mapped role, and the ready tasks of a
lane whose mapping changed move to the new role. A lane with neither is a deploy warning, and only
an administrator may work its tasks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ...domain.principal import Principal
from ...domain.roles import WORKING_ROLES
from ...engine import diagram_lanes
from ...errors import Forbidden
from ...errors import InvalidInput
from ..context import ServiceContext
from .workbench import may_edit
from .workbench import may_read

ROLE_CODES = frozenset(r.value for r in WORKING_ROLES)


@dataclass(frozen=True)
class LaneRow:
    lane: str  # lane id
    name: str  # lane name as drawn ("中文 / English" or anything)
    diagram_role: str | None  # the role the diagram names (lane_<role>, or a lane named after a role)
    mapped_role: str | None  # the process owner's choice
    role: str | None  # what its tasks get: the mapping, else the diagram's; None: administrators only


def lane_table(ctx: ServiceContext, key: str, actor: Principal) -> list[LaneRow]:
    """Every lane of the process's versions (the latest's first), with its roles."""
    if not may_read(actor):
        raise Forbidden("only process owners, administrators and auditors may read lane roles")
    with ctx.uow() as uow:
        versions = [ctx.versions.get(uow, row.id) for row in reversed(uow.versions.all_versions(key))]
        if not versions:
            ctx.versions.find(uow, key)  # NotFound
        mapped = uow.lane_roles.of(key)
    seen: dict[str, LaneRow] = {}
    for version in versions:
        for lane, name, role in diagram_lanes(version.bpmn_xml, key):
            if lane not in seen:
                seen[lane] = LaneRow(lane, name, role, mapped.get(lane), mapped.get(lane) or role)
    return list(seen.values())


def put_lane_roles(ctx: ServiceContext, key: str, mapping: Mapping[str, str | None], actor: Principal) -> list[LaneRow]:
    """Replace the process's mapping (a lane left out or given None has none); the ready tasks of
    every lane whose role changes move to its new role (an unmapped lane's: the role their version
    was deployed with). Returns the table as it now is."""
    if not may_edit(actor):
        raise Forbidden("only a process owner or an administrator may map lanes to roles")
    lanes = {row.lane: row for row in lane_table(ctx, key, actor)}
    errors = {}
    for lane, role in mapping.items():
        if lane not in lanes:
            errors[lane] = [f"no lane {lane!r} in any version of {key}"]
        elif role is not None and role not in ROLE_CODES:
            errors[lane] = [f"{role!r} is not a role that works tasks"]
    if errors:
        raise InvalidInput("lane roles refused", errors=errors)
    chosen = {lane: role for lane, role in mapping.items() if role}
    with ctx.uow() as uow:
        uow.lane_roles.replace(key, chosen, by=actor.username, at=ctx.clock.now())
        for task in uow.tasks.ready_of(key):
            element = ctx.versions.get(uow, task.version_id).element(task.element_id)
            if element is None or not element.lane or element.role_from or element.lane not in lanes:
                continue
            task.role = chosen.get(element.lane) or element.role  # unmapped: as its version was deployed
        uow.commit()
    return lane_table(ctx, key, actor)
