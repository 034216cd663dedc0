"""Who is calling: a browser session (with CSRF protection) or HTTP Basic for API clients."""

from __future__ import annotations

import hmac
import math
import secrets

from flask import Blueprint
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _

from ..errors import Forbidden
from ..errors import TooManyRequests
from ..errors import Unauthorized
from ..services import users
from . import login_throttle
from .common import services
from .login_throttle import Channel

bp = Blueprint("auth", __name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC_PATHS = ("/healthz", "/login", "/static/", "/api/v1/openapi.json")


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _check_csrf() -> None:
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    if not hmac.compare_digest(sent, session.get("csrf", "")) or not sent:
        raise Forbidden("missing or wrong CSRF token; reload the page")


# Changing things a read-only user may still do: their own session and language.
READ_ONLY_MAY_POST = ("/login", "/logout", "/language")
# Analyses that are POSTs only because they take an upload, and change nothing (exact paths).
READ_ONLY_ANALYSIS = frozenset({"/api/v1/qa/log-check"})


def load_principal() -> None:
    """Runs before every request: set ``g.principal`` from Basic credentials or the session."""
    g.principal = None
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        g.principal = login_throttle.authenticate(Channel.BASIC, auth.username or "", auth.password or "")
    else:
        username = session.get("user")
        if username:
            g.principal = users.principal_for(services(), username)
            if request.method in UNSAFE_METHODS and not request.path.startswith("/login"):
                _check_csrf()  # Basic credentials are not ambient, so only sessions need it
    _refuse_anonymous_api_calls()
    _refuse_writes_of_read_only_users()


def _refuse_anonymous_api_calls() -> None:
    """The API answers nobody without credentials, whatever the endpoint: one check here, before any
    request body is parsed (otherwise an anonymous caller got 422 field errors, and an endpoint that
    forgot ``principal()`` — GET /api/v1/clock — answered at all)."""
    if g.principal is None and request.path.startswith("/api/") and not request.path.startswith(PUBLIC_PATHS):
        raise Unauthorized("log in, or send HTTP Basic credentials")


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
    session["user"] = user.username
    return redirect(url_for("web.inbox"))


def _clear_session() -> None:
    """A new session at log-in and log-out; only the language choice is kept."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


@bp.post("/logout")
def logout():
    _clear_session()
    return redirect(url_for("auth.login_form"))
