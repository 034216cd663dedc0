"""Senders of messages to customers, one per channel: e-mail over the SMTP server, SMS and WeChat
through whatever gateway the deployment plugs in (``AFTERSALES_SMS_SENDER``, ``AFTERSALES_WECHAT_SENDER``).

A sender is anything with ``send(address, subject, body)`` that raises :class:`SendFailed` with the
reason when the message did not go out. ``log`` (the demo's and the tests') writes one log line per
message and keeps the last messages in memory so a test can read what a customer would have received.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from .smtp import MailServerUnavailable
from .smtp import MailSettings
from .smtp import OutgoingMail
from .smtp import send_batch

log = logging.getLogger("aftersales.customer_messages")


class SendFailed(Exception):
    """The message did not go out; ``str(exc)`` says why (kept on the message and the case)."""


class Sender(Protocol):
    def send(self, address: str, subject: str, body: str) -> None: ...


@dataclass(frozen=True)
class SentMessage:
    channel: str
    address: str
    subject: str
    body: str


class LoggingSender:
    """Sends nothing: logs the message, and keeps the last ones (``sent``) for the demo and the tests."""

    def __init__(self, channel: str, keep: int = 200) -> None:
        self.channel = channel
        self.sent: deque[SentMessage] = deque(maxlen=keep)

    def send(self, address: str, subject: str, body: str) -> None:
        self.sent.append(SentMessage(self.channel, address, subject, body))
        log.info("%s to %s: %s", self.channel, address, subject, extra={"channel": self.channel})


class SmtpSender:
    """E-mail over the notification mail server (``AFTERSALES_SMTP_HOST``)."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    def send(self, address: str, subject: str, body: str) -> None:
        if not self.settings.host:
            raise SendFailed("no mail server configured (AFTERSALES_SMTP_HOST)")
        try:
            (refusal,) = send_batch(self.settings, [OutgoingMail(address, subject, body)])
        except MailServerUnavailable as exc:
            raise SendFailed(f"mail server unavailable: {exc}") from exc
        if refusal is not None:
            raise SendFailed(refusal)


class UnknownSender(ValueError):
    """A configured sender name that no sender has."""


def sender_name(channel: str, name: str, mail_host: str) -> str:
    """The sender configured for ``channel``: "log", or "smtp" for e-mail (empty: smtp when a mail server
    is configured, log otherwise)."""
    return (name or ("smtp" if channel == "email" and mail_host else "log")).strip().lower()


def make_sender(channel: str, name: str, mail: MailSettings) -> Sender:
    """The sender configured for ``channel`` (:func:`sender_name`)."""
    name = sender_name(channel, name, mail.host)
    if name == "log":
        return LoggingSender(channel)
    if name == "smtp" and channel == "email":
        return SmtpSender(mail)
    raise UnknownSender(f"no {channel} sender {name!r} (known: log{', smtp' if channel == 'email' else ''})")
