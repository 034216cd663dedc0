"""Webhooks: an administrator subscribes a URL to event types; the events are queued for it from the
event feed and posted, signed, until the receiver answers 2xx — retried with a back-off, then kept on
a dead-letter list an administrator can replay (domain/webhooks.py has the rules).

Nothing here runs inside a case's step: queueing reads the committed feed (event_feed.py), and each
delivery is sent by the scheduler's webhook job (or ``aftersales deliver-webhooks``). A worker claims a
delivery for a lease before posting it, so two workers never send it at once; a receiver whose answer
was lost (the worker died before writing it) gets it again after the lease, with the same
``Aftersales-Delivery`` id, and ignores it: at least once, never twice to a receiver that checks the id.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from ...domain.events import EventType
from ...domain.principal import Principal
from ...domain.webhooks import DELIVERY_HEADER
from ...domain.webhooks import EVENT_HEADER
from ...domain.webhooks import SIGNATURE_HEADER
from ...domain.webhooks import DeliveryState
from ...domain.webhooks import retry_at
from ...domain.webhooks import signature
from ...domain.webhooks import wants
from ...errors import Conflict
from ...errors import InvalidInput
from ...errors import NotFound
from ...integrations import webhook_http
from ...persistence.orm import WebhookDelivery
from ...persistence.orm import WebhookSubscription
from ..context import ServiceContext
from ..people.staff import require_admin
from .event_feed import FeedEvent
from .event_feed import event_document
from .event_feed import format_cursor
from .event_feed import parse_cursor

QUEUE_BATCH = 500
SEND_BATCH = 50
# How long a claimed delivery is left to the worker posting it (a worker that dies loses it after this).
LEASE = timedelta(minutes=2)
Sender = Callable[[str, bytes, dict[str, str]], webhook_http.Answer]


@dataclass(frozen=True)
class NewSubscription:
    subscription: WebhookSubscription
    secret: str  # shown this once


def subscribe(
    ctx: ServiceContext,
    actor: Principal,
    name: str,
    url: str,
    event_types: list[str] | None = None,
    process_keys: list[str] | None = None,
) -> NewSubscription:
    """A subscription from now on (events before it are not sent); its signing secret is answered once."""
    require_admin(actor)
    errors = {}
    name = (name or "").strip()
    if not name or len(name) > 128:
        errors["name"] = ["required, at most 128 characters"]
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2048:
        errors["url"] = ["an http:// or https:// address"]
    unknown = sorted(set(event_types or ()) - {t.value for t in EventType})
    if unknown:
        errors["event_types"] = [f"no such event type: {', '.join(unknown)}"]
    if errors:
        raise InvalidInput("the subscription was not saved", errors=errors)
    secret = "whsec_" + secrets.token_urlsafe(32)
    with ctx.uow() as uow:
        row = WebhookSubscription(
            name=name,
            url=url,
            secret=secret,
            event_types=sorted(set(event_types or ())),
            process_keys=sorted(set(process_keys or ())),
            cursor=format_cursor(uow.events.head()),
            created_by=actor.username,
            created_at=ctx.clock.now(),
        )
        uow.webhooks.add(row)
        uow.commit()
    return NewSubscription(row, secret)


def subscriptions(ctx: ServiceContext, actor: Principal) -> list[WebhookSubscription]:
    require_admin(actor)
    with ctx.uow() as uow:
        return uow.webhooks.subscriptions()


def revoke(ctx: ServiceContext, actor: Principal, subscription_id: int) -> WebhookSubscription:
    """Nothing more is queued for it; what is queued is not sent."""
    require_admin(actor)
    with ctx.uow() as uow:
        row = uow.webhooks.subscription(subscription_id)
        if row is None:
            raise NotFound(f"no webhook subscription {subscription_id}")
        if row.revoked_at is None:
            row.revoked_at = ctx.clock.now()
            uow.commit()
        return row


def deliveries(
    ctx: ServiceContext, actor: Principal, *, state: str | None = None, subscription_id: int | None = None
) -> list[WebhookDelivery]:
    """Newest first; ``state=dead`` is the dead-letter list."""
    require_admin(actor)
    with ctx.uow() as uow:
        return uow.webhooks.deliveries(state=state, subscription_id=subscription_id, limit=500)


def replay(ctx: ServiceContext, actor: Principal, delivery_id: int) -> WebhookDelivery:
    """A dead (or delivered) delivery is sent again from the next round, with its attempts counted anew."""
    require_admin(actor)
    with ctx.uow() as uow:
        row = uow.webhooks.delivery(delivery_id)
        if row is None:
            raise NotFound(f"no webhook delivery {delivery_id}")
        if row.state == DeliveryState.PENDING:
            raise Conflict("the delivery is still being tried")
        row.state, row.attempts, row.next_attempt_at = DeliveryState.PENDING, 0, ctx.clock.now()
        uow.commit()
        return row


def queue_new_events(ctx: ServiceContext) -> int:
    """Queue, for each active subscription, the feed's events after its cursor that it wants."""
    queued = 0
    now = ctx.clock.now()
    with ctx.uow() as uow:
        for sub in uow.webhooks.lock_active():
            rows = uow.events.feed(parse_cursor(sub.cursor), limit=QUEUE_BATCH)
            for event, process_key, _case_no in rows:
                if wants(sub.event_types, sub.process_keys, event.type, process_key):
                    uow.webhooks.add(
                        WebhookDelivery(
                            subscription_id=sub.id,
                            event_id=event.id,
                            state=DeliveryState.PENDING,
                            attempts=0,
                            next_attempt_at=now,
                            created_at=now,
                        )
                    )
                    queued += 1
            if rows:
                last = rows[-1][0]
                sub.cursor = format_cursor((last.txid, last.id))
        uow.commit()
    return queued


def send_due(ctx: ServiceContext, sender: Sender = webhook_http.post) -> int:
    """Post the deliveries whose time has come; returns how many the receivers accepted.

    The deliveries are claimed (a lease) and committed before anything is posted, and the answers are
    written afterwards: no database lock is held while a receiver is slow (SQLite has one writer)."""
    now = ctx.clock.now()
    outgoing: list[tuple[int, str, bytes, dict[str, str]]] = []
    with ctx.uow() as uow:
        due = uow.webhooks.lock_due(now, SEND_BATCH)
        if not due:
            return 0
        cases = uow.events.case_refs(row.event.instance_id for row in due)
        for row in due:
            sub = row.subscription
            if sub.revoked_at is not None:
                row.state, row.last_error, row.next_attempt_at = DeliveryState.DEAD, "subscription revoked", None
                continue
            document = event_document(FeedEvent(row.event, *cases[row.event.instance_id]))
            body = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
            headers = {
                SIGNATURE_HEADER: signature(sub.secret, int(now.timestamp()), body),
                DELIVERY_HEADER: str(row.id),
                EVENT_HEADER: row.event.type,
            }
            row.next_attempt_at = now + LEASE  # claimed: the other workers leave it alone until then
            outgoing.append((row.id, sub.url, body, headers))
        uow.commit()
    answers = [(delivery_id, sender(url, body, headers)) for delivery_id, url, body, headers in outgoing]
    accepted = 0
    with ctx.uow() as uow:
        for delivery_id, answer in answers:
            row = uow.webhooks.delivery(delivery_id)
            if row is None or row.state != DeliveryState.PENDING:
                continue
            row.attempts += 1
            row.last_status, row.last_error = answer.status, answer.error
            if answer.error is None:
                row.state, row.delivered_at, row.next_attempt_at = DeliveryState.DELIVERED, now, None
                accepted += 1
                continue
            row.next_attempt_at = retry_at(row.attempts, now)
            if row.next_attempt_at is None:
                row.state = DeliveryState.DEAD
        uow.commit()
    return accepted


def deliver(ctx: ServiceContext, sender: Sender = webhook_http.post) -> int:
    """One round of the scheduler's webhook job: queue what is new, send what is due."""
    queue_new_events(ctx)
    return send_due(ctx, sender)
