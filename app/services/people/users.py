"""Users, roles and passwords (hashed with scrypt; never stored or logged in clear), and the end of
their sessions: a new password, other roles, deactivation or logging out raise the user's session
generation, which every browser session opened before no longer matches (services/people/sessions.py)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable

from cachetools import TTLCache
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from ...domain.principal import Principal
from ...domain.roles import Role
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.orm import User
from ...persistence.orm import UserRole
from ..context import ServiceContext

# Verifying scrypt costs tens of milliseconds; API clients send Basic credentials on every
# request, so a successful check is remembered briefly (keyed by an HMAC, never the password).
# The stored hash is part of the key, so a password changed by another worker misses at once; the
# bound keeps a long-running worker's memory flat however many users and passwords it has seen.
_VERIFIED_TTL_SECONDS = 300
VERIFIED_MAX_ENTRIES = 1024
# Keys are (username, digest); values are unused. The timer is monotonic: a duration, not business time.
_verified: TTLCache[tuple[str, str], bool] = TTLCache(
    maxsize=VERIFIED_MAX_ENTRIES, ttl=_VERIFIED_TTL_SECONDS, timer=time.monotonic
)
_verified_lock = threading.Lock()
# A secret of this process: a memory dump's digests cannot be tested against guessed passwords offline.
_VERIFIED_KEY = secrets.token_bytes(32)


def forget_credentials(username: str) -> None:
    """Drop every remembered successful check of ``username`` (password or roles changed, deactivated)."""
    with _verified_lock:
        for key in [k for k in _verified if k[0] == username]:
            _verified.pop(key, None)


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash of a random password made with the configured method, once per process: checking an
    unknown or inactive user's password against it costs what a real check costs, so the answer's
    time does not tell which user names exist."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


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
    unknown = [r for r in roles if r not in Role._value2member_map_ or r == Role.CUSTOMER]
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


def authenticate(
    ctx: ServiceContext, username: str, password: str, *, before_hash: Callable[[], None] | None = None
) -> Principal | None:
    """The user if the password is right. ``before_hash`` runs before any password is hashed and may raise to
    refuse (the log-in throttle); credentials verified a moment ago are accepted without it, as they cost nothing
    and a client that proved its password is not guessing."""
    with ctx.uow() as uow:
        user = uow.users.get(username)
        if user is None or not user.active:
            if before_hash is not None:
                before_hash()
            check_password_hash(_dummy_hash(ctx.password_method), password)
            return None
        digest = hmac.new(_VERIFIED_KEY, f"{username}\0{password}\0{user.password_hash}".encode(), hashlib.sha256)
        key = (username, digest.hexdigest())
        with _verified_lock:
            fresh = key in _verified
        if not fresh:
            if before_hash is not None:
                before_hash()
            if not check_password_hash(user.password_hash, password):
                return None
            with _verified_lock:
                _verified[key] = True
        return principal_of(user)


def principal_for(ctx: ServiceContext, username: str) -> Principal | None:
    with ctx.uow() as uow:
        user = uow.users.get(username)
        return principal_of(user) if user is not None and user.active else None


def list_users(ctx: ServiceContext) -> list[User]:
    with ctx.uow() as uow:
        return uow.users.list()
