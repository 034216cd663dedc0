"""Staff administration: an administrator adds users, changes their roles and names, disables and
re-enables them, and resets their passwords. Users are never deleted: whoever acted on a case stays
who they were in its journal.

Every change leaves a row in the user's history (``uow.users.history``: who, when, which fields from
what to what); a password never appears there, only that it was reset. A new password, other roles
and disabling end the user's sessions (their session generation is raised, as in users.py). The
last active administrator can neither lose the role nor be disabled: someone must be able to come in.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from werkzeug.security import generate_password_hash

from ...domain.principal import Principal
from ...domain.roles import Role
from ...domain.staff import StaffAction
from ...domain.staff import email_problem
from ...domain.staff import password_problem
from ...domain.staff import roles_problem
from ...domain.staff import username_problem
from ...errors import Forbidden
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.orm import MasterChange
from ...persistence.orm import User
from ...persistence.orm import UserRole
from ...persistence.unit_of_work import UnitOfWork
from ..context import ServiceContext
from .users import forget_credentials

# No 0/O, 1/l/I: a generated password is read off a screen and typed in once.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 14


@dataclass(frozen=True)
class StaffView:
    user: User
    history: list[MasterChange]


@dataclass(frozen=True)
class IssuedPassword:
    """A password as set, to be shown to the administrator once and stored nowhere in clear."""

    user: User
    password: str
    generated: bool


def generate_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(GENERATED_LENGTH))


def require_admin(actor: Principal) -> None:
    if not actor.is_admin:
        raise Forbidden("only an administrator manages staff")


def _refused(errors: dict[str, str], message: str = "the user was not saved") -> InvalidInput:
    return InvalidInput(message, errors={k: [v] for k, v in errors.items()})


def _roles_text(roles: Iterable[str]) -> str:
    return ", ".join(sorted(roles))


def _user(uow: UnitOfWork, username: str) -> User:
    user = uow.users.get(username)
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def _audit(
    uow: UnitOfWork, ctx: ServiceContext, actor: Principal, username: str, action: StaffAction, changes: dict
) -> None:
    uow.users.add_change(
        MasterChange(record_key=username, action=action, changes=changes, actor=actor.username, at=ctx.clock.now())
    )


def _password(password: str | None) -> tuple[str, bool]:
    """(the password to set, whether it was generated); a typed one must pass ``password_problem``."""
    if not password:
        return generate_password(), True
    problem = password_problem(password)
    if problem:
        raise _refused({"password": problem}, "the password was not accepted")
    return password, False


def _keep_an_administrator(uow: UnitOfWork, user: User, field: str) -> None:
    """Refuse to leave no active administrator when ``user`` stops being one."""
    admins = uow.users.active_with_role_locked(Role.ADMIN)
    if user.active and Role.ADMIN in user.roles and [u.username for u in admins] == [user.username]:
        raise _refused({field: f"{user.username} is the last active administrator; make someone else one first"})


def list_staff(
    ctx: ServiceContext, actor: Principal, *, search: str = "", role: str | None = None, active: bool | None = None
) -> list[User]:
    require_admin(actor)
    if role:
        problem = roles_problem([role])
        if problem:
            raise _refused({"role": problem}, "unknown role")
    with ctx.uow() as uow:
        return uow.users.search(search.strip(), role or None, active)


def get_staff(ctx: ServiceContext, actor: Principal, username: str) -> StaffView:
    require_admin(actor)
    with ctx.uow() as uow:
        return StaffView(_user(uow, username), uow.users.history(username))


def add_staff(
    ctx: ServiceContext,
    actor: Principal,
    username: str,
    roles: list[str],
    *,
    display_name: str = "",
    email: str | None = None,
    password: str | None = None,
) -> IssuedPassword:
    """Add a user; without ``password`` one is generated. The answer carries it to be shown once."""
    require_admin(actor)
    username, email = username.strip(), (email or "").strip() or None
    checks = (
        ("username", username_problem(username)),
        ("roles", roles_problem(roles)),
        ("email", email_problem(email or "")),
    )
    errors = {name: problem for name, problem in checks if problem}
    typed_problem = password_problem(password) if password else None
    if typed_problem:
        errors["password"] = typed_problem
    if errors:
        raise _refused(errors)
    clear, generated = _password(password)
    with ctx.uow() as uow:
        if uow.users.get(username) is not None:
            raise _refused({"username": f"{username} is already a user (disabled users keep their name)"})
        now = ctx.clock.now()
        display = display_name.strip() or username
        user = User(
            username=username,
            display_name=display,
            email=email,
            created_at=now,
            session_generation=0,
            password_hash=generate_password_hash(clear, method=ctx.password_method),
            role_rows=[UserRole(role=r) for r in sorted(set(roles))],
        )
        uow.users.add(user)
        changes = {"display_name": ["", display], "roles": ["", _roles_text(roles)]}
        if user.email:
            changes["email"] = ["", user.email]
        _audit(uow, ctx, actor, username, StaffAction.CREATED, changes)
        uow.commit()
        return IssuedPassword(user, clear, generated)


def update_staff(
    ctx: ServiceContext,
    actor: Principal,
    username: str,
    *,
    roles: list[str] | None = None,
    display_name: str | None = None,
    email: str | None = None,
) -> User:
    """Change the fields given (None: leave it). Other roles end the user's sessions."""
    require_admin(actor)
    checks = (
        ("roles", roles_problem(roles) if roles is not None else None),
        ("email", email_problem((email or "").strip())),
    )
    errors = {name: problem for name, problem in checks if problem}
    if errors:
        raise _refused(errors)
    with ctx.uow() as uow:
        user = _user(uow, username)
        changes: dict[str, list[str]] = {}
        if roles is not None and set(roles) != user.roles:
            if Role.ADMIN not in roles:
                _keep_an_administrator(uow, user, "roles")
            changes["roles"] = [_roles_text(user.roles), _roles_text(roles)]
            user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
            user.session_generation += 1  # whoever is logged in as them logs in again, under the new roles
        if display_name is not None and (display_name.strip() or username) != user.display_name:
            changes["display_name"] = [user.display_name, display_name.strip() or username]
            user.display_name = display_name.strip() or username
        if email is not None and (email.strip() or None) != user.email:
            changes["email"] = [user.email or "", email.strip()]
            user.email = email.strip() or None
        if changes:
            _audit(uow, ctx, actor, username, StaffAction.UPDATED, changes)
            uow.commit()
    if "roles" in changes:
        forget_credentials(username)
    return user


def set_active(ctx: ServiceContext, actor: Principal, username: str, active: bool) -> User:
    """Disable (the user is logged out everywhere and may not log in) or enable again."""
    require_admin(actor)
    with ctx.uow() as uow:
        user = _user(uow, username)
        if user.active == active:
            return user
        if not active:
            _keep_an_administrator(uow, user, "active")
            user.session_generation += 1
        user.active = active
        action = StaffAction.ENABLED if active else StaffAction.DISABLED
        _audit(uow, ctx, actor, username, action, {"active": [str(not active).lower(), str(active).lower()]})
        uow.commit()
    forget_credentials(username)
    return user


def reset_password(ctx: ServiceContext, actor: Principal, username: str, password: str | None = None) -> IssuedPassword:
    """Set a new password (typed, or generated when ``password`` is empty) and end the user's sessions."""
    require_admin(actor)
    clear, generated = _password(password)
    with ctx.uow() as uow:
        user = _user(uow, username)
        user.password_hash = generate_password_hash(clear, method=ctx.password_method)
        user.session_generation += 1
        _audit(
            uow,
            ctx,
            actor,
            username,
            StaffAction.PASSWORD_RESET,
            {"password": ["", "generated" if generated else "typed"]},
        )
        uow.commit()
    forget_credentials(username)
    return IssuedPassword(user, clear, generated)
