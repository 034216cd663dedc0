"""Users and their roles, and the audit of what administrators changed about them.

The audit rows are ``MasterChange`` rows with ``table_name`` "users" and the username as the
record key: staff are the department's records too, and one history shape serves every page.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..orm import MasterChange
from ..orm import User
from ..orm import UserRole
from .base import Repository

USERS_TABLE = "users"  # MasterChange.table_name of the staff audit


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class UserRepository(Repository):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._role_members: dict[str, list[User]] = {}

    def get(self, username: str) -> User | None:
        return self.session.scalars(select(User).where(User.username == username)).first()

    def list(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.username)))

    def search(self, text: str = "", role: str | None = None, active: bool | None = None) -> list[User]:
        """Users whose name or display name contains ``text``, with ``role``, active or not (None: both)."""
        query = select(User).order_by(User.username)
        if text:
            like = f"%{_escaped(text.lower())}%"
            query = query.where(
                or_(
                    func.lower(User.username).like(like, escape="\\"),
                    func.lower(User.display_name).like(like, escape="\\"),
                )
            )
        if role:
            query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
        if active is not None:
            query = query.where(User.active.is_(active))
        return list(self.session.scalars(query))

    def by_usernames(self, usernames: set[str]) -> dict[str, User]:
        if not usernames:
            return {}
        return {u.username: u for u in self.session.scalars(select(User).where(User.username.in_(usernames)))}

    def with_role(self, role: str) -> list[User]:
        """Active users with ``role``; asked once per unit of work (a timer round notifies many cases)."""
        members = self._role_members.get(role)
        if members is None:
            members = list(
                self.session.scalars(
                    select(User)
                    .join(UserRole)
                    .where(UserRole.role == role, User.active.is_(True))
                    .order_by(User.username)
                )
            )
            self._role_members[role] = members
        return list(members)

    def count_by_role(self) -> dict[str, int]:
        """How many active users hold each role (roles nobody holds are absent)."""
        rows = self.session.execute(
            select(UserRole.role, func.count(UserRole.user_id))
            .join(User, User.id == UserRole.user_id)
            .where(User.active.is_(True))
            .group_by(UserRole.role)
        )
        return {role: count for role, count in rows}

    def active_with_role_locked(self, role: str) -> list[User]:
        """Active users with ``role``, their rows locked until the commit (PostgreSQL): two administrators
        taking the role from each other at once cannot leave nobody with it."""
        return list(
            self.session.scalars(
                select(User)
                .where(User.active.is_(True), User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
                .order_by(User.id)
                .with_for_update()
            )
        )

    def add_change(self, change: MasterChange) -> None:
        change.table_name = USERS_TABLE
        self.session.add(change)

    def history(self, username: str, limit: int = 100) -> list[MasterChange]:
        """What administrators changed about ``username``, newest first."""
        return list(
            self.session.scalars(
                select(MasterChange)
                .where(MasterChange.table_name == USERS_TABLE, MasterChange.record_key == username)
                .order_by(MasterChange.id.desc())
                .limit(limit)
            )
        )
