"""The QA page of the browser workspace (read-only, report roles): KPI trend and breaches-per-clause
charts, deadline outcomes by person and month, the diagram with a heatmap, and the exports.

The page renders the period, the selectors and the tables; its script (static/js/qa.js) draws the
charts and the diagram's overlays from /api/v1/reports/{kpi-trend,deadlines,heatmap} and loads the
conformance section (/qa/conformance, an HTML fragment: replaying the cases is the slow part).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask import g
from flask import render_template
from flask import request

from ...errors import AppError
from ...services.qa import overview as qa_overview
from ..common import send_diagram_xml
from ..common import services
from .workspace import login_required

bp = Blueprint("qa_page", __name__)


@bp.app_context_processor
def _qa_link():
    """Whether the header shows the link to the QA page."""
    return {"can_see_reports": qa_overview.may_see_reports(g.get("principal"))}


@bp.errorhandler(AppError)
def _page_error(exc: AppError):
    return render_template("error.html", error=exc), exc.http_status


def _date_arg(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args[name]) if request.args.get(name) else default
    except ValueError:
        return default


@bp.get("/qa")
@login_required
def qa():
    ctx = services()
    first, last = qa_overview.current_quarter(ctx)
    page = qa_overview.overview(
        ctx, request.args.get("process", "repair"), _date_arg("from", first), _date_arg("to", last), g.principal
    )
    return render_template("qa.html", page=page)


@bp.get("/qa/conformance")
@login_required
def qa_conformance():
    """The page's conformance section as an HTML fragment (qa.js puts it in the page once loaded)."""
    ctx = services()
    first, last = qa_overview.current_quarter(ctx)
    section = qa_overview.conformance_section(
        ctx, request.args.get("process", "repair"), _date_arg("from", first), _date_arg("to", last), g.principal
    )
    return render_template("_qa_conformance.html", c=section)


@bp.get("/qa/diagram/<process_key>.xml")
@login_required
def qa_diagram(process_key: str):
    """The BPMN XML of the version the heatmap is drawn on (the latest unless ``version`` is given)."""
    version = request.args.get("version", type=int)
    return send_diagram_xml(qa_overview.diagram_xml(services(), process_key, version, g.principal))
