"""What an administrator may type for a member of staff: a user name, a password, roles.

Each check returns the problem as a sentence for the form (None when the value is fine), so the
service can name every bad field at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from .roles import Role

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
USERNAME = re.compile(r"[a-z0-9][a-z0-9_.\-]{1,63}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class StaffAction(StrEnum):
    """What a row of a user's change history records."""

    CREATED = "created"  # the user was added, with roles and names
    UPDATED = "updated"  # roles, display name or e-mail changed
    DISABLED = "disabled"  # may no longer log in; their sessions ended
    ENABLED = "enabled"  # may log in again
    PASSWORD_RESET = "password_reset"  # a new password was set (never recorded itself)


def username_problem(username: str) -> str | None:
    if not USERNAME.fullmatch(username):
        return "2 to 64 characters: lower-case letters, digits and _ . - (starting with a letter or digit)"
    return None


def email_problem(email: str) -> str | None:
    if email and (len(email) > 256 or not EMAIL.fullmatch(email)):
        return "an e-mail address such as name@example.com"
    return None


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"at most {MAX_PASSWORD_LENGTH} characters"
    if not password.strip():
        return "not only spaces"
    return None


def roles_problem(roles: Iterable[str]) -> str | None:
    roles = list(roles)
    unknown = sorted({r for r in roles if r not in Role._value2member_map_ or r == Role.CUSTOMER})
    if unknown:
        return f"unknown role(s): {', '.join(unknown)}"  # the customer's role is a case link's, no account's
    if not roles:
        return "at least one role"
    return None
