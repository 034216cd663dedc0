"""Sessions an attacker cannot make or keep: no public session key, a forged or replayed cookie is
nobody, sessions end on logging out, on a new password or other roles, when idle and when old."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from flask import Flask

from app import create_app
from app.cli import serve_command
from app.config import InsecureConfiguration
from app.services.people import users
from app.services.people.users import create_user
from app.services.people.users import deactivate_user
from tests.api.test_web import csrf_of
from tests.api.test_web import login
from tests.conftest import make_app

STRONG_KEY = "k" * 20 + "-a-real-key-of-forty-chars"
OLD_DEFAULT = "dev-only-change-me"


@pytest.fixture(autouse=True)
def _no_key_from_the_environment(monkeypatch):
    monkeypatch.delenv("AFTERSALES_SECRET_KEY", raising=False)
    monkeypatch.delenv("AFTERSALES_SECRET_KEY_FILE", raising=False)


def forged_cookie(key: str, payload: dict) -> str:
    """A session cookie as anyone knowing ``key`` can sign it (Flask's own signing)."""
    forger = Flask("forger")
    forger.secret_key = key
    return forger.session_interface.get_signing_serializer(forger).dumps(payload)


def admin_payload(app) -> dict:
    now = int(app.extensions["aftersales"].clock.now().timestamp())
    return {"user": "admin", "generation": 0, "started": now, "seen": now, "csrf": "attacker-chosen"}


def start_case_with(client, csrf: str):
    return client.post("/api/v1/processes/tiny/instances", json={}, headers={"X-CSRF-Token": csrf})


@pytest.mark.parametrize("key", ["", OLD_DEFAULT, "short-but-not-empty"])
def test_the_service_refuses_to_start_without_a_real_session_key(database_url, clock, key):
    with pytest.raises(InsecureConfiguration, match="AFTERSALES_SECRET_KEY"):
        create_app({"DATABASE_URL": database_url, "CLOCK_OBJECT": clock, "SECRET_KEY": key})


def test_serve_refuses_the_old_default_key_with_a_clear_message(monkeypatch):
    started = []
    monkeypatch.setattr("gunicorn.app.base.BaseApplication.run", lambda self: started.append(self))
    refused = CliRunner().invoke(serve_command, [], env={"AFTERSALES_SECRET_KEY": OLD_DEFAULT})
    assert refused.exit_code == 1 and "old public default" in refused.output and not started
    served = CliRunner().invoke(serve_command, [], env={"AFTERSALES_SECRET_KEY": STRONG_KEY})
    assert served.exit_code == 0 and len(started) == 1


def test_serve_refuses_to_send_customers_links_to_this_machine(monkeypatch):
    """With e-mail really going to customers (a mail server set), links to localhost would open nothing on
    their phones: the service says which setting to give; with the public address given it serves."""
    started = []
    monkeypatch.setattr("gunicorn.app.base.BaseApplication.run", lambda self: started.append(self))
    env = {"AFTERSALES_SECRET_KEY": STRONG_KEY, "AFTERSALES_SMTP_HOST": "mail.example.com"}
    refused = CliRunner().invoke(serve_command, [], env=env)
    assert refused.exit_code == 1 and not started
    assert "AFTERSALES_PUBLIC_BASE_URL" in refused.output and "email" in refused.output
    env["AFTERSALES_PUBLIC_BASE_URL"] = "https://service.example.com"
    assert CliRunner().invoke(serve_command, [], env=env).exit_code == 0 and len(started) == 1
    demo = {"AFTERSALES_SECRET_KEY": STRONG_KEY}  # the demo's senders only write log lines: localhost is fine
    assert CliRunner().invoke(serve_command, [], env=demo).exit_code == 0 and len(started) == 2


def test_the_key_can_come_from_a_file_and_an_unreadable_one_is_refused(database_url, clock, tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(STRONG_KEY + "\n")
    app = create_app({"DATABASE_URL": database_url, "CLOCK_OBJECT": clock, "SECRET_KEY_FILE": str(key_file)})
    assert app.secret_key == STRONG_KEY
    app.extensions["aftersales.db"].dispose()
    with pytest.raises(InsecureConfiguration, match="cannot read the session key file"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY_FILE": str(tmp_path / "missing")})


def test_a_cookie_signed_with_any_other_key_is_nobody(tiny, clock):
    service = make_app(tiny.config["DATABASE_URL"], clock, create=False, TESTING=False, SECRET_KEY=STRONG_KEY)
    try:
        for key in (OLD_DEFAULT, "test-secret", STRONG_KEY[::-1]):
            client = service.test_client()
            client.set_cookie("session", forged_cookie(key, admin_payload(service)))
            assert client.get("/inbox").status_code == 302, key
            assert start_case_with(client, "attacker-chosen").status_code == 401, key
        # The same cookie signed with the service's own key is a session: the test can tell them apart.
        client = service.test_client()
        client.set_cookie("session", forged_cookie(STRONG_KEY, admin_payload(service)))
        assert client.get("/inbox").status_code == 200
    finally:
        service.extensions["aftersales.db"].dispose()


def test_a_cookie_replayed_after_logging_out_is_nobody_on_every_device(tiny):
    laptop, phone = tiny.test_client(), tiny.test_client()
    login(laptop, "agent")
    login(phone, "agent")
    copied = laptop.get_cookie("session").value
    csrf = csrf_of(laptop.get("/inbox").get_data(as_text=True))
    assert laptop.post("/logout", data={"csrf_token": csrf}).status_code == 302
    thief = tiny.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/inbox").status_code == 302
    assert start_case_with(thief, csrf).status_code == 401
    assert phone.get("/inbox").status_code == 302  # logging out ends the user's other sessions too
    login(phone, "agent")
    assert phone.get("/inbox").status_code == 200  # and logging in again works


def test_a_session_ends_after_eight_idle_hours(tiny, clock):
    client = tiny.test_client()
    login(client, "agent")
    for _ in range(2):  # used again just in time, twice: 16 hours in all
        clock.advance(timedelta(hours=7, minutes=59))
        assert client.get("/inbox").status_code == 200
    clock.advance(timedelta(hours=8, minutes=1))  # less than a day after logging in, but idle too long
    assert client.get("/inbox").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_a_session_ends_a_day_after_logging_in_however_busy(tiny, clock):
    client = tiny.test_client()
    login(client, "agent")
    for _ in range(23):
        clock.advance(timedelta(hours=1))
        assert client.get("/inbox").status_code == 200
    clock.advance(timedelta(minutes=59))
    assert client.get("/inbox").status_code == 200
    clock.advance(timedelta(minutes=2))
    assert client.get("/inbox").status_code == 302


def test_the_lifetimes_are_settings(app_with_diagram, clock, monkeypatch):
    monkeypatch.setenv("AFTERSALES_SESSION_IDLE_SECONDS", "600")
    app = app_with_diagram()
    client = app.test_client()
    login(client, "agent")
    clock.advance(timedelta(minutes=11))
    assert client.get("/inbox").status_code == 302


@pytest.mark.parametrize(
    "change",
    [
        lambda ctx: create_user(ctx, "agent", "a-new-password", ["cs_agent"]),
        lambda ctx: create_user(ctx, "agent", "agent", ["cs_agent", "dispatcher"]),
        lambda ctx: create_user(ctx, "agent", "agent", []),
        lambda ctx: deactivate_user(ctx, "agent"),
    ],
    ids=["new password", "more roles", "roles taken away", "deactivated"],
)
def test_a_new_password_other_roles_or_deactivation_end_an_open_session(tiny, change):
    ctx = tiny.extensions["aftersales"]
    client, bystander = tiny.test_client(), tiny.test_client()
    login(client, "agent")
    login(bystander, "supervisor")
    csrf = csrf_of(client.get("/inbox").get_data(as_text=True))
    change(ctx)
    assert client.get("/inbox").status_code == 302
    assert start_case_with(client, csrf).status_code == 401
    assert bystander.get("/inbox").status_code == 200  # only that user's sessions end


def test_reactivating_a_user_does_not_revive_the_old_session(tiny):
    ctx = tiny.extensions["aftersales"]
    client = tiny.test_client()
    login(client, "agent")
    with tiny.app_context():
        result = tiny.test_cli_runner().invoke(args=["deactivate-user", "agent"])
    assert result.exit_code == 0 and "deactivated" in result.output
    with ctx.uow() as uow:
        uow.users.get("agent").active = True
        uow.commit()
    assert client.get("/inbox").status_code == 302
    login(client, "agent")
    assert client.get("/inbox").status_code == 200


def test_the_session_cookie_is_http_only_same_site_lax_and_secure_when_served_over_https(app_with_diagram, monkeypatch):
    def cookie_flags(app) -> str:
        client = app.test_client()
        token = csrf_of(client.get("/login").get_data(as_text=True))
        answer = client.post("/login", data={"username": "agent", "password": "agent", "csrf_token": token})
        assert answer.status_code == 302
        return "; ".join(answer.headers.getlist("Set-Cookie")).lower()

    plain = cookie_flags(app_with_diagram())
    assert "httponly" in plain and "samesite=lax" in plain and "secure" not in plain
    monkeypatch.setenv("AFTERSALES_SESSION_COOKIE_SECURE", "true")
    assert "; secure" in cookie_flags(app_with_diagram())


def test_ending_a_users_sessions_forgets_their_remembered_basic_credentials(tiny_api):
    assert tiny_api("agent").get("/me").status_code == 200
    assert tiny_api("supervisor").get("/me").status_code == 200
    assert any(name == "agent" for name, _ in set(users._verified))
    users.forget_credentials("agent")
    assert not any(name == "agent" for name, _ in users._verified)
    assert any(name == "supervisor" for name, _ in users._verified)
