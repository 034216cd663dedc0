"""Users, roles and passwords (hashed with scrypt; never stored or logged in clear)."""

from __future__ import annotations

import hashlib
import threading
import time

from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from ..domain.principal import Principal
from ..domain.roles import Role
from ..errors import InvalidInput
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
            user = User(username=username, created_at=ctx.clock.now())
            uow.users.add(user)
        user.password_hash = generate_password_hash(password, method=ctx.password_method)
        user.display_name, user.email, user.locale = display_name or username, email, locale
        user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
        uow.commit()
        return user


def authenticate(ctx: ServiceContext, username: str, password: str) -> Principal | None:
    with ctx.uow() as uow:
        user = uow.users.get(username)
        if user is None or not user.active:
            return None
        key = hashlib.sha256(f"{username}\0{password}\0{user.password_hash}".encode()).hexdigest()
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
