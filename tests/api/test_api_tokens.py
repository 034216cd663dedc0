"""Service accounts: an administrator makes an API token for a user, scoped to some of its roles; the
token is shown once, kept only as its SHA-256, works as ``Authorization: Bearer``, shows when it was
last used, and stops working when revoked. CORS: configured origins' preflights are answered before
authentication, other origins get no CORS header."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from app.persistence.orm import ApiToken
from app.services.people.users import create_user


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def erp(ctx):
    """A service account with two roles."""
    create_user(ctx, "svc.erp", "a-long-unused-password", ["cs_agent", "finance"])
    return "svc.erp"


def issue(as_user, username: str, **body):
    response = as_user("admin").post("/tokens", json={"username": username, "name": "ERP", **body})
    assert response.status_code == 201, response.json
    return response.json


def test_a_token_acts_as_its_account_with_only_its_roles(as_user, app, ctx, erp):
    issued = issue(as_user, erp, roles=["finance"])
    client = app.test_client()
    me = client.get("/api/v1/me", headers=bearer(issued["secret"]))
    assert me.status_code == 200 and me.json["username"] == erp and me.json["roles"] == ["finance"]
    # finance may not start a repair, although the account itself (cs_agent) could
    refused = client.post("/api/v1/processes/repair/instances", json={}, headers=bearer(issued["secret"]))
    assert refused.status_code == 403
    with ctx.uow() as uow:
        [row] = [t for t in uow.tokens.list() if t.name == "ERP"]
        assert row.token_hash == hashlib.sha256(issued["secret"].encode()).hexdigest()
        assert issued["secret"] not in repr(vars(row))  # only the hash is kept


def test_the_secret_is_shown_once_and_the_list_shows_the_last_use(as_user, app, ctx, clock, erp):
    issued = issue(as_user, erp)
    listed = as_user("admin").get("/tokens").json
    assert "secret" not in listed[0] and listed[0]["last_used_at"] is None
    assert listed[0]["prefix"] == issued["secret"][:8] and listed[0]["roles"] == ["cs_agent", "finance"]
    app.test_client().get("/api/v1/me", headers=bearer(issued["secret"]))
    [row] = as_user("admin").get("/tokens").json
    assert row["last_used_at"] is not None


def test_a_revoked_token_or_a_disabled_account_authenticates_nobody(as_user, app, erp):
    issued = issue(as_user, erp)
    client = app.test_client()
    assert client.get("/api/v1/me", headers=bearer(issued["secret"])).status_code == 200
    revoked = as_user("admin").post(f"/tokens/{issued['token']['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json["revoked_at"] is not None
    answer = client.get("/api/v1/me", headers=bearer(issued["secret"]))
    assert answer.status_code == 401 and "token" in answer.json["detail"]
    assert as_user("admin").post(f"/tokens/{issued['token']['id']}/revoke").status_code == 409
    other = issue(as_user, erp)
    assert as_user("admin").post(f"/users/{erp}/disable").status_code == 200
    assert client.get("/api/v1/me", headers=bearer(other["secret"])).status_code == 401
    assert client.get("/api/v1/me", headers=bearer("ast_guessed")).status_code == 401


def test_only_an_administrator_makes_tokens_and_only_with_the_accounts_roles(as_user, erp):
    assert as_user("agent").post("/tokens", json={"username": "agent", "name": "mine"}).status_code == 403
    wrong = as_user("admin").post("/tokens", json={"username": erp, "name": "x", "roles": ["admin"]})
    assert wrong.status_code == 422 and [e["field"] for e in wrong.json["errors"]] == ["roles"]


def test_a_token_writes_without_a_csrf_token_and_basic_still_works_for_people(as_user, app, erp):
    issued = issue(as_user, erp, roles=["cs_agent"])
    started = app.test_client().post("/api/v1/processes/repair/instances", json={}, headers=bearer(issued["secret"]))
    assert started.status_code == 201, started.json
    assert as_user("agent").get("/me").json["username"] == "agent"


@pytest.mark.parametrize("app", [{"CORS_ORIGINS": "https://crm.example.com"}], indirect=True)
def test_cors_preflight_is_answered_before_authentication_for_configured_origins(as_user, app, erp):
    client = app.test_client()
    asked = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    preflight = client.options(
        "/api/v1/processes/repair/instances", headers={"Origin": "https://crm.example.com", **asked}
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://crm.example.com"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    stranger = client.options("/api/v1/processes/repair/instances", headers={"Origin": "https://evil.example", **asked})
    assert stranger.status_code == 204 and "Access-Control-Allow-Origin" not in stranger.headers
    # the real call from the configured origin, with a token: allowed, and readable by that page
    issued = issue(as_user, erp, roles=["cs_agent"])
    headers = {"Origin": "https://crm.example.com", **bearer(issued["secret"])}
    started = client.post("/api/v1/processes/repair/instances", json={}, headers=headers)
    assert started.status_code == 201 and started.headers["Access-Control-Allow-Origin"] == "https://crm.example.com"
    # a cookie-less Basic write from that origin is still a cross-site write
    assert (
        client.post(
            "/api/v1/processes/repair/instances",
            json={},
            headers={"Origin": "https://evil.example", **bearer(issued["secret"])},
        ).status_code
        == 403
    )


def test_last_use_is_written_at_most_once_a_minute(as_user, app, ctx, clock, erp):
    issued = issue(as_user, erp)
    client = app.test_client()
    client.get("/api/v1/me", headers=bearer(issued["secret"]))
    with ctx.uow() as uow:
        first = uow.session.get(ApiToken, issued["token"]["id"]).last_used_at
    clock.advance(timedelta(seconds=30))
    client.get("/api/v1/me", headers=bearer(issued["secret"]))
    with ctx.uow() as uow:
        assert uow.session.get(ApiToken, issued["token"]["id"]).last_used_at == first
    clock.advance(timedelta(seconds=31))
    client.get("/api/v1/me", headers=bearer(issued["secret"]))
    with ctx.uow() as uow:
        assert uow.session.get(ApiToken, issued["token"]["id"]).last_used_at > first
