"""A customer's own service request, from the public form (/request): no account, phone first.

The request opens a case of the repair process (``PUBLIC_PROCESS``) through ``journal.open_case``,
the start every case takes, with ``channel`` ``web``; the start data is the start form's (checked
there as any user's), so the agent's "register service request" step finds it prefilled. The actor
is ``PUBLIC_ACTOR``, and an audit event (``public_request_received``) keeps the client's address.

What keeps bots out, without third parties:

- a proof of work (domain/proof_of_work.py): ``issue_challenge`` signs a random id, the time and
  the bits asked for with the service's key (itsdangerous); the page's script finds the nonce; a
  challenge is good for ``ProofSettings.lifetime`` and once only — the used id is kept as the
  idempotency key of the start it made (table ``idempotency_keys``, user ``PUBLIC_ACTOR``);
- a honeypot field a person never sees nor fills;
- a limit of requests per client address (the handler's, with the log-in throttle's limiter).

A serial number the master data knows fills the unit's facts (model, category, warranty) on the
server; the owner's name, address and region only when the phone given is the owner's. Nothing of
the master data is ever answered to the form: the customer is shown their case number only.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer

from ...domain.customer_links import LinkPurpose
from ...domain.events import EventType
from ...domain.fees import warranty_evidence
from ...domain.proof_of_work import solves
from ...domain.workcalendar import WorkCalendar
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.orm import Attachment
from ...persistence.orm import IdempotencyKey
from ...persistence.orm import Unit
from ...persistence.unit_of_work import Busy
from ..context import ServiceContext
from ..customers.links import issue_link
from ..customers.messages import queue_link_message
from .attachments import SIGNATURES
from .journal import open_case
from .journal import record

PUBLIC_PROCESS = "repair"
PUBLIC_ACTOR = "public-form"  # the audit trail's actor of a request from the public form
CHANNEL = "web"
MAX_PHOTOS = 3
MAX_BITS = 32
_SALT = "aftersales.public-request.challenge"
_KEY_PREFIX = "proof:"
_CLOCK_SKEW = timedelta(minutes=1)  # a challenge "issued" a little ahead of this worker's clock is still good
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
# The lengths of the register form's fields (forms/repair/register_request.json).
LENGTHS = {
    "customer_name": 100,
    "customer_phone": 40,
    "address": 300,
    "product_model": 100,
    "serial_no": 100,
    "fault_description": 2000,
}
REQUIRED = ("customer_name", "customer_phone", "address", "fault_description", "service_category")
PRODUCT_CATEGORIES = ("refrigeration", "laundry", "tv_av", "kitchen", "small_appliance", "it_network")
SERVICE_CATEGORIES = ("repair", "installation", "consultation", "parts_mailing", "training", "other")
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]*")
MIN_PHONE_DIGITS = 5


class Refusal(StrEnum):
    """Why a field of the public form was refused (the page says it in the customer's language)."""

    REQUIRED = "required"
    TOO_LONG = "too_long"
    BAD_PHONE = "bad_phone"
    NOT_A_CHOICE = "not_a_choice"
    TOO_MANY_PHOTOS = "too_many_photos"
    PHOTO_TOO_LARGE = "photo_too_large"
    NOT_AN_IMAGE = "not_an_image"
    PROOF_MISSING = "proof_missing"
    PROOF_WRONG = "proof_wrong"
    PROOF_EXPIRED = "proof_expired"
    PROOF_USED = "proof_used"
    HONEYPOT = "honeypot"


class RequestRefused(InvalidInput):
    """The request opened no case; ``errors`` maps each field (``proof``, ``_form``) to its refusals."""

    def __init__(self, errors: dict[str, list[Refusal]]) -> None:
        super().__init__(f"the service request was refused: {errors}", errors=errors)
        self.refusals = errors


@dataclass(frozen=True)
class ProofSettings:
    """The proof of work asked of the public form: signing key, zero bits, how long a challenge is good."""

    secret: str
    bits: int
    lifetime: timedelta


@dataclass(frozen=True)
class Photo:
    """One uploaded photo; its media type is read from the content, never taken from the browser."""

    content: bytes


@dataclass
class PublicRequest:
    """What the customer typed (text as given; trimmed when checked)."""

    customer_name: str = ""
    customer_phone: str = ""
    address: str = ""
    product_model: str = ""
    serial_no: str = ""
    product_category: str = ""
    service_category: str = "repair"
    fault_description: str = ""
    honeypot: str = ""
    photos: list[Photo] = field(default_factory=list)


@dataclass(frozen=True)
class OpenedRequest:
    """The case a request opened: what the customer is told (its number), nothing more."""

    case_id: int
    case_no: str
    follow_path: str  # the signed FOLLOW link (/c/<token>) the customer follows the case by


def issue_challenge(ctx: ServiceContext, settings: ProofSettings) -> str:
    """A new signed challenge for the form: a random id, the time (the application clock) and the bits."""
    payload = {"id": secrets.token_hex(16), "at": int(ctx.clock.now().timestamp()), "bits": settings.bits}
    return URLSafeSerializer(settings.secret, salt=_SALT).dumps(payload)


def _challenge_id(challenge: str, nonce: str, settings: ProofSettings, now: datetime) -> str:
    """The id of a challenge proved by ``nonce``, or RequestRefused on the ``proof`` field."""
    if not challenge or not nonce:
        raise RequestRefused({"proof": [Refusal.PROOF_MISSING]})
    try:
        payload = URLSafeSerializer(settings.secret, salt=_SALT).loads(challenge)
        issued, bits, ident = int(payload["at"]), int(payload["bits"]), str(payload["id"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise RequestRefused({"proof": [Refusal.PROOF_WRONG]}) from None
    at = datetime.fromtimestamp(issued, now.tzinfo)
    if not at - _CLOCK_SKEW <= now <= at + settings.lifetime:
        raise RequestRefused({"proof": [Refusal.PROOF_EXPIRED]})
    if not solves(challenge, nonce, min(max(bits, settings.bits), MAX_BITS)):
        raise RequestRefused({"proof": [Refusal.PROOF_WRONG]})
    return ident


def _checked(form: PublicRequest, max_photo_bytes: int) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    """The trimmed fields and the photos with their media types, or RequestRefused naming each field."""
    values = {
        name: getattr(form, name).strip()
        for name in (*LENGTHS, "product_category", "service_category")
    }  # fmt: skip
    errors: dict[str, list[Refusal]] = {}
    for name in REQUIRED:
        if not values[name]:
            errors.setdefault(name, []).append(Refusal.REQUIRED)
    for name, length in LENGTHS.items():
        if len(values[name]) > length:
            errors.setdefault(name, []).append(Refusal.TOO_LONG)
    phone = values["customer_phone"]
    if phone and (not _PHONE.fullmatch(phone) or sum(ch.isdigit() for ch in phone) < MIN_PHONE_DIGITS):
        errors.setdefault("customer_phone", []).append(Refusal.BAD_PHONE)
    if values["product_category"] and values["product_category"] not in PRODUCT_CATEGORIES:
        errors["product_category"] = [Refusal.NOT_A_CHOICE]
    if values["service_category"] and values["service_category"] not in SERVICE_CATEGORIES:
        errors["service_category"] = [Refusal.NOT_A_CHOICE]
    photos: list[tuple[str, bytes]] = []
    given = [p for p in form.photos if p.content]
    if len(given) > MAX_PHOTOS:
        errors["photos"] = [Refusal.TOO_MANY_PHOTOS]
    for photo in given[:MAX_PHOTOS]:
        kind = next((t for t in IMAGE_TYPES if SIGNATURES[t](photo.content)), None)
        if len(photo.content) > max_photo_bytes:
            errors.setdefault("photos", []).append(Refusal.PHOTO_TOO_LARGE)
        elif kind is None:
            errors.setdefault("photos", []).append(Refusal.NOT_AN_IMAGE)
        else:
            photos.append((kind, photo.content))
    if errors:
        raise RequestRefused({name: list(dict.fromkeys(found)) for name, found in errors.items()})
    return values, photos


def _digits(phone: str | None) -> str:
    return "".join(ch for ch in phone or "" if ch.isdigit())


def _start_data(values: dict[str, str], unit: Unit | None) -> tuple[dict[str, Any], bool]:
    """The case's start data; and whether the phone given is the known unit's owner's."""
    data: dict[str, Any] = {"channel": CHANNEL, **{k: v for k, v in values.items() if v}}
    owner = False
    if unit is not None:
        data.update(
            serial_no=unit.serial_no,
            product_model=unit.model,
            product_category=unit.product_category,
            purchase_date=unit.purchase_date.isoformat() if unit.purchase_date else "",
            warranty_evidence=warranty_evidence(unit.invoice_no, unit.warranty_card_no),
            tampered=unit.tampered,
            contract_no=unit.contract_no or "",
        )
        customer = unit.customer
        owner = bool(_digits(customer.phone)) and _digits(customer.phone) == _digits(values["customer_phone"])
        if owner:  # the owner themself: their record's name and region (the address they gave is kept)
            data.update(customer_name=customer.name[: LENGTHS["customer_name"]])
            if customer.region:
                data["region"] = customer.region
    return data, owner


def open_request(
    ctx: ServiceContext,
    form: PublicRequest,
    *,
    challenge: str,
    nonce: str,
    settings: ProofSettings,
    client: str,
    max_photo_bytes: int,
    signed_in_as: str | None = None,
) -> OpenedRequest:
    """Open the case a customer asked for on the public form, or RequestRefused (nothing written).

    The checks in order: the honeypot, the fields and photos, the proof of work, its single use. A
    refused request spends no challenge (the page shows the form again with a new one all the same).
    The form acts as the public whoever sends it; a browser signed in as staff (``signed_in_as``) gives
    that staff member no power here, but the audit trail names them, so no request hides who sent it.
    """
    if form.honeypot.strip():
        raise RequestRefused({"_form": [Refusal.HONEYPOT]})
    values, photos = _checked(form, max_photo_bytes)
    calendar = ctx.calendar.ensure_fresh()
    now = ctx.clock.now()
    ident = _challenge_id(challenge, nonce, settings, now)
    try:
        opened, due = _open(ctx, values, photos, ident, client, calendar, now, signed_in_as)
    except Busy:
        with ctx.uow() as uow:  # the same challenge sent twice at once (a double tap): the other one won
            if uow.idempotency.get(PUBLIC_ACTOR, _KEY_PREFIX + ident) is not None:
                raise RequestRefused({"proof": [Refusal.PROOF_USED]}) from None
        raise
    ctx.announce_timers(due)
    return opened


def _open(
    ctx: ServiceContext,
    values: dict[str, str],
    photos: list[tuple[str, bytes]],
    ident: str,
    client: str,
    calendar: WorkCalendar,
    now: datetime,
    signed_in_as: str | None,
) -> tuple[OpenedRequest, datetime | None]:
    """Open the case, store its photos, spend the challenge, record the client: one commit."""
    with ctx.uow() as uow:
        if uow.idempotency.get(PUBLIC_ACTOR, _KEY_PREFIX + ident) is not None:
            raise RequestRefused({"proof": [Refusal.PROOF_USED]})
        latest = uow.versions.latest(PUBLIC_PROCESS)
        if latest is None:
            raise NotFound(f"no deployed process {PUBLIC_PROCESS!r}")
        process = ctx.versions.get(uow, latest.id)
        serial = values["serial_no"]
        unit = uow.master.unit(serial) if serial else None
        data, owner = _start_data(values, unit)
        instance = open_case(ctx, uow, process, data, actor=PUBLIC_ACTOR, calendar=calendar, now=now)
        uow.flush()
        for kind, content in photos:
            uow.attachments.add(
                Attachment(
                    instance_id=instance.id,
                    task_id=None,
                    field="photos",
                    media_type=kind,
                    content=content,
                    size=len(content),
                    created_by=PUBLIC_ACTOR,
                    created_at=now,
                )
            )
        uow.add_row(
            IdempotencyKey(
                username=PUBLIC_ACTOR,
                key=_KEY_PREFIX + ident,
                process_key=PUBLIC_PROCESS,
                instance_id=instance.id,
                created_at=now,
            )
        )
        record(
            uow,
            instance,
            now,
            PUBLIC_ACTOR,
            EventType.PUBLIC_REQUEST_RECEIVED,
            data={
                "client": client[:64],
                "photos": len(photos),
                "serial_known": unit is not None,
                "phone_is_owners": owner,
                **({"signed_in_as": signed_in_as} if signed_in_as else {}),
            },
        )
        # The customer follows the case by a link of its own, shown now and sent to the phone given.
        follow = issue_link(
            uow, ctx.customers, case_id=instance.id, purpose=LinkPurpose.FOLLOW, now=now, by=PUBLIC_ACTOR
        )
        queue_link_message(uow, instance, follow, LinkPurpose.FOLLOW, task="", now=now)
        uow.commit()
        return OpenedRequest(instance.id, instance.case_no or "", follow.path), instance.next_timer_at
