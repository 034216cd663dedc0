"""The administrator's integrations page: a token made in the browser is shown once and works as
Bearer, a revoked one stops; a webhook added there gets its secret shown once; a dead delivery is
listed and replayed from the page."""

from __future__ import annotations

import re

from app.services.integration import webhooks
from tests.api.test_staff import logged_in as staff_browser
from tests.repair_driver import RepairCase


def logged_in(app, username: str):
    return staff_browser(app, username, username)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_a_token_made_on_the_page_is_shown_once_and_revoked_there(app):
    admin = logged_in(app, "admin")
    page = admin.get("/admin/integrations")
    assert page.status_code == 200
    made = admin.post(
        "/admin/integrations/tokens",
        data={"csrf_token": csrf(page.text), "name": "ERP", "username": "agent", "roles": ["cs_agent"]},
    )
    assert made.status_code == 201
    secret = re.search(r"<code>(ast_[^<]+)</code>", made.text).group(1)
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json["roles"] == ["cs_agent"]
    again = admin.get("/admin/integrations").text
    assert secret not in again and secret[:8] in again  # the list shows the prefix only
    token_id = re.search(r"/admin/integrations/tokens/(\d+)/revoke", again).group(1)
    admin.post(f"/admin/integrations/tokens/{token_id}/revoke", data={"csrf_token": csrf(again)})
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_a_refused_form_says_why_and_keeps_what_was_typed(app):
    admin = logged_in(app, "admin")
    token = csrf(admin.get("/admin/integrations").text)
    refused = admin.post("/admin/integrations/webhooks", data={"csrf_token": token, "name": "CRM", "url": "ftp://crm"})
    assert refused.status_code == 422 and "http://" in refused.text and 'value="CRM"' in refused.text


def test_a_dead_delivery_is_listed_and_replayed_from_the_page(app, as_user, ctx, clock):
    admin = logged_in(app, "admin")
    token = csrf(admin.get("/admin/integrations").text)
    made = admin.post(
        "/admin/integrations/webhooks",
        data={
            "csrf_token": token,
            "name": "CRM",
            "url": "http://127.0.0.1:9/hooks",
            "event_types": ["instance_started"],
        },
    )
    assert made.status_code == 201 and "whsec_" in made.text
    RepairCase(as_user)
    with ctx.uow() as uow:
        webhooks.queue_new_events(ctx)
        [delivery] = uow.webhooks.deliveries(state=None, subscription_id=None, limit=5)
    with ctx.uow() as uow:
        row = uow.webhooks.delivery(delivery.id)
        row.state, row.attempts, row.last_error = "dead", 7, "ConnectError: refused"
        uow.commit()
    page = admin.get("/admin/integrations").text
    assert "ConnectError: refused" in page
    admin.post(f"/admin/integrations/deliveries/{delivery.id}/replay", data={"csrf_token": csrf(page)})
    with ctx.uow() as uow:
        assert uow.webhooks.delivery(delivery.id).state == "pending"
    assert (
        "No failed deliveries" in admin.get("/admin/integrations").text
        or "没有" in admin.get("/admin/integrations").text
    )
