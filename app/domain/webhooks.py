"""Webhooks: which events a subscription wants, how a delivery's body is signed, and when a failed
delivery is tried again (no I/O, no clock: the caller passes the time).

The signature follows the scheme receivers know from Stripe and Standard Webhooks: the header
``Aftersales-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` with the
subscription's secret. The timestamp is signed with the body so a captured request cannot be
replayed later than the receiver's tolerance.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime
from datetime import timedelta
from enum import StrEnum

SIGNATURE_HEADER = "Aftersales-Signature"
DELIVERY_HEADER = "Aftersales-Delivery"  # the delivery's id: a receiver that saw it already ignores it
EVENT_HEADER = "Aftersales-Event"
TOLERANCE = timedelta(minutes=5)

# The waits after the 1st, 2nd, … failed attempt; after the last one the delivery is dead (kept on
# the dead-letter list for an administrator to replay). About a day of trying in all.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1


class DeliveryState(StrEnum):
    PENDING = "pending"  # to be sent (again) at next_attempt_at
    DELIVERED = "delivered"  # the receiver answered 2xx
    DEAD = "dead"  # every attempt failed: on the dead-letter list


def wants(event_types: Iterable[str], process_keys: Iterable[str], event_type: str, process_key: str) -> bool:
    """Does a subscription to ``event_types`` of ``process_keys`` (empty: all) take this event?"""
    types, keys = set(event_types), set(process_keys)
    return (not types or event_type in types) and (not keys or process_key in keys)


def retry_at(attempts: int, failed_at: datetime) -> datetime | None:
    """When to try again after the ``attempts``-th failed attempt; None: give up (dead)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return failed_at + BACKOFF[attempts - 1]


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header for ``body`` sent at ``timestamp`` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now: datetime) -> bool:
    """What a receiver checks: the header's MAC matches ``body`` and its time is within the tolerance."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now.timestamp() - timestamp) > TOLERANCE.total_seconds():
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
