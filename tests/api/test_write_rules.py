"""The rules every write obeys, whoever sends it: a browser's remembered Basic credentials or
session cookie are no use to another site's page — no Basic challenge that makes a browser remember
them, no write from another origin, and API bodies only as JSON (multipart where an upload is
documented), never the form or ``text/plain`` bodies a cross-site page can send unasked."""

from __future__ import annotations

import io
import re
from base64 import b64encode

import pytest

from app.handlers.auth import UPLOAD_ENDPOINTS
from tests.api.test_web import csrf_of
from tests.api.test_web import login
from tests.diagrams import TINY

EVIL = "https://evil.example"


def basic(username: str) -> dict[str, str]:
    return {"Authorization": "Basic " + b64encode(f"{username}:{username}".encode()).decode()}


def session(app, username: str):
    client = app.test_client()
    login(client, username)
    return client, csrf_of(client.get("/inbox").get_data(as_text=True))


def case_count(api) -> int:
    return len(api.get("/instances").json)


# --- HTTP Basic is not offered to browsers ----------------------------------------------------------


def test_a_401_does_not_make_a_browser_ask_for_basic_credentials(tiny):
    for answer in (tiny.test_client().get("/api/v1/me"), tiny.test_client().get("/api/v1/me", headers=basic("x"))):
        assert answer.status_code == 401
        challenge = answer.headers.get("WWW-Authenticate", "")
        assert not re.match(r"\s*basic\b", challenge, flags=re.IGNORECASE), challenge


# --- API writes: JSON, or multipart where an upload is documented -----------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"note": "x"}', "text/plain"),
        ("note=x", "application/x-www-form-urlencoded"),
        ('{"note": "x"}', None),
        ('{"note": "x"}', "application/xml"),
    ],
)
def test_an_api_write_with_a_body_that_is_not_json_is_refused_and_changes_nothing(tiny_api, body, content_type):
    admin = tiny_api("admin")
    before = case_count(admin)
    headers = basic("admin") | ({"Content-Type": content_type} if content_type else {})
    answer = admin.client.post("/api/v1/processes/tiny/instances", data=body, headers=headers)
    assert answer.status_code == 415 and "Content-Type" in answer.json["fields"], answer.json
    assert case_count(admin) == before
    sent = admin.post("/processes/tiny/instances", json={})  # a JSON body (tiny takes no start data)
    assert sent.status_code == 201 and case_count(admin) == before + 1


def test_a_session_write_as_text_plain_is_refused_even_with_the_csrf_token(tiny):
    client, csrf = session(tiny, "agent")
    answer = client.post(
        "/api/v1/processes/tiny/instances", data="{}", headers={"X-CSRF-Token": csrf, "Content-Type": "text/plain"}
    )
    assert answer.status_code == 415


def test_a_write_without_a_body_needs_no_content_type(tiny_api):
    agent = tiny_api("agent")
    case = agent.post("/processes/tiny/instances", json={}).json
    [task] = agent.get(f"/tasks?instance_id={case['id']}").json
    claimed = agent.client.post(f"/api/v1/tasks/{task['id']}/claim", headers=basic("agent"))
    assert claimed.status_code == 200 and claimed.json["assignee"] == "agent"
    started = agent.client.post("/api/v1/processes/tiny/instances", headers=basic("agent"))
    assert started.status_code == 201


def test_multipart_only_where_an_upload_is_documented(tiny_api):
    admin = tiny_api("admin")
    upload = admin.client.post(
        "/api/v1/processes?dry_run=1",
        data={"file": (io.BytesIO(TINY.encode()), "tiny.bpmn")},
        headers=basic("admin"),
    )
    assert upload.status_code == 200, upload.json
    form_to_json_endpoint = admin.client.post(
        "/api/v1/processes/tiny/instances", data={"file": (io.BytesIO(b"{}"), "x.json")}, headers=basic("admin")
    )
    assert form_to_json_endpoint.status_code == 415


def test_the_upload_endpoints_are_the_ones_the_api_documents_as_multipart(tiny):
    documented = {
        (method.upper(), path)
        for path, operations in tiny.test_client().get("/api/v1/openapi.json").json["paths"].items()
        for method, operation in operations.items()
        if method != "parameters" and "multipart/form-data" in operation.get("requestBody", {}).get("content", {})
    }
    allowed = {
        (method, rule.rule)
        for rule in tiny.url_map.iter_rules()
        if rule.endpoint in UPLOAD_ENDPOINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert allowed == documented and len(allowed) == len(UPLOAD_ENDPOINTS)


# --- writes from another site's page ----------------------------------------------------------------


def test_a_write_from_another_origin_is_refused_with_a_session_or_basic(tiny_api, tiny):
    admin = tiny_api("admin")
    before = case_count(admin)
    client, csrf = session(tiny, "agent")
    refused = [
        client.post("/api/v1/processes/tiny/instances", json={}, headers={"X-CSRF-Token": csrf, "Origin": EVIL}),
        admin.client.post("/api/v1/processes/tiny/instances", json={}, headers=basic("admin") | {"Origin": EVIL}),
        admin.client.post("/api/v1/processes/tiny/instances", json={}, headers=basic("admin") | {"Origin": "null"}),
        admin.client.post(
            "/api/v1/processes/tiny/instances", json={}, headers=basic("admin") | {"Sec-Fetch-Site": "cross-site"}
        ),
        client.post("/logout", data={"csrf_token": csrf}, headers={"Origin": "http://localhost.evil.example"}),
    ]
    assert [answer.status_code for answer in refused] == [403] * len(refused)
    assert case_count(admin) == before and client.get("/inbox").status_code == 200  # still logged in
    # The same requests from the service's own pages pass.
    own = client.post(
        "/api/v1/processes/tiny/instances",
        json={},
        headers={"X-CSRF-Token": csrf, "Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert own.status_code == 201 and case_count(admin) == before + 1
    assert client.get("/api/v1/me", headers={"Origin": EVIL}).status_code == 200  # reading is not writing


def test_logging_in_from_another_site_is_refused(tiny):
    client = tiny.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    answer = client.post(
        "/login", data={"username": "agent", "password": "agent", "csrf_token": token}, headers={"Origin": EVIL}
    )
    assert answer.status_code == 403 and client.get("/inbox").status_code == 302


def test_a_trusted_origin_behind_a_proxy_may_write(app_with_diagram, monkeypatch):
    monkeypatch.setenv("AFTERSALES_TRUSTED_ORIGINS", "https://aftersales.example.com, https://other.example.com")
    app = app_with_diagram(users=("agent",))
    client = app.test_client()
    headers = basic("agent") | {"Origin": "https://aftersales.example.com"}
    assert client.post("/api/v1/processes/tiny/instances", json={}, headers=headers).status_code == 201
    headers["Origin"] = EVIL
    assert client.post("/api/v1/processes/tiny/instances", json={}, headers=headers).status_code == 403
