"""The staff's browser workspace: inbox, task form, case page with its diagram, health.

Pages read the same services as the JSON API; everything that changes something (claim,
hand over, complete, drafts, opening a case) is done by the page's script through /api/v1
with the session's CSRF token. The language switch and the vendor files are nested blueprints.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import wraps
from typing import Any
from urllib.parse import quote

from flask import Blueprint
from flask import current_app
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from ...domain.iso8601 import parse_moment
from ...errors import AppError
from ...services import health
from ...services.cases import attachments
from ...services.cases import opening as cases
from ...services.cases import papers
from ...services.customers import staff as customer_links
from ...services.people import notifications
from ...services.tasks import work as tasks
from ...services.tasks import workspace
from .. import i18n
from .. import vendor
from ..common import send_diagram_xml
from ..common import services

bp = Blueprint("web", __name__)
bp.register_blueprint(i18n.bp)
bp.register_blueprint(vendor.bp)
bp.record_once(lambda state: i18n.init_app(state.app))


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("principal") is None:
            return redirect(url_for("auth.login_form"))
        return view(*args, **kwargs)

    return wrapper


@bp.app_template_filter("tojson_ordered")
def _tojson_ordered(value: Any) -> Markup:
    """JSON for a <script> block that keeps the key order (a form's fields are shown in it)."""
    return htmlsafe_json_dumps(value, dumps=json.dumps, ensure_ascii=False)


_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


@bp.app_template_test("local_moment")
def _is_moment(value: Any) -> bool:
    """A time with its offset as the case data keeps it ("2026-03-02T06:00:00.123456+00:00")."""
    return isinstance(value, str) and _MOMENT.fullmatch(value) is not None


@bp.app_template_filter("local_moment")
def _local_moment(value: str) -> str:
    """That time as people read it: in the service's time zone, to the minute."""
    try:
        return i18n.local_datetime(parse_moment(value))
    except ValueError:
        return value


@bp.app_template_filter("map_url")
def _map_url(address: str) -> str:
    """Where the map of ``address`` is (MAP_URL with the address filled in)."""
    return current_app.config["MAP_URL"].replace("{address}", quote(address, safe=""))


@bp.app_template_filter("row_columns")
def _row_columns(rows: list[dict[str, Any]]) -> list[str]:
    """The fields of a list of records, in the order they first appear (a table's columns)."""
    return list(dict.fromkeys(k for row in rows for k in row))


@bp.errorhandler(AppError)
def _page_error(exc: AppError):
    return render_template("error.html", error=exc), exc.http_status


@bp.get("/healthz")
def healthz():
    ctx = services()
    health.database_answers(ctx)
    return {
        "status": "ok",
        "now": ctx.clock.now().isoformat(),
        "clock": "simulated" if ctx.clock.simulated else "system",
    }


@bp.get("/readyz")
def readyz():
    """503 until the schema is current and a process is deployed; the timer backlog for operators."""
    ready, details = health.readiness(services())
    return details, 200 if ready else 503


@bp.get("/")
def home():
    return redirect(url_for("web.inbox") if g.get("principal") else url_for("auth.login_form"))


def _inbox_filter() -> workspace.InboxFilter:
    args = request.args
    try:
        due_by = date.fromisoformat(args["due_by"]) if args.get("due_by") else None
    except ValueError:
        due_by = None
    sort = args.get("sort", "due")
    return workspace.InboxFilter(
        tab=args.get("tab", ""),
        process_key=args.get("process", ""),
        customer=args.get("customer", "").strip(),
        due_by=due_by,
        overdue=args.get("overdue") == "1",
        sort=sort if sort in workspace.SORT_KEYS else "due",
        descending=args.get("dir") == "desc",
    )


def _inbox_url(**changes: str) -> str:
    """The inbox with the current filters, some of them changed."""
    args = {**request.args.to_dict(), **changes}
    return url_for("web.inbox", **{k: v for k, v in args.items() if v})


@bp.get("/inbox")
@login_required
def inbox():
    query = _inbox_filter()
    ctx = services()
    return render_template(
        "inbox.html",
        inbox=workspace.inbox(ctx, g.principal, query),
        query=query,
        startable=workspace.startable_processes(ctx, g.principal),
        inbox_url=_inbox_url,
    )


@bp.get("/tasks/<task_id>")
@login_required
def task_page(task_id: str):
    """A task page; a task replaced when its case moved to another version leads to its successor."""
    moved_to = tasks.moved_to(services(), task_id, g.principal)
    if moved_to is not None:
        return redirect(url_for("web.task_page", task_id=moved_to))
    return render_template("task.html", page=workspace.task_page(services(), task_id, g.principal))


@bp.get("/cases/<int:instance_id>")
@login_required
def case_page(instance_id: int):
    page = workspace.case_page(services(), instance_id, g.principal)
    files = attachments.case_attachments(services(), instance_id, g.principal)
    issued = papers.case_papers(services(), instance_id, g.principal)
    links = cases.case_links(services(), instance_id, g.principal)
    customer = customer_links.case_links(services(), instance_id, g.principal)
    return render_template(
        "case.html", page=page, attachments=files, papers=issued, links=links, customer_links=customer
    )


@bp.get("/cases/<int:instance_id>/next")
@login_required
def next_task(instance_id: int):
    """Open the case's next task for this user, or the case page if there is none."""
    task_id = workspace.next_task_for(services(), instance_id, g.principal)
    if task_id is None:
        return redirect(url_for("web.case_page", instance_id=instance_id))
    return redirect(url_for("web.task_page", task_id=task_id))


@bp.get("/workspace/cases/<int:instance_id>/diagram.xml")
@login_required
def case_diagram(instance_id: int):
    """The BPMN XML of the case's process version, for the diagram viewer (read-only)."""
    return send_diagram_xml(workspace.case_diagram(services(), instance_id, g.principal))


def form_render_strings() -> dict[str, Any]:
    """The labels static/js/form-render.js shows in a task form (the task page and the workbench's preview)."""
    return {
        "clear": gettext("Clear signature"),
        "upload": gettext("Or upload a scanned signature"),
        "signHere": gettext("Sign in the box with the mouse, a pen or a finger."),
        "addRow": gettext("Add"),
        "deleteRow": gettext("Delete"),
        "choose": gettext("Please choose"),
        "required": gettext("required"),
        "photo": gettext("take a photo or choose a file"),
        "offline": gettext("No connection: the draft is kept on this device and sent when the connection is back."),
        "resent": gettext("Connection back: the draft kept on this device was sent."),
        "restored": gettext("Draft kept on this device restored"),
        "errorSummary": gettext("Please correct these fields:"),
        "lookups": {
            "customer": gettext("Type to look up a customer"),
            "unit": gettext("Type to look up a unit by serial number"),
            "technician": gettext("Type to look up a technician"),
        },
    }


@bp.app_context_processor
def _form_render_strings():
    return {"form_render_strings": form_render_strings}


@bp.app_context_processor
def _unread_notifications():
    """The count shown next to the notifications link on every page."""
    user = g.get("principal")
    return {"unread_notifications": notifications.unread_count(services(), user) if user else 0}


@bp.get("/notifications")
@login_required
def notifications_page():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = notifications.my_notifications(services(), g.principal, page=page)
    total = notifications.notification_count(services(), g.principal)
    pages = max((total + notifications.PAGE_SIZE - 1) // notifications.PAGE_SIZE, 1)
    return render_template("notifications.html", notifications=rows, page=page, pages=pages, total=total)


@bp.post("/notifications/read-all")
@login_required
def read_all_notifications():
    notifications.mark_all_read(services(), g.principal)
    return redirect(url_for("web.notifications_page"))


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int):
    """Mark it read and go to the task (or the case) it is about."""
    row = notifications.mark_read(services(), notification_id, g.principal)
    if row.task_id:
        target = url_for("web.task_page", task_id=row.task_id)
    elif row.instance_id is not None:
        target = url_for("web.case_page", instance_id=row.instance_id)
    else:  # about no case (a technician's certificate): read where it was shown
        target = url_for("web.notifications_page")
    return redirect(target)
