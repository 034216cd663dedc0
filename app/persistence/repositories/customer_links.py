"""Case links of customers and the customers' outbox of messages."""

from __future__ import annotations

from sqlalchemy import select

from ...domain.customer_links import MessageState
from ..orm import Customer
from ..orm import CustomerLink
from ..orm import CustomerMessage
from .base import Repository


class CustomerLinkRepository(Repository):
    def get(self, link_id: int) -> CustomerLink | None:
        return self.session.get(CustomerLink, link_id)

    def lock(self, link_id: int) -> CustomerLink | None:
        """The link locked until the commit (its single use is decided under the lock)."""
        return self.session.scalars(select(CustomerLink).where(CustomerLink.id == link_id).with_for_update()).first()

    def of_case(self, instance_id: int) -> list[CustomerLink]:
        query = select(CustomerLink).where(CustomerLink.instance_id == instance_id).order_by(CustomerLink.id.desc())
        return list(self.session.scalars(query))

    def open_for_task(self, instance_id: int, task_spec: str) -> list[CustomerLink]:
        """The TASK links of a step not yet used or revoked (spent when the step is done)."""
        query = select(CustomerLink).where(
            CustomerLink.instance_id == instance_id,
            CustomerLink.task_spec == task_spec,
            CustomerLink.used_at.is_(None),
            CustomerLink.revoked_at.is_(None),
        )
        return list(self.session.scalars(query))

    def messages_of_case(self, instance_id: int) -> list[CustomerMessage]:
        query = (
            select(CustomerMessage)
            .where(CustomerMessage.instance_id == instance_id)
            .order_by(CustomerMessage.id.desc())
        )
        return list(self.session.scalars(query))

    def queued_messages(self, limit: int) -> list[CustomerMessage]:
        """Unsent messages, oldest first, locked (SKIP LOCKED: two senders never send one twice)."""
        query = (
            select(CustomerMessage)
            .where(CustomerMessage.state == MessageState.QUEUED)
            .order_by(CustomerMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(query))

    def customer_named(self, name: str) -> Customer | None:
        """The master record of a case's customer (by the name the case keeps), if there is one."""
        return self.session.scalars(select(Customer).where(Customer.name == name).order_by(Customer.id)).first()
