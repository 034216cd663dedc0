"""Plain HTML pages: health, a home redirect, the inbox and a case page (the browser
workspace with rendered forms is issue #5; these pages read the same services)."""

from __future__ import annotations

from flask import Blueprint
from flask import g
from flask import redirect
from flask import render_template
from flask import url_for

from ..services import cases
from ..services import tasks
from .common import services

bp = Blueprint("web", __name__)


@bp.get("/healthz")
def healthz():
    ctx = services()
    with ctx.uow() as uow:
        uow.settings.get("health")  # proves the database answers
    return {
        "status": "ok",
        "now": ctx.clock.now().isoformat(),
        "clock": "simulated" if ctx.clock.simulated else "system",
    }


@bp.get("/")
def home():
    return redirect(url_for("web.inbox") if g.get("principal") else url_for("auth.login_form"))


@bp.get("/inbox")
def inbox():
    if g.get("principal") is None:
        return redirect(url_for("auth.login_form"))
    rows = tasks.list_tasks(services(), g.principal)
    return render_template("inbox.html", tasks=[t for t, _ in rows], now=services().clock.now())


@bp.get("/cases/<int:instance_id>")
def case_page(instance_id: int):
    if g.get("principal") is None:
        return redirect(url_for("auth.login_form"))
    ctx = services()
    instance = cases.get_case(ctx, instance_id, g.principal)
    return render_template(
        "case.html",
        case=instance,
        events=cases.case_events(ctx, instance_id, g.principal),
        timers=cases.case_timers(ctx, instance_id, g.principal),
        open_tasks=tasks.list_tasks(ctx, g.principal, instance_id=instance_id),
    )
