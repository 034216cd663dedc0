"""Who is calling: a browser session (with CSRF protection), HTTP Basic for people's API clients, or
a service account's API token (``Authorization: Bearer``, services/people/api_tokens.py); and the
rules every write obeys whoever sends it: no write from another site's page, and API bodies only as
JSON (or multipart on the endpoints that take an upload), which no cross-site form can send unasked.
"""

from __future__ import annotations

import hmac
import math
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _

from ..domain.master_data import TABLES
from ..errors import Forbidden
from ..errors import TooManyRequests
from ..errors import Unauthorized
from ..errors import UnsupportedMediaType
from ..services.people import api_tokens
from ..services.people import sessions
from ..services.people import users
from . import cors
from . import login_throttle
from .common import services
from .login_throttle import Channel

bp = Blueprint("auth", __name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC_PATHS = ("/healthz", "/login", "/static/", "/api/v1/openapi.json", "/api/v1/docs")


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _check_csrf() -> None:
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    if not hmac.compare_digest(sent, session.get("csrf", "")) or not sent:
        raise Forbidden("missing or wrong CSRF token; reload the page")


# Changing things a read-only user may still do: their own session and language, and what anyone may do
# without an account, which acts as the public or the case link, never as the user who happens to send
# it (the public service request form; the customers' /c/ pages).
READ_ONLY_MAY_POST = ("/login", "/logout", "/language", "/request", "/c/")
# Analyses that are POSTs only because they take an upload, and change nothing (exact paths).
READ_ONLY_ANALYSIS = frozenset({"/api/v1/qa/log-check"})
# The API endpoints documented as taking a multipart upload (``schemas.file_upload_body``); every
# other API write sends JSON, or nothing.
UPLOAD_ENDPOINTS = frozenset(
    {"processes.upload", "log_check.log_check", "workbench.import_archive"}
    | {f"master_data.{view}_{t}" for t in TABLES for view in ("import", "import_columns")}
)


def load_principal() -> None:
    """Runs before every request: set ``g.principal`` from Basic credentials or the session."""
    g.principal = None
    _refuse_cross_site_writes()
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        g.principal = login_throttle.authenticate(Channel.BASIC, auth.username or "", auth.password or "")
    elif auth is not None and auth.type == "bearer" and request.path.startswith("/api/"):
        g.principal = api_tokens.authenticate_token(services(), auth.token or "")
        if g.principal is None:
            raise Unauthorized("unknown, revoked or expired API token")
    else:
        g.principal = sessions.resume(services(), session, _lifetimes())
        if g.principal is not None and request.method in UNSAFE_METHODS and not request.path.startswith("/login"):
            _check_csrf()
    _refuse_anonymous_api_calls()
    _refuse_unsupported_api_bodies()
    _refuse_writes_of_read_only_users()


def _lifetimes() -> sessions.Lifetimes:
    config = current_app.config
    return sessions.Lifetimes(
        idle=timedelta(seconds=int(config["SESSION_IDLE_SECONDS"])),
        absolute=timedelta(seconds=int(config["SESSION_MAX_SECONDS"])),
    )


def _refuse_cross_site_writes() -> None:
    """A write whose page is not one of ours is refused before anyone is authenticated: a browser
    adds the user's cookie, or the Basic credentials it remembers, to another site's request too.
    Browsers name the page's origin (``Origin``, or at least ``Sec-Fetch-Site``); other clients send
    neither. Only host and port are compared: behind a TLS proxy the service itself sees plain HTTP."""
    if request.method not in UNSAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    if origin is not None:
        if _token_call_from_a_cors_origin():
            return  # a token is sent on purpose, never added by the browser: no ambient authority
        if urlsplit(origin).netloc.lower() != request.host.lower() and origin.lower() not in _trusted_origins():
            raise Forbidden(f"a write from another site ({origin[:100]}) is refused")
    elif request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise Forbidden("a write from another site is refused")


def _token_call_from_a_cors_origin() -> bool:
    auth = request.authorization
    return auth is not None and auth.type == "bearer" and cors.allowed_origin() is not None


def _trusted_origins() -> set[str]:
    configured = current_app.config.get("TRUSTED_ORIGINS") or ""
    return {o.strip().rstrip("/").lower() for o in configured.split(",") if o.strip()}


def _refuse_unsupported_api_bodies() -> None:
    """An API write carries JSON, a multipart upload where the endpoint takes one, or no body at all:
    never a form or ``text/plain``, the bodies another site's page can send without asking."""
    if request.method not in UNSAFE_METHODS or not request.path.startswith("/api/"):
        return
    kind = request.mimetype
    if kind == "application/json" or (kind == "multipart/form-data" and request.endpoint in UPLOAD_ENDPOINTS):
        return
    if not kind and not request.content_length and "Transfer-Encoding" not in request.headers:
        return  # nothing sent: the endpoints without a body (claim, delete a draft, …)
    wanted = "application/json or multipart/form-data" if request.endpoint in UPLOAD_ENDPOINTS else "application/json"
    raise UnsupportedMediaType(
        f"send the body as {wanted}, not {kind or 'without a Content-Type'}", errors={"Content-Type": [wanted]}
    )


def _refuse_anonymous_api_calls() -> None:
    """The API answers nobody without credentials, whatever the endpoint: one check here, before any
    request body is parsed (otherwise an anonymous caller got 422 field errors, and an endpoint that
    forgot ``principal()`` — GET /api/v1/clock — answered at all)."""
    if g.principal is None and request.path.startswith("/api/") and not request.path.startswith(PUBLIC_PATHS):
        raise Unauthorized("log in, or send HTTP Basic credentials or an API token (Bearer)")


def _refuse_writes_of_read_only_users() -> None:
    """The read-only roles (QA's auditor) change nothing, whatever the endpoint: one check here."""
    user = g.principal
    if (
        user is not None
        and user.read_only
        and request.method in UNSAFE_METHODS
        and not request.path.startswith(READ_ONLY_MAY_POST)
        and not (request.method == "POST" and request.path in READ_ONLY_ANALYSIS)
    ):
        raise Forbidden(f"{user.username} has a read-only role and may change nothing")


@bp.app_context_processor
def _template_globals():
    return {"csrf_token": csrf_token, "current_user": g.get("principal")}


@bp.get("/login")
def login_form():
    return render_template("login.html", error=None)


@bp.post("/login")
def login():
    _check_csrf()
    try:
        user = login_throttle.authenticate(
            Channel.FORM, request.form.get("username", ""), request.form.get("password", "")
        )
    except TooManyRequests as exc:
        minutes = math.ceil(exc.retry_after / 60)
        error = _("Too many failed log-ins. Try again in %(minutes)s minute(s).", minutes=minutes)
        return render_template("login.html", error=error), 429, {"Retry-After": str(exc.retry_after)}
    if user is None:
        return render_template("login.html", error=_("Wrong user name or password")), 401
    _clear_session()
    sessions.open_session(services(), user.username, session)
    return redirect(url_for("web.inbox"))


def _clear_session() -> None:
    """A new session at log-in and log-out; only the language choice is kept."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


@bp.post("/logout")
def logout():
    """Log out: this session, and every other one of the user (a copied cookie is worth nothing after)."""
    if g.principal is not None and request.authorization is None:
        users.end_sessions(services(), g.principal.username)
    _clear_session()
    return redirect(url_for("auth.login_form"))
