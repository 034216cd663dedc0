"""The customers' pages under /c/<token>, without a log-in (services/customers/portal.py), and the
case page's management of the links by staff.

A refused link (forged, of another purpose, expired, revoked, spent, closed) gets a page in the visitor's
language that says so and nothing of any case (403 or 410). Every /c/ request counts against a
limit per client address (Flask-Limiter's storage, as the log-in throttle's).
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from limits import parse

from ...domain.customer_links import LinkRefusal
from ...domain.customer_links import Stage
from ...errors import AppError
from ...errors import InvalidInput
from ...services.customers import portal
from ...services.customers import staff as link_admin
from ...services.customers.links import LinkRefused
from .. import login_throttle
from ..common import INERT
from ..common import services
from ..i18n import SESSION_KEY
from ..i18n import utc_offset
from .workspace import login_required

bp = Blueprint("customer", __name__, url_prefix="/c")
staff_bp = Blueprint("customer_links", __name__)

REFUSAL_TEXTS = {
    LinkRefusal.FORGED: _l("This link is not valid. Please use the link in the message you received."),
    LinkRefusal.WRONG_PURPOSE: _l("This link cannot be used for this page."),
    LinkRefusal.EXPIRED: _l("This link has expired. Please contact our service hotline for a new one."),
    LinkRefusal.REVOKED: _l("This link has been withdrawn. Please contact our service hotline for a new one."),
    LinkRefusal.USED: _l("This step is already done. Thank you!"),
    LinkRefusal.CLOSED: _l("This step is closed: the time to answer it has passed. Thank you all the same!"),
}
STAGE_LABELS = {
    Stage.REGISTERED: _l("Registered"),
    Stage.ENGINEER_ASSIGNED: _l("Engineer assigned"),
    Stage.APPOINTMENT: _l("Appointment agreed"),
    Stage.ON_THE_WAY: _l("Engineer on the way"),
    Stage.DONE: _l("Done"),
    Stage.RECEIVED: _l("Complaint received"),
    Stage.INVESTIGATING: _l("Investigating"),
    Stage.FEEDBACK_GIVEN: _l("Feedback given"),
    Stage.CLOSED: _l("Closed"),
    Stage.IN_PROGRESS: _l("In progress"),
}


def _address() -> str:
    return request.remote_addr or "unknown"


@bp.before_request
def _throttle():
    throttle: login_throttle.LoginThrottle = current_app.extensions[login_throttle.EXTENSION]
    limit = parse(current_app.config["CUSTOMER_LINK_REQUESTS_PER_ADDRESS"])
    wait = throttle.take(limit, "aftersales-customer-link", _address())
    if wait:
        body = render_template("customer/refused.html", message=_l("Too many requests. Please wait a minute."))
        return body, 429, {"Retry-After": str(wait)}
    return None


def _refused(exc: LinkRefused):
    return render_template("customer/refused.html", message=REFUSAL_TEXTS[exc.reason]), exc.http_status


@bp.get("/<token>")
def page(token: str):
    try:
        view = portal.open_page(services(), token, _address())
    except LinkRefused as exc:
        return _refused(exc)
    except AppError as exc:  # e.g. a concurrent change: a page that says so, never a problem document
        message = _l("This page cannot be shown now. Please try again later.")
        return render_template("customer/refused.html", message=message), exc.http_status
    if SESSION_KEY not in session:  # the customer's own language (their message's) until they pick another
        session[SESSION_KEY] = view.language
        refresh()
    return render_template(
        "customer/case.html",
        view=view,
        token=token,
        stage_labels=STAGE_LABELS,
        asked=request.args.get("asked", ""),
    )


@bp.post("/<token>/complete")
def complete(token: str):
    """The customer's step sent by customer-task.js (JSON); 422 with field errors as the staff page's.
    No CSRF token: the link's token is the only credential (no cookie gives another site's page any
    authority here), and a write from another site's page is refused anyway (auth.py)."""
    try:
        portal.complete_step(services(), token, request.get_json(silent=True), _address())
    except LinkRefused as exc:
        return jsonify({"status": exc.http_status, "message": str(REFUSAL_TEXTS[exc.reason])}), exc.http_status
    return jsonify({"ok": True, "next": url_for("customer.done")})


@bp.get("/done")
def done():
    return render_template("customer/done.html")


@bp.post("/<token>/reschedule")
def reschedule(token: str):
    wished = (request.form.get("wished_at") or "").strip()
    if wished and len(wished) == 16:  # a datetime-local input: the service's time zone
        wished = f"{wished}:00{utc_offset()}"
    try:
        portal.request_reschedule(services(), token, wished, request.form.get("note", ""), _address())
    except LinkRefused as exc:
        return _refused(exc)
    except InvalidInput:
        return redirect(url_for("customer.page", token=token, asked="invalid") + "#reschedule")
    return redirect(url_for("customer.page", token=token, asked="sent") + "#reschedule")


@bp.get("/<token>/papers/<kind>.pdf")
def paper(token: str, kind: str):
    try:
        file = portal.paper(services(), token, kind, _address())
    except LinkRefused as exc:
        return _refused(exc)
    except AppError as exc:
        return render_template("customer/refused.html", message=_l("This paper is not available.")), exc.http_status
    return Response(
        file.content,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"', **INERT},
    )


# ---- staff, on the case page ----


@staff_bp.post("/cases/<int:instance_id>/customer-links")
@login_required
def issue(instance_id: int):
    link_admin.issue_for_case(
        services(),
        instance_id,
        g.principal,
        request.form.get("purpose", ""),
        request.form.get("task_spec") or None,
        request.form.get("task_id") or None,
    )
    return redirect(url_for("web.case_page", instance_id=instance_id) + "#customer-links")


@staff_bp.post("/cases/<int:instance_id>/customer-links/<int:link_id>/revoke")
@login_required
def revoke(instance_id: int, link_id: int):
    link_admin.revoke_for_case(services(), instance_id, link_id, g.principal)
    return redirect(url_for("web.case_page", instance_id=instance_id) + "#customer-links")
