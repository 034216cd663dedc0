"""Messages to customers: queued in the step that issues a link (the customers' outbox, the
``customer_messages`` table), sent afterwards by the sender of each channel, and the delivery — sent,
or failed with the reason — recorded on the case, where staff see it.

A case reaches its customer by the contacts its data keeps: ``customer_email`` (e-mail),
``customer_phone`` (SMS), ``customer_wechat`` (a WeChat openid). The message is in the customer's
language: the case's ``customer_language``, else their master record's, else Chinese. A step done
once per customer (the survey's questionnaire) reaches each customer by the contacts of its own item
(``phone``, ``email``, ``wechat``, ``language``), never by the case's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ...domain.customer_links import Channel
from ...domain.customer_links import LinkPurpose
from ...domain.customer_links import MessageKind
from ...domain.customer_links import MessageState
from ...domain.customer_links import customer_language
from ...domain.customer_links import mask_phone
from ...domain.customer_links import message_text
from ...domain.events import EventType
from ...domain.master_data import CUSTOMERS
from ...integrations.customer_senders import SendFailed
from ...persistence.orm import CustomerMessage
from ...persistence.orm import Instance
from ...persistence.unit_of_work import UnitOfWork
from ..context import ServiceContext
from .links import IssuedLink
from .trail import note

log = logging.getLogger(__name__)
ATTEMPTS = 3  # a message still refused after this many rounds is given up (the reason stays on the case)
CONTACT_FIELDS = {Channel.EMAIL: "customer_email", Channel.SMS: "customer_phone", Channel.WECHAT: "customer_wechat"}
# The same contacts in the item of a per-customer step (services/planning/start_figures._surveyed).
ITEM_CONTACT_FIELDS = {Channel.EMAIL: "email", Channel.SMS: "phone", Channel.WECHAT: "wechat"}
SUBJECT_LENGTH = 256  # CustomerMessage.subject


def language_of(uow: UnitOfWork, instance: Instance, to: Mapping[str, Any] | None = None) -> str:
    """The case's ``customer_language``, else the language of the customer the case is filed under
    (registration finds or creates that record), else of the customer of the case's name, else Chinese.
    With ``to`` (one customer of a case of many, e.g. a surveyed customer): that customer's language,
    else their master record's, else Chinese."""
    if to is not None:
        code = to.get("code")
        found = uow.records.get(CUSTOMERS, code) if not to.get("language") and isinstance(code, str) and code else None
        return customer_language(to.get("language") or (found.language if found is not None else None))
    data = instance.data or {}
    if data.get("customer_language"):
        return customer_language(str(data["customer_language"]))
    code = uow.records.filed_under(CUSTOMERS, [instance.id]).get(instance.id)
    found = uow.records.get(CUSTOMERS, code) if code else None
    name = data.get("customer_name")
    if found is None and isinstance(name, str) and name:
        found = uow.customer_links.customer_named(name)
    return customer_language(found.language if found is not None else None)


def contacts(instance: Instance, to: Mapping[str, Any] | None = None) -> dict[Channel, str]:
    """The case's contacts of its customer, or with ``to`` that one customer's."""
    data, fields = (instance.data or {}, CONTACT_FIELDS) if to is None else (to, ITEM_CONTACT_FIELDS)
    found = {}
    for channel, key in fields.items():
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            found[channel] = value.strip()[:256]
    return found


def shown_address(channel: str, address: str) -> str:
    """An address as the audit trail keeps it: a phone masked, an e-mail's name shortened."""
    if channel == Channel.SMS:
        return mask_phone(address)
    if channel == Channel.EMAIL and "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:2]}***@{domain}"
    return f"{address[:4]}***"


def queue_link_message(
    uow: UnitOfWork,
    instance: Instance,
    issued: IssuedLink,
    purpose: LinkPurpose,
    *,
    task: str,
    now: datetime,
    to: Mapping[str, Any] | None = None,
) -> list[CustomerMessage]:
    """One message per contact the case has (with ``to``: that customer has), carrying the link (not committed)."""
    language = language_of(uow, instance, to)
    kind = MessageKind.INVITATION if to is not None else MessageKind(purpose.value)  # one of many: not their case
    subject, body = message_text(
        kind, language, case_no=instance.case_no or str(instance.id), task=task, url=issued.url
    )
    rows = [
        CustomerMessage(
            instance_id=instance.id,
            link_id=issued.id,
            channel=channel.value,
            address=address,
            language=language,
            subject=subject[:SUBJECT_LENGTH],
            body=body,
            state=MessageState.QUEUED.value,
            attempts=0,
            created_at=now,
        )
        for channel, address in contacts(instance, to).items()
    ]
    if not rows:
        reason = "the case has no phone, e-mail or WeChat of the customer"
        if to is not None:
            reason = f"the customer {to.get('code') or to.get('name') or ''} has no phone, e-mail or WeChat"
        note(uow, instance, now, None, EventType.CUSTOMER_MESSAGE_FAILED, link_id=issued.id, reason=reason)
    uow.add_rows(rows)
    return rows


def send_customer_messages(ctx: ServiceContext, *, batch: int = 50) -> int:
    """Send the queued messages; returns how many went out. Each delivery is an event on its case."""
    now = ctx.clock.now()
    sent = 0
    with ctx.uow() as uow:
        rows = uow.customer_links.queued_messages(batch)
        if not rows:
            return 0
        for row in rows:
            sender = ctx.customers.senders.get(row.channel)
            row.attempts += 1
            try:
                if sender is None:
                    raise SendFailed(f"no sender for the channel {row.channel}")
                sender.send(row.address, row.subject, row.body)
            except SendFailed as exc:
                row.error = str(exc)[:500]
                if row.attempts < ATTEMPTS:
                    continue
                row.state = MessageState.FAILED.value
                _record_delivery(uow, row, now, EventType.CUSTOMER_MESSAGE_FAILED, reason=row.error)
                continue
            row.state, row.sent_at, row.error = MessageState.SENT.value, now, None
            sent += 1
            _record_delivery(uow, row, now, EventType.CUSTOMER_MESSAGE_SENT)
        uow.commit()
    return sent


def _record_delivery(uow: UnitOfWork, row: CustomerMessage, now: datetime, type_: EventType, **extra: str) -> None:
    instance = uow.instances.get(row.instance_id)
    if instance is None:
        return
    to = shown_address(row.channel, row.address)
    note(uow, instance, now, None, type_, message_id=row.id, link_id=row.link_id, channel=row.channel, to=to, **extra)
