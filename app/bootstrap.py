"""Wiring the service context from a configuration, without Flask.

``create_app`` (app/__init__.py) serves it over HTTP; the service-level tests (tests/services/)
and scripts drive the use cases with it directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from .clock import SimulatedClock
from .clock import SystemClock
from .domain.customer_links import Channel
from .domain.customer_links import Lifetimes
from .domain.scripting_helpers import make_helpers
from .domain.visibility import CaseVisibility
from .engine import WorkflowEngine
from .integrations.customer_senders import make_sender
from .integrations.smtp import MailSettings
from .persistence.db import Engine
from .persistence.db import make_engine
from .persistence.db import make_session_factory
from .persistence.schema import is_current
from .persistence.unit_of_work import UnitOfWork
from .services.cases import papers
from .services.context import ServiceContext
from .services.customers.settings import CustomerSettings
from .services.timing.work_calendar import CalendarCache


def build_context(config: Mapping[str, Any]) -> tuple[ServiceContext, Engine]:
    """The service context for ``config`` (a loaded configuration, see config.load_config) and the
    database engine under it (the caller disposes of it)."""
    clock = config.get("CLOCK_OBJECT") or (SimulatedClock() if config["CLOCK"] == "simulated" else SystemClock())
    db_engine = make_engine(config["DATABASE_URL"])
    session_factory = make_session_factory(db_engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(session_factory)

    calendar = CalendarCache(uow, config["TIMEZONE"], config["WORK_DAY_START"], config["WORK_DAY_END"])
    helpers = make_helpers(clock.now, calendar.current, calendar.tz)
    ctx = ServiceContext(
        uow=uow,
        engine=WorkflowEngine(clock, helpers, live_workflows=config["LIVE_WORKFLOWS"]),
        calendar=calendar,
        clock=clock,
        processes_dir=config["PROCESSES_DIR"],
        password_method=config["PASSWORD_HASH_METHOD"],
        mail=MailSettings(config["SMTP_HOST"], int(config["SMTP_PORT"]), config["MAIL_FROM"]),
        schema_current=lambda: is_current(db_engine),
        case_visibility=CaseVisibility.parse(config["CASE_VISIBILITY"]),
        company=config["COMPANY_NAME"],
    )
    ctx.customers = _customer_settings(config, ctx.mail)
    if config["PAPERS_RENDER_AT_COMMIT"]:
        papers.listen(ctx)
    return ctx, db_engine


def _customer_settings(config: Mapping[str, Any], mail: MailSettings) -> CustomerSettings:
    """Links signed with the session key; the senders of each channel as configured."""
    return CustomerSettings(
        secret=str(config.get("SECRET_KEY") or "not-configured"),
        public_base_url=str(config["PUBLIC_BASE_URL"]).rstrip("/"),
        lifetimes=Lifetimes(
            follow=timedelta(days=int(config["CUSTOMER_LINK_FOLLOW_DAYS"])),
            task=timedelta(days=int(config["CUSTOMER_LINK_TASK_DAYS"])),
        ),
        senders={
            Channel.EMAIL.value: make_sender("email", config["CUSTOMER_EMAIL_SENDER"], mail),
            Channel.SMS.value: make_sender("sms", config["SMS_SENDER"], mail),
            Channel.WECHAT.value: make_sender("wechat", config["WECHAT_SENDER"], mail),
        },
    )
