"""The customer's part of a case on their own phone (390×844), without an account, from the first
request to the last answer; the staff's steps in between are done through the API by their roles.

Repair: the public request form opens the case and gives the follow link; the customer follows the
case, accepts the repair plan and quote through the link their SMS carries, signs and rates the
engineer (4 items), and once the report is filed answers the callback (on time? fixed the first time?
expertise? a score). Complaint: the complainant confirms the feedback, and after the 3-month callback
closes their own complaint (seed 004: 谁投诉谁关闭). A forged link, an expired one and one of another
case are refused with a clear page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.services.customers.messages import send_customer_messages
from app.services.timing.timer_firing import fire_due_timers
from tests.api.test_customer_steps import to_confirmation
from tests.case_driver import CaseDriver
from tests.e2e.conftest import PHONE
from tests.e2e.conftest import needs_chromium
from tests.e2e.conftest import shoot
from tests.e2e.test_public_request import app  # noqa: F401  (the seeded app with a short proof of work)
from tests.e2e.test_workspace import draw_signature
from tests.repair_driver import FORMS
from tests.repair_driver import TO_DIAGNOSIS
from tests.repair_driver import register

pytestmark = [pytest.mark.e2e, needs_chromium]

CUSTOMER = {"customer_name": "陈静", "customer_phone": "13900000099"}


class Repair(CaseDriver):
    FORMS = FORMS
    ROLE_USER = {
        "cs_agent": "agent",
        "dispatcher": "dispatcher",
        "technician": "tech_urban1",
        "finance": "finance",
        "mis": "mis",
    }


def _sms_link(ctx, phone_number: str) -> str:
    """The link of the newest SMS to ``phone_number`` (the demo's logging sender keeps what it sent)."""
    send_customer_messages(ctx)
    sent = [m for m in ctx.customers.senders["sms"].sent if phone_number in m.address.replace(" ", "")]
    assert sent, f"no SMS to {phone_number}"
    return re.search(r"(/c/[\w.\-]+)", sent[-1].body).group(1)


def _answer(page, link: str, title: str) -> None:
    page.goto(link)
    page.wait_for_selector("#task-form[data-ready=true]")
    expect(page.locator(".customer-task h2")).to_have_text(title)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _send(page) -> None:
    page.click("#submit-form")
    page.wait_for_url("**/c/done")
    expect(page.locator("#done")).to_be_visible()


def test_a_customer_requests_follows_accepts_the_quote_signs_and_rates_from_the_phone(
    phone_page,
    app,  # noqa: F811
    as_user,
    clock,
):
    ctx = app.extensions["aftersales"]
    page = phone_page
    page.goto("/request")
    expect(page.locator("form[data-proof=ready]")).to_have_count(1)
    page.fill("#customer_name", CUSTOMER["customer_name"])
    page.fill("#customer_phone", CUSTOMER["customer_phone"])
    page.fill("#address", "北京市东城区东四十条 9 号")
    page.select_option("#product_category", "refrigeration")
    page.fill("#fault_description", "冰箱不制冷")
    page.click("main button[type=submit]")
    page.wait_for_url("**/request/sent")
    case_no = page.locator("#case-number").inner_text()
    follow = page.locator("#follow-link").get_attribute("href")
    page.click("#follow-link")
    expect(page.locator("main")).to_contain_text(case_no)
    assert CUSTOMER["customer_phone"] not in page.content()  # the phone only masked
    shoot(page, "customer-journey-follow.png")
    # The page's own forms work in the browser (a real browser's Origin, not a test client's): the language
    # switch, then a reschedule request in English.
    page.click(".lang-switch button[value=en]")
    expect(page.locator("#reschedule h2")).to_have_text("Ask to reschedule")
    page.fill("#wished_at", "2026-03-03T14:00")
    page.fill("#note", "afternoons only")
    page.click("#reschedule button[type=submit]")
    expect(page.locator("#reschedule-sent")).to_be_visible()
    page.click(".lang-switch button[value=zh_Hans]")
    expect(page.locator("#reschedule h2")).to_have_text("申请改约")

    # Staff register, contact, dispatch, agree the appointment, arrive and diagnose (through the API).
    [row] = as_user("admin").get(f"/instances?case_no={case_no}").json
    case = Repair(as_user, row["id"])
    case.do("register_request", register(**CUSTOMER))
    case.walk(*TO_DIAGNOSIS, "diagnose_on_site")
    assert list(case.ready()) == ["accept_plan"]

    # The customer accepts the plan and the quote through the link the SMS carried.
    _answer(page, _sms_link(ctx, CUSTOMER["customer_phone"]), "确认方案与报价")
    expect(page.locator("#task-form [name='root[plan_accepted]']")).to_be_checked()
    reason = page.locator("#task-form [name='root[decline_reason]']")
    expect(reason).to_be_hidden()  # asked only of a customer who declines
    page.locator("#task-form [name='root[plan_accepted]']").uncheck()
    expect(reason).to_be_visible()
    page.locator("#task-form [name='root[plan_accepted]']").check()
    expect(reason).to_be_hidden()
    shoot(page, "customer-journey-quote.png")
    _send(page)
    case.do("perform_service")

    # The acceptance on the customer's own phone: a drawn signature and the four ratings.
    _answer(page, _sms_link(ctx, CUSTOMER["customer_phone"]), "客户验收签字")
    draw_signature(page)
    page.fill("#task-form [name='root[signed_by]']", "陈静")
    for item, score in (("attitude", 4), ("skills", 4), ("arrival", 3), ("promises", 4)):
        page.locator(f"#task-form input[name='root[rating_{item}]'][value='{score}']").check()
    choice = page.locator("#task-form input[name='root[rating_attitude]']").first.bounding_box()
    assert choice["width"] >= 24 and choice["height"] >= 24  # a thumb's target on the customer's phone
    shoot(page, "customer-journey-sign.png")
    _send(page)

    data = case.data
    assert data["plan_accepted"] is True and data["signature"].startswith("attachment:")
    assert (data["rating_attitude"], data["rating_arrival"]) == (4, 3)

    # Paid, reported and archived: the callback comes to the customer's phone, with what was done.
    case.walk("payment_invoice", "file_report", "archive_report")
    _answer(page, _sms_link(ctx, CUSTOMER["customer_phone"]), "回访：评价本次服务")
    expect(page.locator("#task-engineer")).not_to_be_empty()
    work_done = page.locator("#task-form [name='root[repair_plan]']")
    expect(work_done).to_have_value(FORMS["diagnose_on_site"]["repair_plan"])
    expect(page.locator("#task-form [name='root[fixed_first_visit]']")).to_be_checked()
    page.fill("#task-form [name='root[satisfaction_score]']", "90")
    page.fill("#task-form [name='root[callback_comments]']", "师傅很专业")
    shoot(page, "customer-journey-callback.png")
    _send(page)
    data = case.data
    assert (data["satisfaction_score"], data["callback_comments"]) == (90, "师傅很专业")
    assert case.body["status"] == "completed" and case.completed_path()[-1] == "case_closed"
    done = case.events("customer_task_done")
    assert [e["element_id"] for e in done] == ["accept_plan", "customer_acceptance", "callback_answer"]
    assert not case.events("customer_step_on_behalf")  # the customer's own answers, not staff's

    # The follow link still shows the case; a forged token shows only a refusal, and so does the
    # follow link once its 30 days have run out.
    page.goto(follow)
    expect(page.locator("main")).to_contain_text(case_no)
    # The signed service report is the customer's to download through the follow link.
    report = page.locator("a[href$='/papers/service-report.pdf']")
    expect(report).to_have_count(1)
    pdf = page.request.get(report.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    forged = page.goto(follow[:-4] + ("AAAA" if not follow.endswith("AAAA") else "BBBB"))
    assert forged.status == 403
    expect(page.locator("#refusal")).to_be_visible()
    assert case_no not in page.content()
    clock.advance(timedelta(days=31))
    expired = page.goto(follow)
    assert expired.status == 410
    expect(page.locator("#refusal")).to_be_visible()
    assert case_no not in page.content()
    shoot(page, "customer-journey-expired.png")


def test_the_complainant_confirms_the_feedback_and_closes_the_complaint_after_three_months(
    phone_page,
    app,  # noqa: F811
    as_user,
    clock,
):
    ctx = app.extensions["aftersales"]
    page = phone_page
    case = to_confirmation(as_user)
    complainant = case.data["customer_phone"].replace(" ", "")

    feedback = _sms_link(ctx, complainant)
    _answer(page, feedback, "确认处理结果")
    expect(page.locator("#task-form [name='root[customer_accepts]']")).to_be_checked()
    _send(page)
    case.do("approve_closure")

    # Three months on, the callback: the complainant closes their own complaint.
    clock.advance(timedelta(days=93))
    fire_due_timers(ctx)
    assert list(case.ready()) == ["callback_survey"]
    _answer(page, _sms_link(ctx, complainant), "三个月回访：关闭或重开")
    page.check("#task-form [name='root[complainant_satisfied]']")
    page.select_option("#task-form [name='root[closure_decision]']", "close")
    shoot(page, "customer-journey-close.png")
    _send(page)
    body = case.body
    assert body["status"] == "completed" and body["data"]["complaint_status"] == "closed"

    # The feedback's link, used, says so; and a link of this complaint never shows the repair case.
    answer = page.goto(feedback)
    assert answer.status == 410
    expect(page.locator("#refusal")).to_be_visible()
