"""Small helpers every blueprint uses: the service context, the acting user, and how files and
diagrams are sent so that no browser runs what a user or a diagram put into them."""

from __future__ import annotations

from flask import Response
from flask import current_app
from flask import g

from ..domain.principal import Principal
from ..errors import Unauthorized
from ..integrations.spreadsheets import Download
from ..services.context import ServiceContext


def services() -> ServiceContext:
    return current_app.extensions["aftersales"]


def principal() -> Principal:
    user = g.get("principal")
    if user is None:
        raise Unauthorized("log in, or send HTTP Basic credentials")
    return user


# A diagram's XML (or a file) opened in the browser must not become a document that runs: an XHTML
# <script> in a diagram's extensionElements runs when it is served as XML. Without a type to sniff,
# scripts, plugins or same-origin access, it is inert text; the pages' viewers fetch() it all the same.
INERT = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}


def send_download(file: Download) -> Response:
    """A file for the browser to save (its content type already names its charset)."""
    return Response(
        file.body,
        content_type=file.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"', **INERT},
    )


def send_diagram_xml(xml: bytes) -> Response:
    """A version's BPMN XML for the pages' bpmn-js viewers, shown as plain text if opened directly."""
    return Response(
        xml, content_type="text/plain; charset=utf-8", headers={"Cache-Control": "private, max-age=3600", **INERT}
    )
