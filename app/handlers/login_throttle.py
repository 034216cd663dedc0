"""Throttling of failed log-ins, by the login form and by HTTP Basic alike, per user name and per client address.

Flask-Limiter owns the storage of the counts (``AFTERSALES_RATELIMIT_STORAGE_URI``: memory per worker by default,
Redis or another shared storage for several workers) and the moving-window strategy. This module decides what is
counted: only a failed check of credentials is, so colleagues' typos behind one NAT address do not lock out the
others until the address itself is over its limit. An attempt over a limit is refused with 429 and ``Retry-After``
before any password is hashed. Every refused attempt is one WARNING line (user name, address, channel; never the
password). Unknown user names are counted like known ones: a lockout does not tell which names exist.

Credentials this worker verified a moment ago need no hash, so they skip the counts too: an API client that proved
its password keeps working while someone else's guesses lock its account against new log-ins, and its requests
pay no round trip to a shared storage.
"""

from __future__ import annotations

import logging
import math
import time
from enum import StrEnum
from typing import Any
from typing import Literal

from flask import Flask
from flask import current_app
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem
from limits import parse
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from limits.strategies import RateLimiter

from ..domain.principal import Principal
from ..errors import TooManyRequests
from ..services.people import users
from .common import services

log = logging.getLogger("aftersales.login")

EXTENSION = "aftersales.login_throttle"
# No stored user name is longer (users.username is 64 characters); a longer one is still counted, under its head.
_NAME_KEPT = 100
# After a failure of the shared storage, count in this worker's memory for a while instead of asking it each time.
_STORAGE_RETRY_SECONDS = 30.0
_Method = Literal["test", "hit", "get_window_stats"]


class Channel(StrEnum):
    """How the credentials came."""

    FORM = "form"
    BASIC = "basic"


class LoginThrottle:
    """The two limits of failed log-ins and the limiter that keeps their counts."""

    def __init__(self, app: Flask) -> None:
        self.per_user: RateLimitItem = parse(app.config["LOGIN_FAILURES_PER_USER"])
        self.per_address: RateLimitItem = parse(app.config["LOGIN_FAILURES_PER_ADDRESS"])
        self.limiter = Limiter(
            get_remote_address,
            app=app,
            storage_uri=app.config["RATELIMIT_STORAGE_URI"],
            storage_options={"wrap_exceptions": True},
            strategy="moving-window",
        )
        # The limiter's own per-route checks run before every request; there are none, so skip them at once.
        self.limiter.request_filter(lambda: True)
        self._fallback: RateLimiter | None = None
        self._storage_down_until = 0.0

    def _run(self, method: _Method, limit: RateLimitItem, key: tuple[str, ...]) -> Any:
        """``strategy.method(limit, *key)`` on the configured storage; while it is unreachable, on this worker's memory
        (throttling per worker is weaker than shared, but far better than none or than refusing every log-in)."""
        if time.monotonic() >= self._storage_down_until:
            try:
                return getattr(self.limiter.limiter, method)(limit, *key)
            except StorageError as exc:
                log.error(
                    "log-in throttle storage unreachable (%s); counting in this worker's memory for %.0f s",
                    exc.storage_error,
                    _STORAGE_RETRY_SECONDS,
                )
                self._storage_down_until = time.monotonic() + _STORAGE_RETRY_SECONDS
        if self._fallback is None:
            self._fallback = MovingWindowRateLimiter(MemoryStorage())
        return getattr(self._fallback, method)(limit, *key)

    def _limits(self, username: str, address: str) -> tuple[tuple[RateLimitItem, tuple[str, ...]], ...]:
        return (
            (self.per_user, ("aftersales-login", "user", username)),
            (self.per_address, ("aftersales-login", "address", address)),
        )

    def refuse_if_throttled(self, channel: Channel, username: str, address: str) -> None:
        """Raise :class:`TooManyRequests` when the user name or the address has used up its failures."""
        for limit, key in self._limits(username, address):
            if self._run("test", limit, key):
                continue
            reset_at = self._run("get_window_stats", limit, key).reset_time
            # The storage's wall clock measures the window: a duration, not business time.
            wait = max(1, math.ceil(reset_at - time.time()))
            _log_refusal("throttled", channel, username, address)
            raise TooManyRequests(f"too many failed log-ins; try again in {wait} s", retry_after=wait)

    def take(self, limit: RateLimitItem, *key: str) -> int:
        """Count one use of ``key`` against ``limit`` (another throttle on the same storage, e.g. the
        public request form's per address): 0 if allowed, else the seconds until one is free again."""
        if self._run("hit", limit, key):
            return 0
        reset_at = self._run("get_window_stats", limit, key).reset_time
        return max(1, math.ceil(reset_at - time.time()))  # the storage's wall clock: a duration, not business time

    def count_failure(self, channel: Channel, username: str, address: str) -> None:
        for limit, key in self._limits(username, address):
            self._run("hit", limit, key)
        _log_refusal("wrong credentials", channel, username, address)


def _log_refusal(outcome: str, channel: Channel, username: str, address: str) -> None:
    log.warning(
        "log-in refused (%s): user %r from %s by %s",
        outcome,
        username,
        address,
        channel,
        extra={"login_user": username, "client": address, "channel": str(channel), "outcome": outcome},
    )


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = LoginThrottle(app)


def authenticate(channel: Channel, username: str, password: str) -> Principal | None:
    """Check credentials unless throttled (then :class:`TooManyRequests`); a failure counts against both limits."""
    throttle: LoginThrottle = current_app.extensions[EXTENSION]
    address = request.remote_addr or "unknown"
    counted_as = username[:_NAME_KEPT]
    user = users.authenticate(
        services(),
        username,
        password,
        before_hash=lambda: throttle.refuse_if_throttled(channel, counted_as, address),
    )
    if user is None:
        throttle.count_failure(channel, counted_as, address)
    return user
