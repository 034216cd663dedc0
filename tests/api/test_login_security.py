"""Guessing passwords: failed log-ins are throttled per user name and per address (form and Basic alike, before
any hash is computed), unknown users cost a hash like known ones, every failure is logged, the cache of verified
credentials is bounded and forgets a changed user, and `aftersales demo` never resets an existing account."""

from __future__ import annotations

import base64
import logging
import os
import time
import uuid

import pytest

import app.services.people.users as users_module
from app.persistence.orm import User
from app.services.people.users import authenticate
from app.services.people.users import create_user
from app.services.people.users import forget_credentials
from app.services.people.users import principal_for
from tests.api.test_web import csrf_of
from tests.conftest import make_app

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


def test_the_form_refuses_a_guessed_user_after_five_failures_without_hashing(tiny, hashes):
    client = tiny.test_client()
    for _ in range(5):
        assert form_login(client, "agent", "guess").status_code == 401
    hashes.clear()
    refused = form_login(client, "agent", "agent")  # even the right password: the account is locked for now
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= WINDOW
    assert "登录失败次数过多，请 15 分钟后再试。" in refused.get_data(as_text=True)  # zh_Hans by default
    assert hashes == []  # a throttled attempt costs no hash at all


def test_basic_refuses_a_guessed_user_after_five_failures_with_a_json_error(tiny, hashes):
    client = tiny.test_client()
    for _ in range(5):
        assert client.get("/api/v1/me", headers=basic("agent", "guess")).status_code == 401
    hashes.clear()
    refused = client.get("/api/v1/me", headers=basic("agent", "agent"))
    assert refused.status_code == 429 and hashes == []
    assert 0 < int(refused.headers["Retry-After"]) <= WINDOW
    body = refused.get_json()
    assert body["code"] == 429 and body["title"] == "Too Many Requests" and "too many failed log-ins" in body["message"]


def test_the_form_and_basic_count_against_the_same_account(tiny):
    client = tiny.test_client()
    for _ in range(3):
        assert form_login(client, "agent", "guess").status_code == 401
    for _ in range(2):
        assert client.get("/api/v1/me", headers=basic("agent", "guess")).status_code == 401
    assert client.get("/api/v1/me", headers=basic("agent", "agent")).status_code == 429
    assert form_login(client, "agent", "agent").status_code == 429


def test_a_colleague_behind_the_same_address_still_logs_in(tiny):
    client = tiny.test_client()
    for _ in range(5):
        assert form_login(client, "agent", "typo").status_code == 401
    assert form_login(client, "agent", "agent").status_code == 429
    assert client.get("/api/v1/me", headers=basic("supervisor", "supervisor")).status_code == 200
    assert form_login(tiny.test_client(), "supervisor", "supervisor").status_code == 302


def test_an_api_client_that_proved_its_password_keeps_working_during_a_lockout(tiny):
    integration, attacker = tiny.test_client(), tiny.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert integration.get("/api/v1/me", headers=basic("agent", "agent")).status_code == 200
    for _ in range(5):
        assert attacker.get("/api/v1/me", headers=basic("agent", "guess")).status_code == 401
    assert attacker.get("/api/v1/me", headers=basic("agent", "guess")).status_code == 429
    assert integration.get("/api/v1/me", headers=basic("agent", "agent")).status_code == 200


def test_successful_logins_are_not_counted(tiny):
    client = tiny.test_client()
    for _ in range(60):  # an API client sends its credentials with every request
        assert client.get("/api/v1/me", headers=basic("agent", "agent")).status_code == 200
    for _ in range(4):
        assert client.get("/api/v1/me", headers=basic("agent", "typo")).status_code == 401
    assert client.get("/api/v1/me", headers=basic("agent", "agent")).status_code == 200


def test_an_address_spraying_user_names_is_throttled_after_twenty_failures(tiny, hashes):
    sprayer = tiny.test_client()
    for n in range(20):
        assert sprayer.get("/api/v1/me", headers=basic(f"user{n}", "123456")).status_code == 401
    hashes.clear()
    assert sprayer.get("/api/v1/me", headers=basic("admin", "admin")).status_code == 429
    assert form_login(sprayer, "agent", "agent").status_code == 429
    assert hashes == []
    elsewhere = tiny.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert elsewhere.get("/api/v1/me", headers=basic("admin", "admin")).status_code == 200


def test_unknown_user_names_are_locked_out_like_known_ones(tiny):
    """The lockout itself must not tell which names exist."""
    client = tiny.test_client()
    for name in ("agent", "nobody"):
        answers = [client.get("/api/v1/me", headers=basic(name, "guess")).status_code for _ in range(6)]
        assert answers == [401] * 5 + [429]


def test_the_limits_are_settings(database_url, clock):
    app = make_app(database_url, clock, LOGIN_FAILURES_PER_USER="2 per 1 minute", LOGIN_FAILURES_PER_ADDRESS="3/hour")
    create_user(app.extensions["aftersales"], "agent", "agent", ["cs_agent"])
    client = app.test_client()
    answers = [client.get("/api/v1/me", headers=basic("agent", "guess")).status_code for _ in range(3)]
    assert answers == [401, 401, 429]
    assert 0 < int(client.get("/api/v1/me", headers=basic("agent", "agent")).headers["Retry-After"]) <= 60
    assert client.get("/api/v1/me", headers=basic("admin", "guess")).status_code == 401  # the address's 3rd failure
    assert client.get("/api/v1/me", headers=basic("dispatcher", "guess")).status_code == 429
    app.extensions["aftersales.db"].dispose()


def test_the_lockout_ends_when_the_window_has_passed(tiny, monkeypatch):
    client = tiny.test_client()
    for _ in range(5):
        client.get("/api/v1/me", headers=basic("agent", "guess"))
    assert client.get("/api/v1/me", headers=basic("agent", "agent")).status_code == 429

    class Later:
        """The limiter's storage keeps wall-clock time; move it past the window instead of sleeping."""

        @staticmethod
        def time() -> float:
            return time.time() + WINDOW + 1

    monkeypatch.setattr("limits.storage.memory.time", Later)
    assert client.get("/api/v1/me", headers=basic("agent", "agent")).status_code == 200


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


def test_every_failed_log_in_is_one_warning_without_the_password(tiny, caplog):
    client = tiny.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    with caplog.at_level(logging.INFO, logger="aftersales.login"):
        form_login(client, "agent", "S3cret-guess")
        client.get("/api/v1/me", headers=basic("nobody", "S3cret-guess"))
        client.get("/api/v1/me", headers=basic("agent", "agent"))  # a success is not logged here
    records = [r for r in caplog.records if r.name == "aftersales.login"]
    assert [(r.levelno, r.login_user, r.client, r.channel) for r in records] == [
        (logging.WARNING, "agent", "10.9.8.7", "form"),
        (logging.WARNING, "nobody", "10.9.8.7", "basic"),
    ]
    assert all("S3cret" not in r.getMessage() and "S3cret" not in str(r.__dict__) for r in records)
    assert "'agent' from 10.9.8.7 by form" in records[0].getMessage()


def test_a_throttled_attempt_is_logged_too(tiny, caplog):
    client = tiny.test_client()
    for _ in range(5):
        client.get("/api/v1/me", headers=basic("agent", "guess"))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="aftersales.login"):
        client.get("/api/v1/me", headers=basic("agent", "guess"))
    assert [r.outcome for r in caplog.records if r.name == "aftersales.login"] == ["throttled"]


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


def test_the_demo_loader_never_touches_an_existing_user(tiny, tiny_api):
    ctx = tiny.extensions["aftersales"]
    assert tiny_api("agent").post("/processes/tiny/instances").status_code == 201  # so no demo cases: quicker
    create_user(ctx, "admin", "only-the-admin-knows", ["admin", "qa"], display_name="Our admin")
    with tiny.app_context():  # this app's, whatever another test left behind
        result = tiny.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert authenticate(ctx, "admin", "only-the-admin-knows") is not None
    assert authenticate(ctx, "admin", "admin") is None
    admin = principal_for(ctx, "admin")
    assert admin.roles == frozenset({"admin", "qa"}) and admin.display_name == "Our admin"
    assert "existing users left as they are (password, roles, name): admin, agent, dispatcher" in result.output
    assert authenticate(ctx, "agent2", "agent2") is not None  # a missing demo user is still created
    assert "demo users created (password = user name): agent2," in result.output


def test_an_unreachable_shared_storage_still_throttles_in_the_worker(database_url, clock, caplog):
    pytest.importorskip("redis")
    app = make_app(database_url, clock, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1")  # nothing listens there
    create_user(app.extensions["aftersales"], "agent", "agent", ["cs_agent"])
    client = app.test_client()
    with caplog.at_level(logging.ERROR, logger="aftersales.login"):
        assert client.get("/api/v1/me", headers=basic("agent", "agent")).status_code == 200
        answers = [client.get("/api/v1/me", headers=basic("agent", "guess")).status_code for _ in range(6)]
    assert answers == [401] * 5 + [429]
    unreachable = [r for r in caplog.records if r.levelno == logging.ERROR and "unreachable" in r.getMessage()]
    assert len(unreachable) == 1  # then this worker counts alone for a while instead of asking each time
    app.extensions["aftersales.db"].dispose()


@pytest.mark.skipif(
    not os.environ.get("AFTERSALES_TEST_REDIS_URL"), reason="set AFTERSALES_TEST_REDIS_URL=redis://… to run"
)
def test_two_workers_sharing_redis_count_failures_together(database_url, clock):
    url = os.environ["AFTERSALES_TEST_REDIS_URL"]
    first = make_app(database_url, clock, RATELIMIT_STORAGE_URI=url)
    second = make_app(database_url, clock, create=False, RATELIMIT_STORAGE_URI=url)
    run = uuid.uuid4()  # Redis outlives the test: a name and an address of its own
    name, address = f"agent-{run.hex[:8]}", f"10.{run.bytes[0]}.{run.bytes[1]}.{run.bytes[2]}"
    create_user(first.extensions["aftersales"], name, name, ["cs_agent"])
    clients = [app.test_client() for app in (first, second)]
    for client in clients:
        client.environ_base["REMOTE_ADDR"] = address
    for n in range(5):
        assert clients[n % 2].get("/api/v1/me", headers=basic(name, "guess")).status_code == 401
    assert clients[1].get("/api/v1/me", headers=basic(name, name)).status_code == 429
    for app in (first, second):
        app.extensions["aftersales.db"].dispose()


def test_behind_a_trusted_proxy_each_client_address_has_its_own_throttle(database_url, clock):
    """With TRUSTED_PROXIES=1 the address is the one the proxy saw, so twenty failures of one client do not lock
    out the whole company behind the proxy; without it the header is ignored (a client could forge it)."""
    for trusted, other_client_locked in ((1, False), (0, True)):
        app = make_app(database_url, clock, TRUSTED_PROXIES=trusted, LOGIN_FAILURES_PER_ADDRESS="3 per 15 minutes")
        client = app.test_client()
        for n in range(3):
            headers = {**basic(f"nobody{n}", "guess"), "X-Forwarded-For": "203.0.113.7"}
            assert client.get("/api/v1/me", headers=headers).status_code == 401
        other = client.get("/api/v1/me", headers={**basic("nobody9", "guess"), "X-Forwarded-For": "203.0.113.8"})
        assert (other.status_code == 429) is other_client_locked
        app.extensions["aftersales.db"].dispose()
