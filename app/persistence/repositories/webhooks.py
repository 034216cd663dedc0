"""Webhook subscriptions and the deliveries queued for them (the outbox the sender works through)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ...domain.webhooks import DeliveryState
from ..orm import WebhookDelivery
from ..orm import WebhookSubscription
from .base import Repository


class WebhookRepository(Repository):
    def subscription(self, subscription_id: int) -> WebhookSubscription | None:
        return self.session.get(WebhookSubscription, subscription_id)

    def subscriptions(self) -> list[WebhookSubscription]:
        return list(self.session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)))

    def lock_active(self) -> list[WebhookSubscription]:
        """The subscriptions not revoked, locked (SKIP LOCKED: another worker queues the locked ones)."""
        query = (
            select(WebhookSubscription)
            .where(WebhookSubscription.revoked_at.is_(None))
            .order_by(WebhookSubscription.id)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(query))

    def lock_due(self, now: datetime, limit: int) -> list[WebhookDelivery]:
        """Pending deliveries whose time has come, oldest first, locked against the other workers."""
        query = (
            select(WebhookDelivery)
            .where(WebhookDelivery.state == DeliveryState.PENDING, WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.id)
            .limit(limit)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        )
        return list(self.session.scalars(query))

    def delivery(self, delivery_id: int) -> WebhookDelivery | None:
        return self.session.get(WebhookDelivery, delivery_id)

    def deliveries(self, *, state: str | None, subscription_id: int | None, limit: int) -> list[WebhookDelivery]:
        """Newest first."""
        query = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
        if state:
            query = query.where(WebhookDelivery.state == state)
        if subscription_id is not None:
            query = query.where(WebhookDelivery.subscription_id == subscription_id)
        return list(self.session.scalars(query))
