"""Who may read which case: customer records are confidential per person (seed 000 §4.11.1
「严格设定发放范围、阅览权限」, seed 002 §5.3.1.3; REQUIREMENTS SEC-01/SEC-02).

The rule (``CaseVisibility.PERSON``, the default). A user may read a case — its detail, data,
audit trail, timers, attachments, diagram, tasks — when

1. one of their roles reads every case: administrator, process owner, auditor, quality (QA);
2. they started it;
3. they hold or held one of its tasks: assigned to them, claimed by them, handed over to them,
   or completed by them (a task completed by a person keeps that person as its assignee: only an
   administrator may complete a task held by someone else, and skipping is for process owners);
4. a task of it is ready now and may be claimed by them: nobody holds it and it is in one of
   their roles' lanes. That is how work is distributed — the group inbox shows the task, and the
   person deciding whether to take it may open the case. Once a colleague claims it, it is gone;
5. the case data names them for one of their roles, e.g. ``technician`` chosen by the dispatcher
   on the service notice (the engine assigns that lane's tasks to them, ``progress._assignee_for``),
   even after they handed a task over;
6. they coordinate its procedure: dispatcher, customer service agent, supervisor, service manager,
   department head and executive read every case of the processes in which their role has a lane
   (the dispatcher every repair, the executive every complaint, annual plan, …).

Visibility follows the task rows as they are now: a person who unclaims a task, or hands it over
before completing it, no longer holds it.

The group inbox follows the same rule: it lists the ready unclaimed tasks of the user's roles,
the tasks they hold, and every task of the roles they coordinate — not a technician colleague's
claimed task with its customer's name.

``CaseVisibility.ROLE`` keeps the role-wide view for small companies where everyone works every
case: a user reads every case that has (or had) a task of one of their roles, and the overseers
(administrator, process owner, auditor, supervisor) read everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from .principal import Principal
from .roles import Role

# Roles that read every case in the person-by-person view.
READS_EVERY_CASE = frozenset({Role.ADMIN, Role.PROCESS_OWNER, Role.AUDITOR, Role.QA})
# Roles that coordinate a procedure: they read every case of the processes they have a lane in.
COORDINATORS = frozenset(
    {Role.CS_AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.SERVICE_MANAGER, Role.DEPT_HEAD, Role.EXECUTIVE}
)
# The role-wide view's overseers (the behaviour before records were confidential per person).
ROLE_VIEW_OVERSEERS = frozenset({Role.ADMIN, Role.PROCESS_OWNER, Role.AUDITOR, Role.SUPERVISOR})


class CaseVisibility(StrEnum):
    PERSON = "person"  # the cases a person works, worked, may claim or coordinates
    ROLE = "role"  # every case with a task of one of the person's roles

    @classmethod
    def parse(cls, value: str) -> CaseVisibility:
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = " or ".join(repr(v.value) for v in cls)
            raise ValueError(f"AFTERSALES_CASE_VISIBILITY must be {choices}, not {value!r}") from None


@dataclass(frozen=True)
class ReadScope:
    """The cases one user may read, as grants a query can test (see the module docstring)."""

    username: str
    everything: bool = False
    any_task_roles: frozenset[str] = frozenset()  # a task of these roles, whoever holds it (role view)
    completed_counts: bool = False  # a task they completed, whoever holds it now (role view)
    claimable_roles: frozenset[str] = frozenset()  # a ready task of these roles that nobody holds
    named_roles: frozenset[str] = frozenset()  # the case data names them for one of these roles
    coordinated_roles: frozenset[str] = frozenset()  # their roles that coordinate a procedure
    process_keys: frozenset[str] = frozenset()  # every case of these processes (the coordinated ones)

    @property
    def inbox_roles(self) -> frozenset[str]:
        """Roles whose tasks the inbox lists whoever holds them (beside the claimable and their own)."""
        return self.any_task_roles | self.coordinated_roles


def read_scope(actor: Principal, mode: CaseVisibility, lanes: Mapping[str, frozenset[str]]) -> ReadScope:
    """What ``actor`` may read under ``mode``; ``lanes`` maps each process key to the roles with a lane in it."""
    if mode is CaseVisibility.ROLE:
        if actor.roles & ROLE_VIEW_OVERSEERS:
            return ReadScope(actor.username, everything=True, any_task_roles=actor.working_roles)
        return ReadScope(actor.username, any_task_roles=frozenset(actor.roles), completed_counts=True)
    if actor.roles & READS_EVERY_CASE:
        return ReadScope(actor.username, everything=True, any_task_roles=actor.working_roles)
    working = frozenset() if actor.read_only else actor.working_roles
    coordinated = working & COORDINATORS
    # A coordinated role's tasks are all in its processes: granting them again would only slow the query.
    return ReadScope(
        actor.username,
        claimable_roles=working - coordinated,
        named_roles=working - coordinated,
        coordinated_roles=coordinated,
        process_keys=frozenset(key for key, roles in lanes.items() if roles & coordinated),
    )


def needs_lanes(actor: Principal, mode: CaseVisibility) -> bool:
    """Does ``read_scope`` need the processes' lanes for this user (only coordinators do)?"""
    return mode is CaseVisibility.PERSON and bool(actor.roles & COORDINATORS) and not actor.roles & READS_EVERY_CASE
