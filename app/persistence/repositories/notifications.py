"""Notifications: a user's inbox, read marks and the mail outbox."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from ..orm import CertificateNotice
from ..orm import Notification
from .base import Repository


class NotificationRepository(Repository):
    def for_user(
        self, username: str, *, unread_only: bool = False, limit: int = 100, offset: int = 0
    ) -> list[Notification]:
        query = select(Notification).where(Notification.username == username)
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        return list(self.session.scalars(query.order_by(Notification.id.desc()).offset(offset).limit(limit)))

    def count_for_user(self, username: str) -> int:
        return (
            self.session.scalar(select(func.count()).select_from(Notification).where(Notification.username == username))
            or 0
        )

    def mark_all_read(self, username: str, now: datetime) -> int:
        result = self.session.execute(
            update(Notification)
            .where(Notification.username == username, Notification.read_at.is_(None))
            .values(read_at=now)
        )
        return result.rowcount or 0

    def clear_finished(self, instance_id: int, open_task_ids: set[str], now: datetime) -> None:
        """Unread notifications about tasks of the case that are no longer open count as read."""
        query = update(Notification).where(
            Notification.instance_id == instance_id,
            Notification.read_at.is_(None),
            Notification.task_id.is_not(None),
        )
        if open_task_ids:
            query = query.where(Notification.task_id.not_in(sorted(open_task_ids)))
        self.session.execute(query.values(read_at=now), execution_options={"synchronize_session": False})

    def unread_count(self, username: str) -> int:
        return (
            self.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.username == username, Notification.read_at.is_(None))
            )
            or 0
        )

    def get(self, notification_id: int) -> Notification | None:
        return self.session.get(Notification, notification_id)

    def unsent(self, since: datetime, limit: int) -> list[Notification]:
        """Mail not yet sent (or failed), oldest first, locked so two senders never send one twice."""
        return list(
            self.session.scalars(
                select(Notification)
                .where(
                    Notification.emailed_at.is_(None), Notification.email.is_not(None), Notification.created_at >= since
                )
                .order_by(Notification.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )

    def certificate_notices(self, usernames: set[str]) -> set[tuple[str, date, str]]:
        """(username, certificate expiry, stage) of what was already told about these technicians."""
        if not usernames:
            return set()
        rows = self.session.execute(
            select(CertificateNotice.username, CertificateNotice.cert_expiry, CertificateNotice.stage).where(
                CertificateNotice.username.in_(sorted(usernames))
            )
        )
        return {(username, expiry, stage) for username, expiry, stage in rows}
