"""Browser pages' HTTP errors (an unknown address, a wrong method, a body too large...) as the
workspace's error page in the user's language, instead of werkzeug's English default page. API
paths keep their problem+json (handlers/__init__.py)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You may not open this page."),
    404: _l("There is no such page."),
    405: _l("This address does not take that kind of request."),
    413: _l("What was sent is too large."),
    429: _l("Too many requests: please wait a moment."),
}
OTHER = _l("Something went wrong on the server.")


@dataclass(frozen=True)
class PageError:
    """What error.html shows: the status and the user's sentence."""

    http_status: int
    message: str


def error_page(exc: HTTPException):
    status = exc.code or 500
    try:
        body = render_template("error.html", error=PageError(status, str(MESSAGES.get(status, OTHER))))
    except Exception:  # noqa: BLE001 - the error page itself failed: werkzeug's plain page then
        return exc
    return body, status, {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
