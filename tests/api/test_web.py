"""The HTML pages: log in with a CSRF token, see the inbox and a case; sessions need CSRF."""

from __future__ import annotations

import re

from tests.repair_driver import RepairCase


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username: str):
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": username, "csrf_token": token})


def test_login_needs_the_csrf_token_and_the_right_password(app):
    client = app.test_client()
    client.get("/login")
    assert client.post("/login", data={"username": "agent", "password": "agent"}).status_code == 403
    token = csrf_of(client.get("/login").get_data(as_text=True))
    wrong = client.post("/login", data={"username": "agent", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.get_data(as_text=True)  # zh_Hans by default


def test_an_agent_sees_the_inbox_and_the_case_page(app, as_user):
    case = RepairCase(as_user)
    client = app.test_client()
    assert login(client, "agent").status_code == 302
    inbox = client.get("/inbox").get_data(as_text=True)
    assert (
        "首次联系客户，确定服务方式" in inbox
        and "First contact: reach the customer, choose the service mode" not in inbox
    )
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "SR-2026-" in page and "24小时未联系" in page and 'title="task_completed">任务已完成' in page


def test_a_session_api_call_that_changes_something_needs_the_csrf_header(app, as_user):
    case = RepairCase(as_user)
    client = app.test_client()
    login(client, "agent")
    task_id = case.ready()["contact_customer"]["id"]
    assert client.post(f"/api/v1/tasks/{task_id}/claim").status_code == 403
    token = csrf_of(client.get("/inbox").get_data(as_text=True))
    claimed = client.post(f"/api/v1/tasks/{task_id}/claim", headers={"X-CSRF-Token": token})
    assert claimed.status_code == 200 and claimed.json["assignee"] == "agent"


def test_a_finance_clerk_cannot_open_a_case_he_has_no_part_in(app, as_user):
    case = RepairCase(as_user)
    client = app.test_client()
    login(client, "finance")
    assert client.get(f"/cases/{case.id}").status_code == 403
    assert client.get("/inbox").status_code == 200
    assert app.test_client().get("/inbox").status_code == 302  # not logged in
