"""SMTP: the mail server's settings and one connection that sends a batch of messages.

The outbox (which rows, marking them sent or failed) is the notification service's
(``services/people/mail_outbox.py``); this module only talks to the server.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage


@dataclass(frozen=True)
class MailSettings:
    host: str  # empty: mail is off
    port: int = 25
    sender: str = "aftersales@localhost"
    timeout: float = 10.0


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    body: str


class MailServerUnavailable(Exception):
    """The connection failed; ``results`` holds the outcome of the mails sent before it did."""

    def __init__(self, reason: str, results: list[str | None]) -> None:
        super().__init__(reason)
        self.results = results


def send_batch(settings: MailSettings, mails: Iterable[OutgoingMail]) -> list[str | None]:
    """Send each mail over one connection; per mail ``None`` (sent) or the server's refusal."""
    results: list[str | None] = []
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            for mail in mails:
                message = EmailMessage()
                message["From"], message["To"], message["Subject"] = settings.sender, mail.to, mail.subject
                message.set_content(f"{mail.body}\n\n{mail.subject}\n")
                try:
                    smtp.send_message(message)
                    results.append(None)
                except smtplib.SMTPException as exc:
                    results.append(str(exc))
    except (OSError, smtplib.SMTPException) as exc:
        raise MailServerUnavailable(str(exc), results) from exc
    return results
