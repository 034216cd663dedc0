"""Sending the notification e-mails from the outbox (the notifications table) by SMTP.

Each round locks a batch of unsent rows (``SKIP LOCKED``), sends them, and marks them sent, so
two workers never send one mail twice; a failure is recorded on the row and retried next round.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - the context holds the mail settings defined here
    from ..services.context import ServiceContext

log = logging.getLogger(__name__)
GIVE_UP_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class MailSettings:
    host: str  # empty: mail is off
    port: int = 25
    sender: str = "aftersales@localhost"
    timeout: float = 10.0


def send_pending(ctx: ServiceContext, settings: MailSettings, *, batch: int = 50) -> int:
    """Send unsent notification mail; returns how many went out."""
    if not settings.host:
        return 0
    now = ctx.clock.now()
    sent = 0
    with ctx.uow() as uow:
        rows = uow.notifications.unsent(now - GIVE_UP_AFTER, batch)
        if not rows:
            return 0
        try:
            with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
                for row in rows:
                    message = EmailMessage()
                    message["From"], message["To"], message["Subject"] = settings.sender, row.email, row.title
                    message.set_content(f"{row.body}\n\n{row.title}\n")
                    try:
                        smtp.send_message(message)
                        row.emailed_at, row.mail_error = now, None
                        sent += 1
                    except smtplib.SMTPException as exc:
                        row.mail_error = str(exc)[:500]
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("mail server %s:%s unavailable: %s", settings.host, settings.port, exc)
            for row in rows:
                row.mail_error = f"mail server unavailable: {exc}"[:500]
        uow.commit()
    return sent
