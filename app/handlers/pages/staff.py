"""The administrator's staff pages: /admin/users (search, role and state filters), /admin/users/new
and /admin/users/<username> (roles as checkboxes, display name and e-mail, disable or enable, a new
password, the change history).

Plain HTML forms posted with the session's CSRF token (no script, so nothing for the CSP to allow);
a refused form comes back with its values and each field's problem. A password set here is shown
on the answer to that one POST and nowhere else: it is never put in the session or a redirect.
"""

from __future__ import annotations

from flask import Blueprint
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from ...domain.roles import STAFF_ROLES
from ...domain.roles import Role
from ...domain.staff import MIN_PASSWORD_LENGTH
from ...domain.staff import StaffAction
from ...errors import AppError
from ...errors import InvalidInput
from ...services.people import staff
from ..common import services
from .workspace import login_required

bp = Blueprint("staff_page", __name__, url_prefix="/admin/users")

STATES = ("active", "disabled", "all")
STAFF_ROLE_LIST = [r for r in Role if r in STAFF_ROLES]
ACTION_LABELS = {
    StaffAction.CREATED: _l("Added"),
    StaffAction.UPDATED: _l("Changed"),
    StaffAction.DISABLED: _l("Disabled"),
    StaffAction.ENABLED: _l("Enabled"),
    StaffAction.PASSWORD_RESET: _l("New password set"),
}
FIELD_LABELS = {"roles": _l("Roles"), "display_name": _l("Display name"), "email": _l("E-mail"), "active": _l("Active")}


@bp.app_context_processor
def _staff_link():
    """Whether the header shows the link to the staff pages."""
    user = g.get("principal")
    return {"can_admin_staff": user is not None and user.is_admin}


@bp.errorhandler(AppError)
def _page_error(exc: AppError):
    return render_template("error.html", error=exc), exc.http_status


def _detail(
    username: str,
    *,
    errors: dict | None = None,
    issued: staff.IssuedPassword | None = None,
    status: int = 200,
):
    view = staff.get_staff(services(), g.principal, username)
    return (
        render_template(
            "staff_user.html",
            view=view,
            roles=STAFF_ROLE_LIST,
            errors=errors or {},
            issued=issued,
            min_password=MIN_PASSWORD_LENGTH,
            action_labels=ACTION_LABELS,
            staff_field_labels=FIELD_LABELS,
        ),
        status,
    )


@bp.get("")
@login_required
def index():
    args = request.args
    state = args.get("state", "active")
    state = state if state in STATES else "active"
    role = args.get("role", "")
    role = role if role in Role._value2member_map_ else ""
    found = staff.list_staff(
        services(),
        g.principal,
        search=args.get("q", ""),
        role=role or None,
        active=None if state == "all" else state == "active",
    )
    return render_template(
        "staff_list.html",
        users=found,
        roles=STAFF_ROLE_LIST,
        query=args.get("q", ""),
        role=role,
        state=state,
        states=STATES,
    )


@bp.get("/new")
@login_required
def new():
    staff.require_admin(g.principal)
    return render_template(
        "staff_new.html", roles=STAFF_ROLE_LIST, errors={}, form=MultiDict(), min_password=MIN_PASSWORD_LENGTH
    )


@bp.post("/new")
@login_required
def create():
    form = request.form
    try:
        issued = staff.add_staff(
            services(),
            g.principal,
            form.get("username", ""),
            form.getlist("roles"),
            display_name=form.get("display_name", ""),
            email=form.get("email", ""),
            password=form.get("password", "") or None,
        )
    except InvalidInput as exc:
        page = render_template(
            "staff_new.html",
            roles=STAFF_ROLE_LIST,
            errors=exc.errors or {},
            form=form,
            min_password=MIN_PASSWORD_LENGTH,
        )
        return page, 422
    return _detail(issued.user.username, issued=issued, status=201)


@bp.get("/<username>")
@login_required
def detail(username: str):
    return _detail(username)


@bp.post("/<username>")
@login_required
def update(username: str):
    form = request.form
    try:
        staff.update_staff(
            services(),
            g.principal,
            username,
            roles=form.getlist("roles"),
            display_name=form.get("display_name", ""),
            email=form.get("email", ""),
        )
    except InvalidInput as exc:
        return _detail(username, errors=exc.errors, status=422)
    return redirect(url_for("staff_page.detail", username=username), 303)


@bp.post("/<username>/active")
@login_required
def set_active(username: str):
    try:
        staff.set_active(services(), g.principal, username, request.form.get("active") == "1")
    except InvalidInput as exc:
        return _detail(username, errors=exc.errors, status=422)
    return redirect(url_for("staff_page.detail", username=username), 303)


@bp.post("/<username>/password")
@login_required
def reset_password(username: str):
    try:
        issued = staff.reset_password(services(), g.principal, username, request.form.get("password", "") or None)
    except InvalidInput as exc:
        return _detail(username, errors=exc.errors, status=422)
    # The answer to this POST is the only place the password is shown; no redirect carries it.
    return _detail(username, issued=issued)
