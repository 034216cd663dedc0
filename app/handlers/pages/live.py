"""The live viewer of a deployed version (read-only): its diagram in bpmn-js' NavigatedViewer with a
badge per element where open cases wait (ready tasks, waiting timers), refreshed every 15 s by its
script (static/js/live.js) from /api/v1/processes/<key>/versions/<n>/live."""

from __future__ import annotations

from flask import Blueprint
from flask import g
from flask import render_template

from ...errors import AppError
from ...services.processes import live_counts
from ..common import send_diagram_xml
from ..common import services
from .workspace import login_required

bp = Blueprint("live_page", __name__)


@bp.app_context_processor
def _live_link():
    """Whether pages link a version to its live counts."""
    return {"can_see_live": live_counts.may_see_live(g.get("principal"))}


@bp.errorhandler(AppError)
def _page_error(exc: AppError):
    return render_template("error.html", error=exc), exc.http_status


@bp.get("/processes/<key>/versions/<int:version>/live")
@login_required
def live(key: str, version: int):
    name = live_counts.process_name(services(), key, version, g.principal)
    return render_template("live.html", key=key, version=version, name=name)


@bp.get("/processes/<key>/versions/<int:version>/live/diagram.xml")
@login_required
def diagram(key: str, version: int):
    return send_diagram_xml(live_counts.version_diagram(services(), key, version, g.principal))
