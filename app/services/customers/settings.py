"""What the customer links and messages need from the configuration, wired once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from ...domain.customer_links import Channel
from ...domain.customer_links import Lifetimes
from ...integrations.customer_senders import LoggingSender
from ...integrations.customer_senders import Sender


def _log_senders() -> dict[str, Sender]:
    return {channel.value: LoggingSender(channel.value) for channel in Channel}


@dataclass
class CustomerSettings:
    # Signs the links' tokens (the application's SECRET_KEY; one salt per purpose).
    secret: str = "not-configured"
    # Where a customer's phone reaches the service (AFTERSALES_PUBLIC_BASE_URL), e.g. https://service.example.com
    public_base_url: str = "http://localhost:5000"
    lifetimes: Lifetimes = field(default_factory=Lifetimes)
    senders: dict[str, Sender] = field(default_factory=_log_senders)  # by domain.customer_links.Channel
