"""One log line per HTTP request (method, path, status, duration, user, request id), and the
request id echoed in ``X-Request-ID`` so a user's report can be matched to the server's log."""

from __future__ import annotations

import logging
import time
import uuid

from flask import Flask
from flask import g
from flask import request

log = logging.getLogger("aftersales.request")


def init_app(app: Flask) -> None:
    @app.before_request
    def _begin() -> None:
        g.request_id = (request.headers.get("X-Request-ID") or "")[:64] or uuid.uuid4().hex
        g.request_began = time.perf_counter()

    @app.after_request
    def _log(response):
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        principal = g.get("principal")
        began = g.get("request_began")
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - began) * 1e3, 2) if began else None,
                "user": principal.username if principal else None,
                "request_id": request_id,
            },
        )
        return response
