"""A customer's phone (390×844) in a real headless Chromium, without an account: a FOLLOW link shows
the case in plain words, a TASK link opens the customer's step where they draw their signature and
rate, and a revoked link shows the clear page. The case is tests/diagrams.CUSTOMER_STEP's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.domain.customer_links import LinkPurpose
from app.services.customers import links
from app.services.customers.messages import send_customer_messages
from tests.diagrams import CUSTOMER_STEP
from tests.e2e.accessibility import serious_violations
from tests.e2e.conftest import PHONE
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workspace import draw_signature
from tests.e2e.test_workspace import log_in

pytestmark = [pytest.mark.e2e, needs_chromium]


@pytest.fixture
def app(app_with_diagram):
    return app_with_diagram(CUSTOMER_STEP, ("admin", "agent"))


def test_a_customer_follows_the_case_signs_on_the_phone_and_a_revoked_link_is_refused(phone, app, as_user):
    SCREENSHOTS.mkdir(exist_ok=True)
    ctx = app.extensions["aftersales"]
    agent = as_user("agent")
    case_id = agent.post("/processes/customer_signs/instances").json["id"]
    (task,) = agent.get(f"/tasks?instance_id={case_id}").json
    contact = {"customer_name": "王先生", "customer_phone": "13812345678"}
    assert agent.post(f"/tasks/{task['id']}/complete", json=contact).status_code == 200
    with ctx.uow() as uow:
        follow = links.issue_link(
            uow, ctx.customers, case_id=case_id, purpose=LinkPurpose.FOLLOW, now=ctx.clock.now(), by="agent"
        )
        uow.commit()

    # The FOLLOW link: the state in plain words, the phone masked, one column the screen's width.
    page = phone.new_page()
    page.goto(follow.path)
    expect(page.locator("#stage-now")).to_have_text("处理中")
    expect(page.locator("#masked-phone")).to_have_text("138****5678")
    assert "13812345678" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "customer-follow.png"), full_page=True)

    # The TASK link the customer's SMS carried: the step's form, a signature drawn with the finger.
    send_customer_messages(ctx)
    (sms,) = ctx.customers.senders["sms"].sent
    task_path = re.search(r"(/c/[\w.\-]+)", sms.body).group(1)
    page.goto(task_path)
    page.wait_for_selector("#task-form[data-ready=true]")
    expect(page.locator(".customer-task h2")).to_have_text("客户签字评价")
    pad = page.locator(".signature-canvas").bounding_box()
    assert pad["width"] > 300  # the pad takes the phone's width
    page.click("#submit-form")  # nothing signed or rated yet: the server's refusals show on the fields
    expect(page.locator(".field-error")).to_have_count(2)
    draw_signature(page)
    page.locator('#task-form input[name="root[rating]"][value="4"]').check()
    assert serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "customer-task.png"), full_page=True)
    page.click("#submit-form")
    page.wait_for_url("**/c/done")
    expect(page.locator("#done")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "customer-done.png"), full_page=True)
    (close,) = as_user("admin").get(f"/tasks?instance_id={case_id}").json
    assert close["element_id"] == "close_case"
    signed = as_user("admin").get(f"/instances/{case_id}").json["data"]
    assert signed["rating"] == 4 and signed["signature"]

    # The same TASK link again: done; the FOLLOW link revoked by staff: withdrawn, nothing of the case.
    page.goto(task_path)
    expect(page.locator("#refusal")).to_have_text("此步骤已完成，谢谢！")
    with ctx.uow() as uow:
        links.revoke(uow, case_id=case_id, link_id=follow.id, now=ctx.clock.now(), by="agent")
        uow.commit()
    answer = page.goto(follow.path)
    assert answer.status == 410
    expect(page.locator("#refusal")).to_have_text("此链接已撤销。请联系服务热线获取新链接。")
    assert "138" not in page.content()
    assert serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "customer-revoked.png"), full_page=True)

    # The agent's case page lists the links: the TASK link used, the FOLLOW link revoked, the SMS sent.
    log_in(page, "agent")
    page.goto(f"/cases/{case_id}#customer-links")
    states = page.locator("#customer-links tr[data-link-id]").evaluate_all("(rows) => rows.map((r) => r.dataset.state)")
    assert sorted(states) == ["revoked", "used"]
    expect(page.locator(".customer-messages li[data-state=sent]")).to_have_count(1)
    # On the agent's phone each link is a card, every value labelled and nothing pushed off the screen.
    section = page.locator("#customer-links")
    assert section.evaluate("(s) => s.scrollWidth <= s.clientWidth"), "the links are wider than the phone"
    expect(section.locator("thead")).to_be_hidden()
    expect(section.locator("tr[data-link-id]").first.locator("td[data-label]")).to_have_count(4)
    page.locator("#customer-links").screenshot(path=str(SCREENSHOTS / "customer-staff-links.png"))
