"""Guessing passwords: unknown users cost a hash like known ones, and the cache of verified credentials is
bounded and forgets a changed user."""

from __future__ import annotations

import base64

import pytest

import app.services.users as users_module
from app.persistence.orm import User
from app.services.users import authenticate
from app.services.users import create_user
from app.services.users import forget_credentials
from tests.test_web import csrf_of

WINDOW = 15 * 60


def basic(username: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def form_login(client, username: str, password: str):
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def hashes(monkeypatch):
    """Counts the password checks (real ones still run)."""
    calls: list[str] = []
    real = users_module.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        calls.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(users_module, "check_password_hash", counting)
    return calls


def test_an_unknown_or_inactive_user_costs_a_password_hash_like_a_known_one(tiny, hashes):
    ctx = tiny.extensions["aftersales"]
    assert authenticate(ctx, "agent", "wrong") is None and len(hashes) == 1
    assert authenticate(ctx, "nobody", "wrong") is None and len(hashes) == 2
    with ctx.uow() as uow:
        uow.users.get("dispatcher").active = False
        uow.commit()
    assert authenticate(ctx, "dispatcher", "dispatcher") is None and len(hashes) == 3
    # The dummy hash is made with the configured method, so it costs what the users' hashes cost.
    assert hashes[1].startswith("pbkdf2:sha256:1000$") and hashes[1] == hashes[2]


def test_the_cache_of_verified_credentials_is_bounded(tiny):
    ctx = tiny.extensions["aftersales"]
    names = [f"bulk{n}" for n in range(users_module.VERIFIED_MAX_ENTRIES + 20)]
    password_hash = create_user(ctx, names[0], "pw", ["cs_agent"]).password_hash  # one hash for all: 1 000 are slow
    with ctx.uow() as uow:
        for name in names[1:]:
            uow.users.add(User(username=name, password_hash=password_hash, created_at=ctx.clock.now()))
        uow.commit()
    for name in names:
        assert authenticate(ctx, name, "pw") is not None
    assert len(users_module._verified) <= users_module.VERIFIED_MAX_ENTRIES


def test_forget_credentials_drops_only_that_users_checks(tiny):
    ctx = tiny.extensions["aftersales"]
    assert authenticate(ctx, "agent", "agent") and authenticate(ctx, "supervisor", "supervisor")
    forget_credentials("agent")
    remembered = {username for username, _ in users_module._verified}
    assert "agent" not in remembered and "supervisor" in remembered


def test_a_changed_password_role_or_deactivation_applies_at_once_over_basic(tiny):
    ctx = tiny.extensions["aftersales"]
    client = tiny.test_client()
    assert client.get("/api/v1/me", headers=basic("agent", "agent")).status_code == 200  # now remembered
    create_user(ctx, "agent", "n3w-passw0rd", ["cs_agent"])
    assert client.get("/api/v1/me", headers=basic("agent", "agent")).status_code == 401
    assert client.get("/api/v1/me", headers=basic("agent", "n3w-passw0rd")).status_code == 200

    create_user(ctx, "agent", "n3w-passw0rd", ["cs_agent", "supervisor"])
    me = client.get("/api/v1/me", headers=basic("agent", "n3w-passw0rd")).get_json()
    assert sorted(me["roles"]) == ["cs_agent", "supervisor"]

    with ctx.uow() as uow:
        uow.users.get("agent").active = False
        uow.commit()
    assert client.get("/api/v1/me", headers=basic("agent", "n3w-passw0rd")).status_code == 401
