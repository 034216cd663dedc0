"""The interface's languages (Simplified Chinese by default, English) with Flask-Babel: the
per-user choice kept in the session, dates in the service's time zone, and template filters
that show the user's half of the diagrams' bilingual "中文 / English" names."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import unquote
from urllib.parse import urlsplit

from flask import Blueprint
from flask import Flask
from flask import current_app
from flask import redirect
from flask import request
from flask import session
from flask_babel import Babel
from flask_babel import format_datetime
from flask_babel import format_timedelta
from flask_babel import get_locale
from flask_babel import get_timezone
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from ..domain.cases import CaseStatus
from ..domain.cases import TaskState
from ..domain.cases import TimerState
from ..domain.cases import overdue_by
from ..domain.diagram_problems import localised
from ..domain.events import EventType
from ..errors import Problem

LANGUAGES = {"zh_Hans": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_Hans"
SESSION_KEY = "lang"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# A path on this site: a slash, then printable characters without a backslash (no control characters).
_LOCAL_PATH = re.compile(r"/[^\\\x00-\x20\x7f-\x9f]*")

bp = Blueprint("i18n", __name__)

EVENT_LABELS = {
    EventType.INSTANCE_STARTED: _l("Case opened"),
    EventType.INSTANCE_COMPLETED: _l("Case closed"),
    EventType.INSTANCE_CANCELLED: _l("Case cancelled"),
    EventType.INSTANCE_SUSPENDED: _l("Case suspended"),
    EventType.INSTANCE_RESUMED: _l("Case resumed"),
    EventType.INSTANCE_RETRIED: _l("Failed step retried"),
    EventType.INSTANCE_MIGRATED: _l("Case moved to another version"),
    EventType.TASK_READY: _l("Task ready"),
    EventType.TASK_CLAIMED: _l("Task claimed"),
    EventType.TASK_UNCLAIMED: _l("Task released"),
    EventType.TASK_DELEGATED: _l("Task handed over"),
    EventType.TASK_COMPLETED: _l("Task completed"),
    EventType.CUSTOMER_STEP_ON_BEHALF: _l("Done by staff on the customer's behalf"),
    EventType.TASK_CANCELLED: _l("Task cancelled"),
    EventType.TASK_SKIPPED: _l("Task skipped"),
    EventType.STEP_REPEATED: _l("Step repeated"),
    EventType.ELEMENT_COMPLETED: _l("Step passed"),
    EventType.TIMER_SCHEDULED: _l("Timer set"),
    EventType.TIMER_FIRED: _l("Timer fired"),
    EventType.TIMER_CANCELLED: _l("Timer cancelled"),
    EventType.DEADLINE_CHANGED: _l("Deadline changed"),
    EventType.DEADLINE_MET: _l("Deadline met: the work started"),
    EventType.ESCALATION: _l("Escalation"),
    EventType.REMINDER: _l("Reminder"),
    EventType.MESSAGE_SENT: _l("Message sent"),
    EventType.MESSAGE_UNDELIVERED: _l("Message undelivered"),
    EventType.MESSAGE_RECEIVED: _l("Message received"),
    EventType.CASES_PLANNED: _l("Cases planned"),
    EventType.SCHEDULED_CASE_OPENED: _l("Planned case opened"),
    EventType.SCHEDULED_CASE_REFUSED: _l("Planned case refused"),
    EventType.ERROR: _l("Error"),
    EventType.EXTERNAL_TASK_FAILED: _l("External task failed"),
    EventType.BPMN_ERROR: _l("Business error reported"),
    EventType.INCIDENT_OPENED: _l("Incident opened"),
    EventType.INCIDENT_RESOLVED: _l("Incident resolved"),
    EventType.CUSTOMER_LINK_ISSUED: _l("Customer link issued"),
    EventType.CUSTOMER_LINK_REVOKED: _l("Customer link revoked"),
    EventType.CUSTOMER_LINK_OPENED: _l("Customer opened a link"),
    EventType.CUSTOMER_LINK_REFUSED: _l("Customer link refused"),
    EventType.CUSTOMER_TASK_DONE: _l("Customer did their step"),
    EventType.RESCHEDULE_REQUESTED: _l("Customer asked to reschedule"),
    EventType.CUSTOMER_MESSAGE_SENT: _l("Message to the customer sent"),
    EventType.CUSTOMER_MESSAGE_FAILED: _l("Message to the customer failed"),
    EventType.PUBLIC_REQUEST_RECEIVED: _l("Request received from the public form"),
    EventType.PAPER_STORED: _l("Paper stored"),
    EventType.PAPER_DOWNLOADED: _l("Paper downloaded"),
}
CASE_STATUS_LABELS = {
    CaseStatus.RUNNING: _l("running"),
    CaseStatus.SUSPENDED: _l("suspended"),
    CaseStatus.COMPLETED: _l("completed"),
    CaseStatus.CANCELLED: _l("cancelled"),
    CaseStatus.ERROR: _l("error"),
}
TASK_STATE_LABELS = {
    TaskState.READY: _l("ready"),
    TaskState.COMPLETED: _l("completed"),
    TaskState.CANCELLED: _l("cancelled"),
}
TIMER_STATE_LABELS = {
    TimerState.WAITING: _l("waiting"),
    TimerState.FIRED: _l("fired"),
    TimerState.CANCELLED: _l("cancelled"),
}
# One filter shows any of the three (the same word is the same label in each table).
STATUS_LABELS = {**TIMER_STATE_LABELS, **TASK_STATE_LABELS, **CASE_STATUS_LABELS}
# Case data the engine itself writes (the forms' fields carry their own titles).
FIELD_LABELS = {
    "case_no": _l("Case no."),
    "answered_online": _l("Answered online"),  # the survey's questionnaires the customers sent by their links
    "received_at": _l("Received at"),
    "started_by": _l("Opened by"),
    "fee_type": _l("Fee type"),
    "linked_case_no": _l("Linked case"),
    "photos": _l("Customer's photos"),  # sent with the public request form (services/cases/public_request.py)
    "engineer_contact": _l("Engineer to announce (name, phone)"),  # services/tasks/workspace.ENGINEER_CONTACT
}
TIMER_KIND_LABELS = {"reminder": _l("reminder"), "escalation": _l("escalation"), "deadline": _l("deadline")}
ROLE_LABELS = {
    "cs_agent": _l("Customer-service agent"),
    "dispatcher": _l("Dispatcher"),
    "supervisor": _l("Service supervisor"),
    "technician": _l("Service engineer"),
    "qa": _l("Quality assurance"),
    "finance": _l("Finance"),
    "mis": _l("Management information"),
    "service_manager": _l("After-sales service manager"),
    "responsible_dept": _l("Responsible department"),
    "dept_head": _l("Department head"),
    "executive": _l("Executive"),
    "sales": _l("Sales"),
    "production": _l("Production"),
    "administration": _l("Administration (staff training)"),
    "customer": _l("Customer"),
    "admin": _l("Administrator"),
    "process_owner": _l("Process owner"),
    "auditor": _l("Auditor (read-only)"),
}


def current_language() -> str:
    """The session's language, or the default (also the Babel locale selector)."""
    chosen = session.get(SESSION_KEY)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def pick_language(text: Any, language: str | None = None) -> Any:
    """The user's half of ``"中文 / English"`` (either order); other text is returned as it is."""
    if not isinstance(text, str):
        return text
    parts = text.split(" / ")
    if len(parts) != 2:
        return text
    chinese, english = parts
    if not _CJK.search(chinese) and _CJK.search(english):
        chinese, english = english, chinese
    return chinese if (language or current_language()).startswith("zh") else english


def local_datetime(value: datetime | None, pattern: str = "yyyy-MM-dd HH:mm") -> str:
    """A stored (UTC) time shown in the service's time zone."""
    return format_datetime(value, pattern) if value is not None else "—"


def utc_offset() -> str:
    """The service time zone's current offset, e.g. ``+08:00``, for times entered without one."""
    offset = datetime.now(get_timezone()).strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"


def late_by(due: datetime | None) -> str:
    """How long ago ``due`` passed on the application's clock, in the user's language ("" when not yet)."""
    late = overdue_by(due, current_app.extensions["aftersales"].clock.now())
    return format_timedelta(late, threshold=1.0, granularity="minute") if late is not None else ""


def _label(table: dict[str, Any]):
    return lambda code: table.get(code, code) if code else ""


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config.get("TIMEZONE", "Asia/Shanghai"))
    Babel(app, locale_selector=current_language)
    app.jinja_env.filters.update(
        bilingual=pick_language,
        local_dt=local_datetime,
        late_by=late_by,
        event_label=_label(EVENT_LABELS),
        status_label=_label(STATUS_LABELS),
        timer_kind_label=_label(TIMER_KIND_LABELS),
        role_label=_label(ROLE_LABELS),
        field_label=_label(FIELD_LABELS),
    )
    app.jinja_env.globals.update(
        languages=LANGUAGES, current_language=current_language, html_lang=_html_lang, utc_offset=utc_offset
    )


def _html_lang() -> str:
    return "zh-Hans" if str(get_locale() or DEFAULT_LANGUAGE).startswith("zh") else "en"


def _safe_next(target: str | None) -> str:
    r"""``target`` if it is a path of this site, else ``/``. Browsers drop tabs and line breaks from a
    ``Location`` and read a backslash as a slash, so ``/<tab>/evil.example`` and ``/\evil.example`` lead
    to another host: only a plain ``/path?query`` of printable characters is kept, also once decoded."""
    if not target:
        return "/"
    for form in (target, unquote(target)):
        if not _LOCAL_PATH.fullmatch(form) or form.startswith("//") or urlsplit(form).netloc:
            return "/"
    return target


@bp.post("/language")
def set_language():
    """Keep the chosen language in the session and go back to the page the user was on."""
    chosen = request.form.get("language", "")
    if chosen in LANGUAGES:
        session[SESSION_KEY] = chosen
    return redirect(_safe_next(request.form.get("next")))


def problem_entry(item: Problem) -> dict[str, Any]:
    """A diagram's problem as the API and the workbench show it: ``reason`` in English (stable, what
    clients of the first release read), ``message`` in the user's language, ``code`` and ``params``
    to render it otherwise."""
    return {**item.to_dict(), "message": localised(item, gettext)}
