"""Users and their roles."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..orm import User
from ..orm import UserRole
from .base import Repository


class UserRepository(Repository):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._role_members: dict[str, list[User]] = {}

    def get(self, username: str) -> User | None:
        return self.session.scalars(select(User).where(User.username == username)).first()

    def list(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.username)))

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
