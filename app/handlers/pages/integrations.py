"""The administrator's integration page, /admin/integrations: service accounts' API tokens and webhook
subscriptions (made, listed, revoked), and the webhook deliveries that failed for good (replayed).

Plain HTML forms with the session's CSRF token, as the staff pages. A new token's or subscription's
secret is shown on the answer to its POST only, never put in the session or a redirect.
"""

from __future__ import annotations

from flask import Blueprint
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from ...domain.events import EventType
from ...domain.roles import Role
from ...domain.webhooks import DeliveryState
from ...errors import AppError
from ...errors import InvalidInput
from ...services.integration import webhooks
from ...services.people import api_tokens
from ...services.people import staff
from ..common import services
from .workspace import login_required

bp = Blueprint("integrations_page", __name__, url_prefix="/admin/integrations")


@bp.errorhandler(AppError)
def _page_error(exc: AppError):
    return render_template("error.html", error=exc), exc.http_status


def _page(
    *, issued_token=None, issued_hook=None, errors: dict | None = None, token_form=None, hook_form=None, status=200
):
    ctx, actor = services(), g.principal
    staff.require_admin(actor)
    page = render_template(
        "integrations.html",
        tokens=api_tokens.list_tokens(ctx, actor),
        users=staff.list_staff(ctx, actor, search="", role=None, active=True),
        subscriptions=webhooks.subscriptions(ctx, actor),
        dead=webhooks.deliveries(ctx, actor, state=DeliveryState.DEAD),
        roles=list(Role),
        event_types=list(EventType),
        issued_token=issued_token,
        issued_hook=issued_hook,
        errors=errors or {},
        token_form=token_form or {},
        hook_form=hook_form or {},
    )
    return page, status


@bp.get("")
@login_required
def index():
    return _page()


@bp.post("/tokens")
@login_required
def create_token():
    form = request.form
    try:
        issued = api_tokens.create_token(
            services(), g.principal, form.get("username", ""), form.get("name", ""), form.getlist("roles") or None
        )
    except InvalidInput as exc:
        return _page(errors={f"token_{k}": v for k, v in (exc.errors or {}).items()}, token_form=form, status=422)
    return _page(issued_token=issued, status=201)  # the only answer that shows the secret


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    api_tokens.revoke_token(services(), g.principal, token_id)
    return redirect(url_for("integrations_page.index"), 303)


@bp.post("/webhooks")
@login_required
def create_subscription():
    form = request.form
    try:
        made = webhooks.subscribe(
            services(),
            g.principal,
            form.get("name", ""),
            form.get("url", "").strip(),
            form.getlist("event_types"),
            [key.strip() for key in form.get("process_keys", "").split(",") if key.strip()],
        )
    except InvalidInput as exc:
        return _page(errors={f"hook_{k}": v for k, v in (exc.errors or {}).items()}, hook_form=form, status=422)
    return _page(issued_hook=made, status=201)


@bp.post("/webhooks/<int:subscription_id>/revoke")
@login_required
def revoke_subscription(subscription_id: int):
    webhooks.revoke(services(), g.principal, subscription_id)
    return redirect(url_for("integrations_page.index"), 303)


@bp.post("/deliveries/<int:delivery_id>/replay")
@login_required
def replay_delivery(delivery_id: int):
    webhooks.replay(services(), g.principal, delivery_id)
    return redirect(url_for("integrations_page.index"), 303)
