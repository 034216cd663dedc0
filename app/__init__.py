"""The after-sales service engine: ``create_app`` is the composition root.

It builds the clock, the database, the SpiffWorkflow engine with its sandboxed helpers, the
service context, the HTTP handlers, the CLI and (when enabled) the timer alarm clock.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .clock import SimulatedClock
from .clock import SystemClock
from .config import load_config
from .domain.scripting_helpers import make_helpers
from .domain.visibility import CaseVisibility
from .engine import WorkflowEngine
from .integrations.smtp import MailSettings
from .persistence.db import make_engine
from .persistence.db import make_session_factory
from .persistence.schema import is_current
from .persistence.unit_of_work import UnitOfWork
from .services.context import ServiceContext
from .services.timing.work_calendar import CalendarCache


def create_app(overrides: dict[str, Any] | None = None, *, serves_http: bool = True) -> Flask:
    """The application. It refuses to be built on a public or short session key (``InsecureConfiguration``)
    unless ``TESTING``; the maintenance commands, which sign no cookie, pass ``serves_http=False``."""
    app = Flask(__name__, instance_path=os.path.join(os.path.dirname(os.path.dirname(__file__)), "instance"))
    app.config.update(load_config(overrides, serves_http=serves_http))
    app.json.sort_keys = False  # forms keep the field order their authors chose
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    clock = app.config.get("CLOCK_OBJECT") or (
        SimulatedClock() if app.config["CLOCK"] == "simulated" else SystemClock()
    )
    db_engine = make_engine(app.config["DATABASE_URL"])
    session_factory = make_session_factory(db_engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(session_factory)

    calendar = CalendarCache(uow, app.config["TIMEZONE"], app.config["WORK_DAY_START"], app.config["WORK_DAY_END"])
    helpers = make_helpers(clock.now, calendar.current, calendar.tz)
    ctx = ServiceContext(
        uow=uow,
        engine=WorkflowEngine(clock, helpers, live_workflows=app.config["LIVE_WORKFLOWS"]),
        calendar=calendar,
        clock=clock,
        processes_dir=app.config["PROCESSES_DIR"],
        password_method=app.config["PASSWORD_HASH_METHOD"],
        mail=MailSettings(app.config["SMTP_HOST"], int(app.config["SMTP_PORT"]), app.config["MAIL_FROM"]),
        schema_current=lambda: is_current(db_engine),
        case_visibility=CaseVisibility.parse(app.config["CASE_VISIBILITY"]),
    )
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
