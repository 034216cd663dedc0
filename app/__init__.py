"""The after-sales service engine: ``create_app`` is the composition root.

It builds the service context (bootstrap.py: the clock, the database, the SpiffWorkflow engine with
its sandboxed helpers), the HTTP handlers, the CLI and (when enabled) the timer alarm clock.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .bootstrap import build_context
from .config import load_config


def create_app(overrides: dict[str, Any] | None = None, *, serves_http: bool = True) -> Flask:
    """The application. It refuses to be built on a public or short session key (``InsecureConfiguration``)
    unless ``TESTING``; the maintenance commands, which sign no cookie, pass ``serves_http=False``."""
    app = Flask(__name__, instance_path=os.path.join(os.path.dirname(os.path.dirname(__file__)), "instance"))
    app.config.update(load_config(overrides, serves_http=serves_http))
    app.json.sort_keys = False  # forms keep the field order their authors chose
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    ctx, db_engine = build_context(app.config)
    app.extensions["aftersales"] = ctx
    app.extensions["aftersales.db"] = db_engine

    from . import cli
    from . import handlers
    from .handlers import metrics
    from .handlers import request_log

    handlers.init_app(app)
    metrics.init_app(app, ctx)
    request_log.init_app(app)
    cli.init_app(app)
    if app.config["SCHEDULER_ENABLED"]:
        from . import scheduler

        scheduler.init_app(app)
    return app
