"""Sending the notification e-mails from the outbox (the notifications table).

Each round locks a batch of unsent rows (``SKIP LOCKED``), sends them, and marks them sent, so
two workers never send one mail twice; a failure is recorded on the row and retried next round.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from ...integrations.smtp import MailServerUnavailable
from ...integrations.smtp import MailSettings
from ...integrations.smtp import OutgoingMail
from ...integrations.smtp import send_batch
from ..context import ServiceContext

log = logging.getLogger(__name__)
GIVE_UP_AFTER = timedelta(days=1)


def send_pending(ctx: ServiceContext, settings: MailSettings, *, batch: int = 50) -> int:
    """Send unsent notification mail; returns how many went out."""
    if not settings.host:
        return 0
    now = ctx.clock.now()
    with ctx.uow() as uow:
        rows = uow.notifications.unsent(now - GIVE_UP_AFTER, batch)
        if not rows:
            return 0
        unavailable = None
        try:
            outcomes = send_batch(settings, [OutgoingMail(row.email, row.title, row.body) for row in rows])
        except MailServerUnavailable as exc:
            log.warning("mail server %s:%s unavailable: %s", settings.host, settings.port, exc)
            outcomes, unavailable = exc.results, f"mail server unavailable: {exc}"[:500]
        for row, refusal in zip(rows, outcomes, strict=False):
            if refusal is None:
                row.emailed_at = now  # sent before any failure: never sent twice
            row.mail_error = refusal[:500] if refusal else None
        if unavailable:
            for row in rows:
                row.mail_error = unavailable
        uow.commit()
    return sum(1 for refusal in outcomes if refusal is None)
