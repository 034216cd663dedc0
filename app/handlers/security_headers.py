"""The security headers of every answer, pages and API alike: a Content-Security-Policy that runs
only the service's own script files (no inline script, no eval, no plug-ins, no framing, forms
only to the service), no framing for old browsers, no referrer to other sites, no content sniffing.

An answer that sets a stricter policy of its own (an attachment download: ``default-src 'none'``)
keeps it. Styles may be inline: bpmn-js and json-editor write ``style`` attributes and elements;
a style cannot run code.
"""

from __future__ import annotations

from flask import Flask
from flask import Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        # Signatures are PNG data: URLs drawn on a canvas and shown as images.
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
