"""The public service request form (/request): a customer asks for service from their phone, no account.

A plain HTML form (it works without the script but for the proof of work, which static/js/
request-form.js finds): GET shows it with a new challenge, POST opens the case
(services/cases/public_request.py) or shows the form again with each refusal on its field and
everything typed kept (photos must be chosen again: a browser never refills a file input). The
sends of one client address are limited (``PUBLIC_REQUESTS_PER_ADDRESS``, with the log-in
throttle's limiter and storage). After the case opens, the customer sees its number
(/request/sent, kept in their session) and the hotline.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint
from flask import current_app
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import lazy_gettext as _l
from limits import parse

from ...services.cases import public_request as requests
from ...services.cases.public_request import Refusal
from .. import login_throttle
from ..common import services

bp = Blueprint("public_request", __name__)

SESSION_KEY = "public_request"
REFUSALS = {
    Refusal.REQUIRED: _l("Please fill this in."),
    Refusal.TOO_LONG: _l("This is too long."),
    Refusal.BAD_PHONE: _l("Please give a phone number (digits, at least 5)."),
    Refusal.NOT_A_CHOICE: _l("Please choose one of the list."),
    Refusal.TOO_MANY_PHOTOS: _l("At most 3 photos."),
    Refusal.PHOTO_TOO_LARGE: _l("A photo is too large; please choose a smaller one."),
    Refusal.NOT_AN_IMAGE: _l("Only photos (JPEG, PNG, GIF or WebP) can be sent."),
    Refusal.PROOF_MISSING: _l(
        "The page's check did not run (is JavaScript turned off?). Please wait a moment and send again."
    ),
    Refusal.PROOF_WRONG: _l("The page's check failed. Please send the form again."),
    Refusal.PROOF_EXPIRED: _l("The form was open too long. Please send it again."),
    Refusal.PROOF_USED: _l("This form was already sent once. Please send it again if you want a new request."),
    Refusal.HONEYPOT: _l("Your request could not be accepted. Please call our hotline."),
}
PRODUCT_CATEGORIES = {
    "refrigeration": _l("Refrigeration"),
    "laundry": _l("Laundry"),
    "tv_av": _l("TV and AV"),
    "kitchen": _l("Kitchen"),
    "small_appliance": _l("Small appliance"),
    "it_network": _l("IT and network"),
}
SERVICE_CATEGORIES = {
    "repair": _l("Repair"),
    "installation": _l("Installation and commissioning"),
    "consultation": _l("Consultation, remote support"),
    "parts_mailing": _l("Mailing of parts and documents"),
    "training": _l("Technical training"),
    "other": _l("Other services"),
}
FIELDS = (
    "customer_name",
    "customer_phone",
    "address",
    "product_category",
    "product_model",
    "serial_no",
    "service_category",
    "fault_description",
)
HONEYPOT = "website"  # a field a person never sees (hidden by the stylesheet) and a bot fills in


def _settings() -> requests.ProofSettings:
    config = current_app.config
    return requests.ProofSettings(
        secret=config["SECRET_KEY"],
        bits=int(config["PUBLIC_REQUEST_PROOF_BITS"]),
        lifetime=timedelta(seconds=int(config["PUBLIC_REQUEST_CHALLENGE_SECONDS"])),
    )


def _form_page(values: dict[str, str], errors: dict[str, list[str]], status: int = 200, headers=None):
    settings = _settings()
    body = render_template(
        "public_request.html",
        values=values,
        errors=errors,
        challenge=requests.issue_challenge(services(), settings),
        bits=settings.bits,
        max_photo_bytes=int(current_app.config["PUBLIC_REQUEST_PHOTO_BYTES"]),
        max_photos=requests.MAX_PHOTOS,
        product_categories=PRODUCT_CATEGORIES,
        service_categories=SERVICE_CATEGORIES,
        honeypot=HONEYPOT,
    )
    return body, status, headers or {}


@bp.get("/request")
def form():
    return _form_page({"service_category": "repair"}, {})


def _client() -> str:
    return request.remote_addr or "unknown"


@bp.post("/request")
def send():
    values = {name: request.form.get(name, "") for name in FIELDS}
    throttle: login_throttle.LoginThrottle = current_app.extensions[login_throttle.EXTENSION]
    wait = throttle.take(parse(current_app.config["PUBLIC_REQUESTS_PER_ADDRESS"]), "aftersales-request", _client())
    if wait:
        minutes = max(1, (wait + 59) // 60)
        message = _l("Too many requests from your address. Please try again in %(minutes)d minutes.", minutes=minutes)
        return _form_page(values, {"_form": [str(message)]}, 429, {"Retry-After": str(wait)})
    photos = [requests.Photo(file.read()) for file in request.files.getlist("photos") if file.filename]
    form = requests.PublicRequest(**values, honeypot=request.form.get(HONEYPOT, ""), photos=photos)
    try:
        opened = requests.open_request(
            services(),
            form,
            challenge=request.form.get("challenge", ""),
            nonce=request.form.get("proof", ""),
            settings=_settings(),
            client=_client(),
            max_photo_bytes=int(current_app.config["PUBLIC_REQUEST_PHOTO_BYTES"]),
            signed_in_as=g.principal.username if g.get("principal") is not None else None,
        )
    except requests.RequestRefused as refused:
        errors = {name: [str(REFUSALS[r]) for r in found] for name, found in refused.refusals.items()}
        if photos and "photos" not in errors:
            errors["photos"] = [str(_l("Please choose the photos again."))]
        return _form_page(values, errors, 400 if Refusal.HONEYPOT in refused.refusals.get("_form", []) else 422)
    session[SESSION_KEY] = {"case_no": opened.case_no, "link": opened.follow_path}
    return redirect(url_for("public_request.sent"), 303)


@bp.get("/request/sent")
def sent():
    """The confirmation: the case number the customer quotes, the signed follow link, the hotline."""
    opened = session.get(SESSION_KEY)
    if not isinstance(opened, dict) or not opened.get("case_no"):
        return redirect(url_for("public_request.form"))
    return render_template(
        "public_request_sent.html",
        case_no=opened["case_no"],
        link=opened.get("link"),
    )
