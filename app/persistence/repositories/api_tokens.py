"""Service accounts' API tokens (by their hash) and the idempotency keys of case starts."""

from __future__ import annotations

from sqlalchemy import select

from ..orm import ApiToken
from ..orm import IdempotencyKey
from .base import Repository


class ApiTokenRepository(Repository):
    def by_hash(self, token_hash: str) -> ApiToken | None:
        return self.session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()

    def get(self, token_id: int) -> ApiToken | None:
        return self.session.get(ApiToken, token_id)

    def list(self) -> list[ApiToken]:
        return list(self.session.scalars(select(ApiToken).order_by(ApiToken.id)))


class IdempotencyRepository(Repository):
    def get(self, username: str, key: str) -> IdempotencyKey | None:
        """The start ``username`` made with ``key``, if any."""
        return self.session.get(IdempotencyKey, (username, key))
