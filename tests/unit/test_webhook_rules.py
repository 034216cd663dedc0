"""The webhook rules a receiver and an operator rely on: the signature scheme, its time tolerance,
the back-off before each retry, and which events a subscription takes."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from app.domain.webhooks import MAX_ATTEMPTS
from app.domain.webhooks import retry_at
from app.domain.webhooks import signature
from app.domain.webhooks import verify
from app.domain.webhooks import wants

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_a_signature_checks_body_secret_and_time():
    header = signature("whsec_a", int(NOW.timestamp()), b'{"id": 1}')
    assert verify("whsec_a", header, b'{"id": 1}', NOW + timedelta(minutes=4))
    assert not verify("whsec_a", header, b'{"id": 2}', NOW)  # another body
    assert not verify("whsec_b", header, b'{"id": 1}', NOW)  # another secret
    assert not verify("whsec_a", header, b'{"id": 1}', NOW + timedelta(minutes=6))  # replayed later
    assert not verify("whsec_a", "v1=00", b'{"id": 1}', NOW)  # no time


def test_retries_back_off_then_give_up():
    waits = [retry_at(n, NOW) - NOW for n in range(1, MAX_ATTEMPTS)]
    assert waits == sorted(waits) and waits[0] == timedelta(minutes=1) and waits[-1] == timedelta(hours=12)
    assert retry_at(MAX_ATTEMPTS, NOW) is None


def test_empty_lists_take_everything():
    assert wants([], [], "task_ready", "repair")
    assert wants(["task_ready"], ["repair"], "task_ready", "repair")
    assert not wants(["task_ready"], [], "escalation", "repair")
    assert not wants([], ["complaint"], "task_ready", "repair")
