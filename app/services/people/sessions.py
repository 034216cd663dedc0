"""Browser sessions: what a signed session cookie must carry to be honoured, and when it stops being.

The cookie is signed, not stored: it could be replayed for ever. So it names the user's session
generation (raised by logging out, a new password, other roles, deactivation: services/people/users.py)
and two times on the application clock — when the user logged in and when the session was last
used. A session is honoured while its generation is the user's, it has been idle less than the
idle lifetime, and it is younger than the absolute lifetime.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ...domain.principal import Principal
from ..context import ServiceContext
from .users import principal_of

USER = "user"
GENERATION = "generation"
STARTED = "started"
SEEN = "seen"
STAMP_KEYS = (USER, GENERATION, STARTED, SEEN)
# "Last used" is written back at most this often, so that not every answer sets a new cookie.
SEEN_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta


def open_session(ctx: ServiceContext, username: str, session: MutableMapping[str, Any]) -> None:
    """Write the stamp of a session that begins now for ``username`` (just authenticated)."""
    now = int(ctx.clock.now().timestamp())
    with ctx.uow() as uow:
        user = uow.users.get(username)
        generation = user.session_generation if user is not None else -1
    session.update({USER: username, GENERATION: generation, STARTED: now, SEEN: now})


def resume(ctx: ServiceContext, session: MutableMapping[str, Any], lifetimes: Lifetimes) -> Principal | None:
    """The user of a session that is still honoured (its "last used" time moved on), or None.

    A session that is not honoured any more has its stamp removed, so the cookie is not tried again.
    """
    username = session.get(USER)
    if not username:
        return None
    principal = _honoured(ctx, session, lifetimes)
    if principal is None:
        for key in STAMP_KEYS:
            session.pop(key, None)
        return None
    now = int(ctx.clock.now().timestamp())
    if now - session[SEEN] >= SEEN_RESOLUTION.total_seconds():
        session[SEEN] = now
    return principal


def _honoured(ctx: ServiceContext, stamp: Mapping[str, Any], lifetimes: Lifetimes) -> Principal | None:
    generation, started, seen = stamp.get(GENERATION), stamp.get(STARTED), stamp.get(SEEN)
    if not all(isinstance(value, int) for value in (generation, started, seen)):
        return None  # a cookie of an older release, or not ours
    now = ctx.clock.now().timestamp()
    if now - seen > lifetimes.idle.total_seconds() or now - started > lifetimes.absolute.total_seconds():
        return None
    with ctx.uow() as uow:
        user = uow.users.get(stamp[USER])
        if user is None or not user.active or user.session_generation != generation:
            return None
        return principal_of(user)
