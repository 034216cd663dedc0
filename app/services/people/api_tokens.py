"""Service accounts' API tokens: an administrator makes one for a user (the service account), scoped
to some of that user's roles; the token is random, shown once, and only its SHA-256 is kept. A
request sends it as ``Authorization: Bearer <token>`` and acts as the user with the token's roles
(those the user still has). A token is revoked, never deleted; when it was last used is recorded
(at most once a minute, so that a busy client does not write on every request)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from ...domain.principal import Principal
from ...errors import Conflict
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.orm import ApiToken
from ..context import ServiceContext
from .staff import require_admin

PREFIX = "ast_"  # "after-sales token": recognisable in a leaked log or a secret scanner
LAST_USED_GRANULARITY = timedelta(minutes=1)
MAX_NAME_LENGTH = 128


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown this once


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    ctx: ServiceContext, actor: Principal, username: str, name: str, roles: list[str] | None = None
) -> IssuedToken:
    """A new token for ``username`` with ``roles`` (default: all the user's roles), which the user must have."""
    require_admin(actor)
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(
            "the token needs a name", errors={"name": [f"required, at most {MAX_NAME_LENGTH} characters"]}
        )
    with ctx.uow() as uow:
        user = uow.users.get(username)
        if user is None or not user.active:
            raise InvalidInput(f"no active user {username!r}", errors={"username": ["no such active user"]})
        wanted = set(user.roles if roles is None else roles)
        if not wanted:
            raise InvalidInput("a token needs at least one role", errors={"roles": ["at least one role"]})
        if not wanted <= user.roles:
            missing = ", ".join(sorted(wanted - user.roles))
            raise InvalidInput(
                f"{username} has not the role(s) {missing}", errors={"roles": [f"not a role of {username}: {missing}"]}
            )
        secret = PREFIX + secrets.token_urlsafe(32)
        row = ApiToken(
            user=user,
            name=name,
            token_hash=token_hash(secret),
            prefix=secret[: len(PREFIX) + 4],
            roles=sorted(wanted),
            created_by=actor.username,
            created_at=ctx.clock.now(),
        )
        uow.tokens.add(row)
        uow.commit()
        return IssuedToken(row, secret)


def list_tokens(ctx: ServiceContext, actor: Principal) -> list[ApiToken]:
    require_admin(actor)
    with ctx.uow() as uow:
        return uow.tokens.list()


def revoke_token(ctx: ServiceContext, actor: Principal, token_id: int) -> ApiToken:
    """The token no longer authenticates anyone, from the next request on (409 if already revoked)."""
    require_admin(actor)
    with ctx.uow() as uow:
        row = uow.tokens.get(token_id)
        if row is None:
            raise NotFound(f"no API token {token_id}")
        if row.revoked_at is not None:
            raise Conflict(f"API token {token_id} is already revoked")
        row.revoked_at = ctx.clock.now()
        uow.commit()
        return row


def authenticate_token(ctx: ServiceContext, secret: str) -> Principal | None:
    """Who a Bearer token acts as: its active user with the token's roles the user still has; None when
    the token is unknown, revoked, or its user is disabled or has none of its roles any more."""
    if not secret.startswith(PREFIX):
        return None
    with ctx.uow() as uow:
        row = uow.tokens.by_hash(token_hash(secret))
        if row is None or row.revoked_at is not None or not row.user.active:
            return None
        roles = frozenset(row.roles) & frozenset(row.user.roles)
        if not roles:
            return None
        now = ctx.clock.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_GRANULARITY:
            row.last_used_at = now
            uow.commit()
        return Principal(row.user.username, roles, row.user.display_name or row.user.username)
