"""Issuing, opening and revoking case links (domain/customer_links.py has the rules).

A token is the link's id signed with the application's key (itsdangerous, one salt per purpose),
so it names nothing else: a forged or altered token does not verify, a token of one purpose does
not verify with another's salt (that is how a wrong purpose is told from a forgery), and whatever
verifies is checked against its row — revoked, expired or (TASK) spent is refused there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

from ...domain.customer_links import REFUSAL_OF_STATE
from ...domain.customer_links import REFUSAL_STATUS
from ...domain.customer_links import LinkPurpose
from ...domain.customer_links import LinkRefusal
from ...domain.customer_links import LinkState
from ...domain.customer_links import link_state
from ...domain.events import EventType
from ...errors import AppError
from ...errors import NotFound
from ...persistence.orm import CustomerLink
from ...persistence.orm import Instance
from ...persistence.unit_of_work import UnitOfWork
from .settings import CustomerSettings
from .trail import note

PATH_PREFIX = "/c/"
TOKEN_LENGTH = 200  # longer is not one of ours: refused before any signature is checked


class LinkRefused(AppError):
    """A token that opens nothing; ``reason`` says why (the page tells the customer in plain words)."""

    def __init__(self, reason: LinkRefusal, link: CustomerLink | None = None) -> None:
        super().__init__(f"the link is {reason.value.replace('_', ' ')}")
        self.reason, self.link = reason, link
        self.http_status = REFUSAL_STATUS[reason]


@dataclass(frozen=True)
class IssuedLink:
    id: int
    token: str
    path: str  # /c/<token>
    url: str  # the path under PUBLIC_BASE_URL, what a message carries
    expires_at: datetime


@dataclass(frozen=True)
class OpenLink:
    link: CustomerLink
    purpose: LinkPurpose
    instance: Instance


def _serializer(settings: CustomerSettings, purpose: LinkPurpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret, salt=f"aftersales.customer-link.{purpose.value}")


def token_for(settings: CustomerSettings, link: CustomerLink) -> str:
    """A token of ``link`` (any token of its id and purpose opens it while the row allows)."""
    return _serializer(settings, LinkPurpose(link.purpose)).dumps(link.id)


def _issued(settings: CustomerSettings, link: CustomerLink) -> IssuedLink:
    token = token_for(settings, link)
    path = f"{PATH_PREFIX}{token}"
    return IssuedLink(link.id, token, path, f"{settings.public_base_url}{path}", link.expires_at)


def issue_link(
    uow: UnitOfWork,
    settings: CustomerSettings,
    *,
    case_id: int,
    purpose: LinkPurpose,
    task_spec: str | None = None,
    task_id: str | None = None,
    now: datetime,
    by: str | None = None,
    open_until: datetime | None = None,
) -> IssuedLink:
    """A new link of ``purpose`` to the case (not committed); recorded on the case as issued by ``by``.

    :param task_id: the ready task of ``task_spec`` the link opens (its instance, when the step has several)
    :param open_until: the end of the step's window, when it outlasts the purpose's lifetime (the survey's
        online round of weeks): the link opens as long as the step does
    """
    instance = uow.instances.get(case_id)
    if instance is None:
        raise NotFound(f"no case with id {case_id}")
    if purpose is LinkPurpose.TASK and not task_spec:
        raise ValueError("a TASK link names the step it opens")
    link = CustomerLink(
        instance_id=case_id,
        purpose=purpose.value,
        task_spec=task_spec if purpose is LinkPurpose.TASK else None,
        task_id=task_id if purpose is LinkPurpose.TASK else None,
        issued_at=now,
        issued_by=by,
        expires_at=max(now + settings.lifetimes.of(purpose), open_until or now),
    )
    uow.add_row(link)
    uow.flush()
    note(
        uow,
        instance,
        now,
        by,
        EventType.CUSTOMER_LINK_ISSUED,
        link_id=link.id,
        purpose=link.purpose,
        task_spec=link.task_spec,
        task_id=link.task_id,
        expires_at=link.expires_at,
    )
    return _issued(settings, link)


def read_token(settings: CustomerSettings, token: str) -> tuple[int, LinkPurpose]:
    """The link id and purpose a token was signed for; :class:`LinkRefused` (forged) if none."""
    if not token or len(token) > TOKEN_LENGTH:
        raise LinkRefused(LinkRefusal.FORGED)
    for purpose in LinkPurpose:
        try:
            link_id = _serializer(settings, purpose).loads(token)  # no max_age: the row's expiry is the truth
        except BadSignature:
            continue
        if isinstance(link_id, int) and not isinstance(link_id, bool):
            return link_id, purpose
    raise LinkRefused(LinkRefusal.FORGED)


def open_link(
    uow: UnitOfWork,
    settings: CustomerSettings,
    token: str,
    purpose: LinkPurpose | None,
    now: datetime,
    *,
    lock: bool = False,
) -> OpenLink:
    """The link ``token`` opens, for a page of ``purpose`` (None: either); refused with the reason.

    :param lock: lock the row (the caller is about to use it once)
    """
    link_id, signed_for = read_token(settings, token)
    link = uow.customer_links.lock(link_id) if lock else uow.customer_links.get(link_id)
    if link is None or link.purpose != signed_for:
        raise LinkRefused(LinkRefusal.FORGED)  # a key that signed ids we never issued: treat as forged
    if purpose is not None and signed_for is not purpose:
        raise LinkRefused(LinkRefusal.WRONG_PURPOSE, link)
    state = state_of(link, now)
    if state is not LinkState.ACTIVE:
        raise LinkRefused(REFUSAL_OF_STATE[state], link)
    instance = uow.instances.get(link.instance_id)
    if instance is None:
        raise LinkRefused(LinkRefusal.FORGED)
    return OpenLink(link, signed_for, instance)


def state_of(link: CustomerLink, now: datetime) -> LinkState:
    return link_state(
        now=now, expires_at=link.expires_at, revoked_at=link.revoked_at, used_at=link.used_at, purpose=link.purpose
    )


def seen(link: CustomerLink, now: datetime, address: str | None) -> None:
    link.last_seen_at, link.last_ip = now, (address or "")[:64] or None


def revoke(uow: UnitOfWork, *, case_id: int, link_id: int, now: datetime, by: str) -> CustomerLink:
    """Withdraw a link of the case (not committed); revoking twice keeps the first time."""
    link = uow.customer_links.lock(link_id)
    instance = uow.instances.get(case_id)
    if link is None or instance is None or link.instance_id != case_id:
        raise NotFound(f"case {case_id} has no customer link {link_id}")
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = now, by
        note(uow, instance, now, by, EventType.CUSTOMER_LINK_REVOKED, link_id=link.id)
    return link


def spend_task_links(
    uow: UnitOfWork, instance_id: int, task_spec: str, now: datetime, *, task_id: str | None = None
) -> None:
    """A customer step done (by the customer or by staff as the fallback) or closed: its TASK links are
    spent. With ``task_id``, only the links of that task (one instance of a multi-instance step: the
    other customers' links stay open) and those bound to no task."""
    for link in uow.customer_links.open_for_task(instance_id, task_spec):
        if task_id is None or link.task_id in (None, task_id):
            link.used_at = now


def spend_links_not_of(uow: UnitOfWork, instance_id: int, task_spec: str, ready: frozenset[str], now: datetime) -> None:
    """A customer step made ready again: its links of earlier tasks are spent (only the new link opens
    it); the links of the step's other instances still ready stay open."""
    for link in uow.customer_links.open_for_task(instance_id, task_spec):
        if link.task_id is None or link.task_id not in ready:
            link.used_at = now
