"""The workspace in a real headless Chromium: a repair case from the agent's registration through
the dispatcher's service notice to the technician's acceptance with a drawn signature; field
errors from the server on the field; drafts; the inbox's tabs and marks; the language switch."""

from __future__ import annotations

import base64
import io
import re
from datetime import timedelta

import pypdf
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.conftest import needs_chromium
from tests.repair_driver import RepairCase

pytestmark = [pytest.mark.e2e, needs_chromium]

# A 1×1 PNG, standing in for a scanned signature.
SCAN = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def log_in(page, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", username)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/inbox")


def log_out(page) -> None:
    page.click("form[action='/logout'] button[type=submit]")
    page.wait_for_url("**/login")


def wait_for_form(page, title: str) -> None:
    page.wait_for_selector("#task-form[data-ready=true]")
    assert page.locator("h1").inner_text() == title


def field(name: str) -> str:
    return f'#task-form [name="root[{name}]"]'


def fill(page, values: dict[str, str]) -> None:
    for name, value in values.items():
        page.fill(field(name), value)


def complete(page) -> None:
    """Send the form and wait until the page moved on (the next task or the case page).

    Only the navigation's start is awaited (the next page's own waits follow), with room for a
    loaded machine; a form that stays says why (its flash, draft status and field errors)."""
    url = page.url
    page.click("#submit-form")
    try:
        page.wait_for_url(lambda new: new != url, wait_until="commit", timeout=30_000)
    except PlaywrightTimeoutError:
        said = page.evaluate(
            """() => ['#flash', '#draft-status', '#form-errors', '.invalid-feedback']
                .flatMap((s) => [...document.querySelectorAll(s)].map((e) => `${s}: ${e.innerText}`))"""
        )
        raise AssertionError(f"the form did not move on from {url}: {said}") from None


def draw_signature(page) -> None:
    page.locator(".signature-canvas").scroll_into_view_if_needed()  # the mouse draws where the screen shows
    box = page.locator(".signature-canvas").bounding_box()
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(x + i * 25, y + (18 if i % 2 else -18), steps=3)
    page.mouse.up()


def test_a_repair_case_from_registration_to_signed_acceptance(page, as_user, screenshot):
    # The agent opens a case and registers the request; the server's field errors show on the fields.
    log_in(page, "agent")
    page.select_option("#start-case select[name=process]", "repair")
    page.click("#start-case button[type=submit]")
    wait_for_form(page, "登记服务请求")
    page.select_option(field("channel"), "phone")
    fill(
        page,
        {
            "customer_name": "张伟 Zhang Wei",
            "address": "北京市朝阳区建国路 88 号",
            "product_model": "BCD-520W",
            "serial_no": "SN-FR-1001",
            "purchase_date": "2024-06-01",
            "fault_description": "不制冷 / not cooling",
        },
    )
    page.select_option(field("service_category"), "repair")
    for name, value in (("region", "urban"), ("product_category", "refrigeration"), ("warranty_evidence", "invoice")):
        page.select_option(field(name), value)  # nothing is chosen for the agent (issue 17)
    page.select_option(field("urgency"), "medium")
    page.click("#submit-form")  # the phone number is missing
    error = page.locator('.field-error[data-field="customer_phone"]')
    error.wait_for()
    assert error.inner_text() == "必填"  # the Chinese half of "this field is required / 必填"
    assert page.locator("#form-errors").is_visible()
    screenshot("01-field-error.png")
    page.fill(field("customer_phone"), "13800000001")
    page.press(field("customer_phone"), "Tab")
    expect(error).to_have_count(0)  # gone as soon as the field changed
    complete(page)

    # The agent's next task in the case opens by itself: contact the customer.
    wait_for_form(page, "首次联系客户，确定服务方式")
    page.check(field("customer_reached"))
    page.select_option(field("service_mode"), "on_site")
    complete(page)
    page.wait_for_selector("#diagram.diagram-ready")  # no more agent's tasks: the case page
    case_id = int(re.search(r"/cases/(\d+)$", page.url).group(1))
    case_no = page.locator("h1").inner_text().split()[0]
    assert case_no.startswith("SR-2026-")
    log_out(page)

    # The dispatcher issues the service notice with a technician from the ranked choices (seed 004: the
    # engineer first, then the appointment).
    log_in(page, "dispatcher")
    page.click(f"tr:has-text('{case_no}') a.task-link")
    wait_for_form(page, "签发售后服务通知单")
    page.select_option(field("technician"), "tech_urban1")
    complete(page)
    log_out(page)

    # Customer service gives the customer the engineer's name and phone and agrees the appointment.
    log_in(page, "agent")
    page.click(f"tr:has-text('{case_no}') a.task-link")
    wait_for_form(page, "告知工程师并约定上门时间")
    page.fill(field("appointment_at"), "2026-03-02T14:00")
    page.check(field("engineer_contact_given"))
    complete(page)
    log_out(page)

    # The technician diagnoses, repairs and has the customer sign the acceptance.
    log_in(page, "tech_urban1")
    assert page.locator(".tab.active").get_attribute("data-tab") == "mine"
    page.click(f"tr:has-text('{case_no}') a.task-link")
    wait_for_form(page, "到达现场签到")  # the check-in on site stops the arrival clock
    page.check(field("customer_present"))
    complete(page)

    wait_for_form(page, "现场诊断与方案确认")
    fill(page, {"confirmed_fault": "压缩机不启动", "cause": "启动继电器损坏", "repair_plan": "更换继电器"})
    page.check(field("fixable_on_site"))
    complete(page)

    # The customer's answer to the plan and quote, on the engineer's device on the customer's behalf.
    wait_for_form(page, "确认方案与报价")
    expect(page.locator("p.notice")).to_contain_text("代客户办理")
    expect(page.locator(field("plan_accepted"))).to_be_checked()  # the form's default: accepted
    complete(page)

    wait_for_form(page, "实施服务")
    page.fill(field("labour_hours"), "1.5")
    page.check(field("functional_test_ok"))
    page.fill(field("returned_at"), "2026-03-02T16:00")  # the engineer says when they leave the site
    complete(page)

    wait_for_form(page, "客户验收签字")
    page.fill(field("signed_by"), "张伟")
    for rating in ("rating_attitude", "rating_skills", "rating_arrival", "rating_promises"):
        page.check(f'#task-form input[type=radio][name="root[{rating}]"][value="4"]')
    page.click("#submit-form")  # no signature yet: refused on the signature field
    page.locator('.field-error[data-field="signature"]').wait_for()
    page.set_input_files(".signature-upload", files=[{"name": "scan.png", "mimeType": "image/png", "buffer": SCAN}])
    page.locator(".signature-scan").wait_for()  # an uploaded scan is shown; drawing replaces it
    page.click(".signature-clear")
    draw_signature(page)
    expect(page.locator('.field-error[data-field="signature"]')).to_have_count(0)
    screenshot("02-signature.png", docs="task-form.png")
    complete(page)

    page.goto(f"/cases/{case_id}")
    page.wait_for_selector("#diagram.diagram-ready")
    screenshot("03-case.png")
    events = as_user("admin").get(f"/instances/{case_id}/events").json
    accepted = [e for e in events if e["type"] == "task_completed" and e["element_id"] == "customer_acceptance"]
    assert accepted[0]["actor"] == "tech_urban1"
    on_behalf = [e["element_id"] for e in events if e["type"] == "customer_step_on_behalf"]
    assert on_behalf == ["accept_plan", "customer_acceptance"]  # the audit trail says who signed for whom
    reference = accepted[0]["data"]["signature"]  # the drawn PNG is kept as an attachment of the case
    assert reference.startswith("attachment:")
    png = as_user("admin").get(f"/instances/{case_id}/attachments/{reference.split(':')[1]}")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    # The case page links the papers issued so far; the report carries the signature drawn on the pad.
    expect(page.locator("#papers a")).to_have_count(2)  # the service notice and the signed report
    report = as_user("admin").get(f"/instances/{case_id}/papers/service-report.pdf")
    pages = pypdf.PdfReader(io.BytesIO(report.data)).pages
    assert "客户签名" in pages[-1].extract_text() and pages[-1].images  # the PNG drawn on the pad


def test_drafts_the_inbox_and_the_language_switch(page, as_user, clock, screenshot):
    late = RepairCase(as_user, customer_name="李娜 Li Na")
    RepairCase(as_user, customer_name="王芳 Wang Fang")
    clock.advance(timedelta(hours=2))
    RepairCase(as_user, customer_name="刘洋 Liu Yang")
    clock.advance(timedelta(hours=23))  # the customer is to be contacted within 24 h
    RepairCase(as_user, customer_name="陈静 Chen Jing")
    log_in(page, "agent")
    first = late.ready()["contact_customer"]["id"]

    # The group's tasks, the overdue ones marked; claim one and it moves to "my tasks".
    assert page.locator(".tab.active").get_attribute("data-tab") == "group"
    assert page.locator("tr.overdue").count() == 2 and page.locator("tr.due-soon .badge-soon").count() == 1
    page.locator(f"tr[data-task-id='{first}'] [data-action=claim]").click()
    page.wait_for_selector(".tab.active[data-tab=mine]")
    assert page.locator(".tab[data-tab=mine] .count").inner_text() == "1"
    page.goto("/inbox?tab=group&customer=Chen")
    assert page.locator("tbody tr").count() == 1 and page.locator("tr.overdue").count() == 0

    # A half-filled form is kept as a draft on the server and comes back.
    page.goto(f"/tasks/{first}")
    wait_for_form(page, "首次联系客户，确定服务方式")
    page.fill(field("contact_notes"), "客户下午在家")
    page.click("#save-draft")
    page.wait_for_selector("#discard-draft:not([hidden])")
    page.goto("/inbox?tab=mine")
    assert page.locator(f"tr[data-task-id='{first}'] .badge-draft").count() == 1
    page.goto("/inbox?tab=group")
    screenshot("04-inbox.png", docs="inbox.png")
    page.goto(f"/tasks/{first}")
    wait_for_form(page, "首次联系客户，确定服务方式")
    assert page.input_value(field("contact_notes")) == "客户下午在家"
    screenshot("05-task-form.png")

    # English, kept in the session across pages and a new log-in; names in the user's language.
    page.click(".lang-switch button[value=en]")
    wait_for_form(page, "First contact: reach the customer, choose the service mode")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#submit-form").inner_text() == "Complete task"
    page.goto(f"/cases/{late.id}")
    page.wait_for_selector("#diagram.diagram-ready .marker-ready")
    assert page.locator(".bjs-powered-by").is_visible()  # the bpmn.io watermark stays
    assert "Task completed" in page.locator("table").nth(1).inner_text()
    screenshot("06-case-en.png")
    log_out(page)
    assert page.locator("h1").inner_text() == "Log in"
    page.click(".lang-switch button[value=zh_Hans]")
    assert page.locator("h1").inner_text() == "登录"


def test_a_technicians_inbox_on_a_phone_is_a_card_per_task(page, as_user, screenshot):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice", "agree_appointment")  # the check-in waits for tech_urban1
    page.set_viewport_size(PHONE)
    log_in(page, "tech_urban1")
    task = page.locator("a.task-link", has_text="到达现场签到")
    assert task.bounding_box()["width"] > 200  # the name on one line, not a character per line
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide: something is pushed off the screen"
    expect(page.locator("tr", has=task).locator("td[data-label]").first).to_be_visible()
    screenshot("inbox-phone-zh.png")
