"""The browser workspace without a browser: drafts API, inbox tabs and filters, task and case
pages, the diagram endpoint, vendor files, the language switch and the compiled catalogues."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from app.handlers.i18n import pick_language
from tests.api.test_web import csrf_of
from tests.api.test_web import login
from tests.repair_driver import RepairCase

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"


def put_draft(as_user, username: str, task_id: str, body):
    """PUT is not in tests.conftest.Api: the drafts endpoint over HTTP Basic."""
    api = as_user(username)
    return api.client.put(f"/api/v1/drafts/{task_id}", json=body, headers=api._headers())


def session_for(app, username: str):
    """A logged-in browser session and its CSRF header."""
    client = app.test_client()
    login(client, username)
    token = csrf_of(client.get("/inbox").get_data(as_text=True))
    return client, {"X-CSRF-Token": token}


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("登记服务请求 / Register service request", "登记服务请求", "Register service request"),
        ("no eligible choice / 无可选项", "无可选项", "no eligible choice"),
        ("签发通知单 / Issue the notice (通知单)", "签发通知单", "Issue the notice (通知单)"),
        ("1 差 / poor, 2 一般 / fair", "1 差 / poor, 2 一般 / fair", "1 差 / poor, 2 一般 / fair"),
        ("电话/远程", "电话/远程", "电话/远程"),
    ],
)
def test_the_users_half_of_a_bilingual_name(text, zh, en):
    assert pick_language(text, "zh_Hans") == zh and pick_language(text, "en") == en
    assert pick_language(None, "en") is None


def test_a_form_keeps_its_authors_field_order_on_every_database(as_user):
    import json

    from tests.conftest import PROCESSES

    started = as_user("agent").post("/processes/repair/instances").json
    [task] = as_user("agent").get(f"/tasks?instance_id={started['id']}").json
    served = as_user("agent").get(f"/tasks/{task['id']}").json["form"]
    written = json.loads((PROCESSES / "forms" / "repair" / "register_request.json").read_text(encoding="utf-8"))
    assert list(served["properties"]) == list(written["properties"])


def test_the_chinese_catalogue_is_compiled():
    po = TRANSLATIONS / "zh_Hans" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, "compile the catalogues: make setup"


def test_a_draft_is_kept_per_user_and_task_until_the_task_is_done(app, as_user):
    case = RepairCase(as_user)
    task_id = case.ready()["contact_customer"]["id"]
    client, csrf = session_for(app, "agent")
    assert client.get(f"/api/v1/drafts/{task_id}").status_code == 404
    assert client.put(f"/api/v1/drafts/{task_id}", json={"contact_notes": "下午"}).status_code == 403  # no CSRF
    saved = client.put(f"/api/v1/drafts/{task_id}", json={"contact_notes": "下午"}, headers=csrf)
    assert saved.status_code == 200 and saved.json["data"] == {"contact_notes": "下午"}
    assert client.get(f"/api/v1/drafts/{task_id}").json["data"] == {"contact_notes": "下午"}
    assert client.put(f"/api/v1/drafts/{task_id}", json=["x"], headers=csrf).status_code == 422

    # Private to its author; only for those who may work the task.
    assert as_user("agent").get(f"/drafts/{task_id}").status_code == 200  # same user over Basic
    assert as_user("admin").get(f"/drafts/{task_id}").status_code == 404
    assert as_user("finance").post(f"/tasks/{task_id}/claim").status_code == 403
    assert put_draft(as_user, "finance", task_id, {}).status_code == 403
    assert put_draft(as_user, "auditor", task_id, {}).status_code == 403
    assert put_draft(as_user, "agent", "nope", {}).status_code == 404

    # The form page starts from the draft; the inbox marks the task.
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    config = json.loads(re.search(r'id="task-config">(.*?)</script>', page, re.S).group(1))
    assert config["startValues"]["contact_notes"] == "下午" and config["workable"] is True
    assert list(config["schema"]["properties"])[:2] == ["customer_reached", "service_mode"]  # the form's order
    assert "badge-draft" in client.get("/inbox?tab=group").get_data(as_text=True)

    case.do("contact_customer")
    assert client.put(f"/api/v1/drafts/{task_id}", json={}, headers=csrf).status_code == 409
    assert client.delete(f"/api/v1/drafts/{task_id}", headers=csrf).status_code == 204
    assert client.get(f"/api/v1/drafts/{task_id}").status_code == 404


def test_the_inbox_has_tabs_filters_and_marks_overdue_work(app, as_user, clock):
    late = RepairCase(as_user, customer_name="李娜 Li Na")
    clock.advance(timedelta(hours=22))
    RepairCase(as_user, customer_name="陈静 Chen Jing")
    clock.advance(timedelta(hours=3))
    client, csrf = session_for(app, "agent")
    page = client.get("/inbox").get_data(as_text=True)  # nothing claimed: the group's tab opens
    assert 'data-tab="group"' in page and page.count('class="overdue') == 1
    assert client.post(f"/api/v1/tasks/{late.ready()['contact_customer']['id']}/claim", headers=csrf).status_code == 200
    mine = client.get("/inbox").get_data(as_text=True)
    assert "李娜 Li Na" in mine and "陈静 Chen Jing" not in mine and "badge-overdue" in mine
    group = client.get("/inbox?tab=group").get_data(as_text=True)
    assert "陈静 Chen Jing" in group and "李娜 Li Na" not in group and "badge-soon" not in group
    assert "陈静" not in client.get("/inbox?tab=group&overdue=1").get_data(as_text=True)
    assert "陈静" not in client.get("/inbox?tab=group&customer=zhang").get_data(as_text=True)
    assert "陈静" in client.get("/inbox?tab=group&customer=chen&process=repair").get_data(as_text=True)
    assert "陈静" not in client.get("/inbox?tab=group&due_by=2026-03-03").get_data(as_text=True)
    assert "陈静" in client.get("/inbox?tab=group&due_by=2026-03-04&sort=customer&dir=desc").get_data(as_text=True)
    assert 'value="repair"' in mine  # the agent may open a repair case
    assert "start-case" not in session_for(app, "auditor")[0].get("/inbox").get_data(as_text=True)


def test_a_task_can_be_handed_to_a_colleague_of_the_same_role(app, as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")
    client, csrf = session_for(app, "tech_urban1")
    inbox = client.get("/inbox").get_data(as_text=True)
    assert '<option value="tech_urban2">' in inbox and '<option value="agent">' not in inbox
    task_id = case.ready()["diagnose_on_site"]["id"]
    handed = client.post(f"/api/v1/tasks/{task_id}/delegate", json={"username": "tech_urban2"}, headers=csrf)
    assert handed.status_code == 200 and handed.json["assignee"] == "tech_urban2"
    assert "现场诊断与方案确认" in session_for(app, "tech_urban2")[0].get("/inbox").get_data(as_text=True)


def test_the_case_page_and_its_diagram_for_those_who_may_see_the_case(app, as_user):
    case = RepairCase(as_user)
    client, _ = session_for(app, "agent")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "contact_customer" in page and "张伟 Zhang Wei" in page
    assert page.index("受理渠道") < page.index("客户姓名/单位") < page.index("紧急程度")  # the form's order
    xml = client.get(f"/workspace/cases/{case.id}/diagram.xml")
    assert xml.status_code == 200 and xml.mimetype == "text/plain" and b"bpmndi:BPMNDiagram" in xml.data
    stranger, _ = session_for(app, "finance")
    assert stranger.get(f"/workspace/cases/{case.id}/diagram.xml").status_code == 403
    assert "403" in stranger.get(f"/cases/{case.id}").get_data(as_text=True)
    assert app.test_client().get(f"/workspace/cases/{case.id}/diagram.xml").status_code == 302


def test_the_next_task_of_a_case_opens_after_a_form(app, as_user):
    case = RepairCase(as_user)
    client, _ = session_for(app, "agent")
    task_id = case.ready()["contact_customer"]["id"]
    assert client.get(f"/cases/{case.id}/next").headers["Location"] == f"/tasks/{task_id}"
    case.do("contact_customer")
    assert client.get(f"/cases/{case.id}/next").headers["Location"] == f"/cases/{case.id}"


def test_vendor_files_come_from_node_modules_and_nothing_else(app):
    client = app.test_client()
    with client.get("/vendor/bpmn-navigated-viewer.js") as viewer:
        assert viewer.status_code == 200 and b"bpmn.io" in viewer.data
    for name in ("jsoneditor.js", "signature_pad.umd.min.js", "bpmn-js.css", "diagram-js.css"):
        with client.get(f"/vendor/{name}") as response:
            assert response.status_code == 200, name
    assert client.get("/vendor/package.json").status_code == 404
    assert client.get("/vendor/..%2Fpackage.json").status_code == 404


def test_the_language_is_chosen_per_session_and_survives_logging_in(app):
    client = app.test_client()
    assert "登录" in client.get("/login").get_data(as_text=True)
    token = csrf_of(client.get("/login").get_data(as_text=True))
    switched = client.post("/language", data={"language": "en", "next": "/login", "csrf_token": token})
    assert switched.status_code == 302 and switched.headers["Location"] == "/login"
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    login(client, "agent")
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "My tasks" in inbox and "First contact" not in inbox  # no task yet
    token = csrf_of(inbox)
    assert client.post("/language", data={"language": "xx", "csrf_token": token}).headers["Location"] == "/"
    assert "My tasks" in client.get("/inbox").get_data(as_text=True)
    outside = client.post("/language", data={"language": "zh_Hans", "next": "//evil.example", "csrf_token": token})
    assert outside.headers["Location"] == "/" and "我的待办" in client.get("/inbox").get_data(as_text=True)


def test_the_drafts_endpoints_are_in_the_openapi_document(app):
    paths = app.test_client().get("/api/v1/openapi.json").json["paths"]
    assert {"get", "put", "delete"} <= set(paths["/api/v1/drafts/{task_id}"])
