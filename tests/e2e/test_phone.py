"""A technician's phone (390×844) in a real headless Chromium: the task form is one column with
touch-sized controls, the signature pad takes the screen's width, a photo field opens the camera,
and what is typed without a connection is kept in the browser and sent when the phone is back
online. The form is tests/diagrams.TINY's task with a photo, a text, a number and a signature."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.diagrams import FORMS
from tests.diagrams import TINY
from tests.e2e.accessibility import serious_violations
from tests.e2e.conftest import PHONE
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workspace import complete
from tests.e2e.test_workspace import draw_signature
from tests.e2e.test_workspace import field
from tests.e2e.test_workspace import log_in
from tests.e2e.test_workspace import wait_for_form

pytestmark = [pytest.mark.e2e, needs_chromium]

SITE_FORM = {
    "type": "object",
    "title": "现场记录 / Site record",
    "properties": {
        "photo": {"type": "string", "title": "现场照片 / Site photo", "contentMediaType": "image/jpeg"},
        "note": {"type": "string", "title": "处理说明 / What was done", "maxLength": 200},
        "hours": {"type": "number", "title": "工时 / Hours", "minimum": 0},
        "visited_on": {"type": "string", "format": "date", "title": "上门日期 / Visit date"},
        "ok": {"type": "boolean", "title": "试机正常 / Test run passed"},
        "signature": {"type": "string", "title": "客户签名 / Customer signature", "x-widget": "signature"},
    },
    "required": ["note", "hours", "signature"],
    "additionalProperties": False,
}
# A 1×1 JPEG, standing in for the camera's picture.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////"
    "////////////////////wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAA//EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAI"
    "AQEAAD8AN//Z"
)


@pytest.fixture
def app(app_with_diagram, monkeypatch):
    monkeypatch.setitem(FORMS, "forms/do_it.json", SITE_FORM)
    return app_with_diagram(TINY, ("admin", "agent"))


def open_task(as_user) -> str:
    case = as_user("agent").post("/processes/tiny/instances", json={}).json
    [task] = as_user("agent").get(f"/tasks?instance_id={case['id']}").json
    return task["id"]


def test_a_form_on_a_phone_with_a_camera_and_a_lost_connection(phone, as_user):
    SCREENSHOTS.mkdir(exist_ok=True)
    task_id = open_task(as_user)
    page = phone.new_page()
    log_in(page, "agent")
    assert serious_violations(page) == []  # the inbox on a phone: cards (axe's pass for the phone's inbox)
    page.goto(f"/tasks/{task_id}")
    wait_for_form(page, "做事")
    assert serious_violations(page) == []

    # One column the screen's width: every field starts at the same left edge, nothing off-screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    boxes = [page.locator(f"#task-form [data-schemapath='root.{n}']").bounding_box() for n in SITE_FORM["properties"]]
    assert len({round(b["x"]) for b in boxes}) == 1 and min(b["width"] for b in boxes) > 300
    # Touch targets of at least 44 px: the inputs, the checkbox's row and every button of the form.
    for target in [
        field("note"),
        field("hours"),
        ".photo-input",
        "label:has(input[type=checkbox])",
        ".signature-clear",
        "#submit-form",
        "#save-draft",
    ]:
        assert page.locator(target).bounding_box()["height"] >= 44, target
    tick = page.locator("#task-form input[type=checkbox]").first.bounding_box()
    assert tick["width"] >= 24 and tick["height"] >= 24  # the box itself, not only its row (json-editor: 13 px)
    # The signature pad fills the form's width; the photo field opens the rear camera.
    pad = page.locator(".signature-canvas").bounding_box()
    assert pad["width"] >= boxes[0]["width"] - 2 and pad["width"] > 300
    photo = page.locator(".photo-input")
    assert photo.get_attribute("accept") == "image/*" and photo.get_attribute("capture") == "environment"
    page.set_input_files(".photo-input", files=[{"name": "site.jpg", "mimeType": "image/jpeg", "buffer": JPEG}])
    expect(page.locator(".photo-preview")).to_be_visible()
    assert page.get_attribute(field("visited_on"), "lang") == "zh-Hans"  # the date picker in the user's language
    required = page.locator(f"{field('note')}[required][aria-required=true]")
    expect(required).to_have_count(1)
    expect(page.locator("[data-schemapath='root.note'] label .required-mark")).to_have_text(" (必填)")

    # The connection drops while the technician types: the browser keeps the form and says so.
    phone.set_offline(True)
    page.fill(field("note"), "更换启动继电器")
    page.fill(field("hours"), "1.5")
    page.click("#save-draft")
    expect(page.locator("#draft-status")).to_contain_text("无网络")
    page.screenshot(path=str(SCREENSHOTS / "phone-offline.png"), full_page=True)
    if os.environ.get("AFTERSALES_DOCS_SCREENSHOTS"):  # the README's picture (see conftest.screenshot)
        page.screenshot(path=str(Path(os.environ["AFTERSALES_DOCS_SCREENSHOTS"]) / "task-form-phone.png"))
    assert as_user("agent").get(f"/drafts/{task_id}").status_code == 404  # nothing reached the server
    # The page is closed offline and opened again once the phone is back online: the form is as it
    # was, and the kept draft goes to the server.
    page.close()
    phone.set_offline(False)
    page = phone.new_page()
    page.goto(f"/tasks/{task_id}")
    wait_for_form(page, "做事")
    assert page.input_value(field("note")) == "更换启动继电器" and page.input_value(field("hours")) == "1.5"
    expect(page.locator("#draft-status")).to_contain_text("已发送")
    draft = as_user("agent").get(f"/drafts/{task_id}").json
    assert draft["data"]["note"] == "更换启动继电器" and draft["data"]["photo"].startswith("data:image/jpeg")

    # Lost again, then back while the page stays open: the change typed meanwhile is sent by itself.
    phone.set_offline(True)
    page.fill(field("note"), "更换启动继电器，清洁冷凝器")
    page.press(field("note"), "Tab")
    expect(page.locator("#draft-status")).to_contain_text("无网络")
    phone.set_offline(False)
    expect(page.locator("#draft-status")).to_contain_text("已发送")
    assert as_user("agent").get(f"/drafts/{task_id}").json["data"]["note"] == "更换启动继电器，清洁冷凝器"

    draw_signature(page)
    page.screenshot(path=str(SCREENSHOTS / "phone-task-form.png"), full_page=True)
    complete(page)
    case_data = as_user("agent").get(f"/tasks/{task_id}").json
    assert case_data["status"] == "completed"
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('aftersales.draft.'))") == []
    page.close()
