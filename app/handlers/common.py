"""Small helpers every blueprint uses: the service context and the acting user."""

from __future__ import annotations

from flask import Response
from flask import current_app
from flask import g

from ..domain.principal import Principal
from ..errors import Unauthorized
from ..services.context import ServiceContext
from ..services.spreadsheets import Download


def services() -> ServiceContext:
    return current_app.extensions["aftersales"]


def principal() -> Principal:
    user = g.get("principal")
    if user is None:
        raise Unauthorized("log in, or send HTTP Basic credentials")
    return user


def send_download(file: Download) -> Response:
    """A file for the browser to save (its content type already names its charset)."""
    return Response(
        file.body,
        content_type=file.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )
