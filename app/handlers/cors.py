"""CORS for the API: the pages of the origins configured in ``CORS_ORIGINS`` may call it with an API
token. Their preflight (``OPTIONS`` with ``Access-Control-Request-Method``) is answered here, before
authentication (a browser sends no credentials with it); their answers name them in
``Access-Control-Allow-Origin``. Cookies are never allowed cross-site (no ``Allow-Credentials``): a
session stays with the service's own pages. Any other origin gets no CORS header, so its page cannot
read the answer."""

from __future__ import annotations

from flask import Flask
from flask import Response
from flask import current_app
from flask import request

ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE"
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, If-Match"
EXPOSED_HEADERS = "Location, Retry-After, ETag, X-Total-Count"
MAX_AGE_SECONDS = 600


def allowed_origins() -> set[str]:
    configured = current_app.config.get("CORS_ORIGINS") or ""
    return {o.strip().rstrip("/").lower() for o in configured.split(",") if o.strip()}


def allowed_origin() -> str | None:
    """The request's ``Origin`` when it is one of the configured ones (API paths only)."""
    origin = request.headers.get("Origin")
    if origin is None or not request.path.startswith("/api/"):
        return None
    return origin if origin.rstrip("/").lower() in allowed_origins() else None


def answer_preflight() -> Response | None:
    """Before every request (and before authentication): a preflight of an API path is answered at once."""
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return None
    if not request.path.startswith("/api/"):
        return None
    response = current_app.response_class(status=204)
    response.headers["Vary"] = "Origin"
    origin = allowed_origin()
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = str(MAX_AGE_SECONDS)
    return response


def _allow_origin(response: Response) -> Response:
    origin = allowed_origin()
    if origin is not None and "Access-Control-Allow-Origin" not in response.headers:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response.headers.add("Vary", "Origin")
    return response


def init_app(app: Flask) -> None:
    """Register the preflight answer first of every ``before_request`` (call before the others)."""
    app.before_request(answer_preflight)
    app.after_request(_allow_origin)
