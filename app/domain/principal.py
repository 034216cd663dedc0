"""Who is acting: a user with roles, or the system itself (timers)."""

from __future__ import annotations

from dataclasses import dataclass

from .roles import READ_ONLY
from .roles import WORKING_ROLES
from .roles import Role


@dataclass(frozen=True)
class Principal:
    username: str
    roles: frozenset[str]
    display_name: str = ""
    # A customer acting through a case link sees that case only (domain/customer_links.py), and
    # through a link bound to one task (an instance of a multi-instance step) that task only.
    case_id: int | None = None
    task_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def read_only(self) -> bool:
        return bool(self.roles) and self.roles <= READ_ONLY

    @property
    def working_roles(self) -> frozenset[str]:
        return self.roles & WORKING_ROLES

    def may_work(self, role: str | None) -> bool:
        """May this user claim or complete a task of ``role``?"""
        if self.read_only:
            return False
        return self.is_admin or (role is not None and role in self.roles)


SYSTEM = Principal("system", frozenset(), "System")
