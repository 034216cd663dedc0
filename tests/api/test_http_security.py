"""What a hostile page cannot do to ours: frame it, run script in it (Content-Security-Policy and
the other security headers on every answer), or bounce the user to another site through ``next``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.api.test_web import csrf_of
from tests.api.test_web import login

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


def session(app, username: str):
    client = app.test_client()
    login(client, username)
    return client, csrf_of(client.get("/inbox").get_data(as_text=True))


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


# --- security headers -------------------------------------------------------------------------------


def test_every_answer_has_the_security_headers(tiny):
    client, _ = session(tiny, "agent")
    anonymous = tiny.test_client()
    answers = {
        "login page": anonymous.get("/login"),
        "inbox": client.get("/inbox"),
        "api": client.get("/api/v1/me"),
        "api 401": anonymous.get("/api/v1/me"),
        "api 404": client.get("/api/v1/instances/999999"),
        "page 404": client.get("/no-such-page"),
        "static file": anonymous.get("/static/js/workspace.js"),
        "redirect": anonymous.get("/inbox"),
    }
    for what, answer in answers.items():
        policy = directives(answer.headers.get("Content-Security-Policy", ""))
        assert policy.get("script-src") == ["'self'"], what
        assert policy.get("default-src") == ["'self'"], what
        assert policy.get("object-src") == ["'none'"] and policy.get("base-uri") == ["'none'"], what
        assert policy.get("frame-ancestors") == ["'none'"] and policy.get("form-action") == ["'self'"], what
        assert answer.headers.get("X-Frame-Options") == "DENY", what
        assert answer.headers.get("Referrer-Policy") == "same-origin", what
        assert answer.headers.get("X-Content-Type-Options") == "nosniff", what
        answer.close()


def test_an_attachment_download_keeps_its_stricter_policy(app, as_user):
    from tests.api.test_attachments import PNG
    from tests.api.test_attachments import accept

    case, _ = accept(as_user, PNG)
    [attachment] = as_user("tech_urban1").get(f"/instances/{case.id}/attachments").json
    download = as_user("auditor").get(f"/instances/{case.id}/attachments/{attachment['id']}")
    assert download.status_code == 200 and download.headers["Content-Security-Policy"] == "default-src 'none'"


def test_no_template_has_inline_script_or_event_handlers():
    """CSP refuses them (script-src 'self'); a data block (type="application/json") is never run."""
    for template in TEMPLATES.glob("*.html"):
        html = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        handlers = re.findall(r"<[^>]*\son[a-z]+\s*=", html, flags=re.IGNORECASE)
        assert not handlers, (template.name, handlers)
        assert "javascript:" not in html.lower(), template.name


# --- open redirect ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "/%09/evil.example",
        "/%2F/evil.example",
        "/%5Cevil.example",
        "/\n/evil.example",
        "https://evil.example",
        "//evil",
        "evil.example",
        " //evil.example",
    ],
)
def test_the_language_switch_never_leads_to_another_site(tiny, target):
    client = tiny.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    answer = client.post("/language", data={"language": "en", "next": target, "csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_the_language_switch_goes_back_to_the_page_of_this_site(tiny):
    client, token = session(tiny, "agent")
    answer = client.post("/language", data={"language": "en", "next": "/inbox?tab=mine&sort=due", "csrf_token": token})
    assert answer.headers["Location"] == "/inbox?tab=mine&sort=due"
