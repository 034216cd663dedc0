"""Users, roles and passwords (hashed with scrypt; never stored or logged in clear), and the end of
their sessions: a new password, other roles, deactivation or logging out raise the user's session
generation, which every browser session opened before no longer matches (services/sessions.py)."""

from __future__ import annotations

import hashlib
import threading
import time

from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from ..domain.principal import Principal
from ..domain.roles import Role
from ..errors import InvalidInput
from ..errors import NotFound
from ..persistence.orm import User
from ..persistence.orm import UserRole
from .context import ServiceContext

# Verifying scrypt costs tens of milliseconds; API clients send Basic credentials on every
# request, so a successful check is remembered briefly (keyed by a hash, never the password).
_VERIFIED_TTL_SECONDS = 300
_verified: dict[str, float] = {}
_verified_lock = threading.Lock()


def principal_of(user: User) -> Principal:
    return Principal(user.username, frozenset(user.roles), user.display_name or user.username)


def create_user(
    ctx: ServiceContext,
    username: str,
    password: str,
    roles: list[str],
    *,
    display_name: str = "",
    email: str | None = None,
    locale: str = "zh_Hans",
) -> User:
    unknown = [r for r in roles if r not in Role._value2member_map_]
    if unknown:
        raise InvalidInput(f"unknown roles {unknown}", errors={"roles": [f"unknown: {', '.join(unknown)}"]})
    if not username or not password:
        raise InvalidInput("a user needs a name and a password", errors={"password": ["required"]})
    with ctx.uow() as uow:
        user = uow.users.get(username)
        if user is None:
            user = User(username=username, created_at=ctx.clock.now(), session_generation=0)
            uow.users.add(user)
        else:
            # A password set again (even the same one: it gets a new salt) or changed roles: whoever is
            # logged in as this user logs in again, with the new password and under the new roles.
            user.session_generation += 1
        user.password_hash = generate_password_hash(password, method=ctx.password_method)
        user.display_name, user.email, user.locale = display_name or username, email, locale
        user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
        uow.commit()
        forget_credentials(username)
        return user


def end_sessions(ctx: ServiceContext, username: str) -> None:
    """End every browser session of ``username`` (logging out ends them on every device)."""
    with ctx.uow() as uow:
        user = uow.users.get(username)
        if user is not None:
            user.session_generation += 1
            uow.commit()
    forget_credentials(username)


def deactivate_user(ctx: ServiceContext, username: str) -> None:
    """The user can no longer log in, and is logged out everywhere (reactivating does not revive a session)."""
    with ctx.uow() as uow:
        user = uow.users.get(username)
        if user is None:
            raise NotFound(f"no user {username!r}")
        user.active = False
        user.session_generation += 1
        uow.commit()
    forget_credentials(username)


def _credential_key(username: str, password: str, password_hash: str) -> str:
    """The cache's key: the user name in front (so ``forget_credentials`` finds a user's entries), then a
    digest that changes with the password and with its stored hash (never the password itself)."""
    return f"{username}\0" + hashlib.sha256(f"{username}\0{password}\0{password_hash}".encode()).hexdigest()


def forget_credentials(username: str) -> None:
    """Drop the remembered Basic credentials of ``username``: the next request checks the password again.

    A new password already misses the cache (its hash is in the key); this also covers ending a
    user's sessions for any other reason, so no credential outlives the moment its user was logged out.
    """
    prefix = f"{username}\0"
    with _verified_lock:
        for key in [k for k in _verified if k.startswith(prefix)]:
            del _verified[key]


def authenticate(ctx: ServiceContext, username: str, password: str) -> Principal | None:
    with ctx.uow() as uow:
        user = uow.users.get(username)
        if user is None or not user.active:
            return None
        key = _credential_key(username, password, user.password_hash)
        with _verified_lock:
            fresh = _verified.get(key, 0) > time.monotonic()
        if not fresh:
            if not check_password_hash(user.password_hash, password):
                return None
            with _verified_lock:
                _verified[key] = time.monotonic() + _VERIFIED_TTL_SECONDS
        return principal_of(user)


def principal_for(ctx: ServiceContext, username: str) -> Principal | None:
    with ctx.uow() as uow:
        user = uow.users.get(username)
        return principal_of(user) if user is not None and user.active else None


def list_users(ctx: ServiceContext) -> list[User]:
    with ctx.uow() as uow:
        return uow.users.list()
