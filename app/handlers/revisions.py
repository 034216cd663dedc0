"""ETag on a case and a task, If-Match on what changes them (services/cases/revisions.py checks it with
the case locked): a write made on a revision that has moved on is a 412, and changes nothing."""

from __future__ import annotations

from flask import Flask
from flask import g
from flask import request

from ..services import revisions

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The response header as the OpenAPI document declares it.
ETAG_HEADER = {
    "ETag": {"description": "the revision; send it back as If-Match to change it", "schema": {"type": "string"}}
}


def etag(revision: str) -> dict[str, str]:
    """The response headers that hand ``revision`` to the client."""
    return {"ETag": f'"{revision}"'}


def _wanted() -> str | None:
    value = (request.headers.get("If-Match") or "").strip()
    if not value or value == "*":
        return None
    return value.removeprefix("W/").strip('"')


def _begin() -> None:
    if request.method in WRITES and request.path.startswith("/api/"):
        g.revision_token = revisions.begin(_wanted())


def _end(_exc: BaseException | None) -> None:
    token = g.pop("revision_token", None)
    if token is not None:
        revisions.end(token)


def init_app(app: Flask) -> None:
    app.before_request(_begin)
    app.teardown_request(_end)
