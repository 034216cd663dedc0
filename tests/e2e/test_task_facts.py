"""Forms that show what the person needs, in Chromium (issue 17): the facts beside the form, no choice
made for the user, the task taken on the first edit (not on opening), the customer's ratings as four
radio groups under the work, parts and amount, and a message saying what happened."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.services.timing.timer_firing import fire_due_timers
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workspace import complete
from tests.e2e.test_workspace import field
from tests.e2e.test_workspace import log_in
from tests.e2e.test_workspace import log_out
from tests.e2e.test_workspace import wait_for_form
from tests.repair_driver import TO_ACCEPTANCE
from tests.repair_driver import RepairCase

pytestmark = [pytest.mark.e2e, needs_chromium]


def test_the_dispatcher_works_from_the_facts_and_takes_the_task_by_editing_it(page, as_user, screenshot):
    case = RepairCase(as_user)
    case.do("contact_customer", contact_notes="客户下午在家")
    cases_before = len(as_user("admin").get("/instances").json)

    log_in(page, "agent")
    assert page.input_value("#start-case select[name=process]") == ""  # not the first process (annual plan)
    page.click("#start-case button[type=submit]")  # nothing chosen: no case is opened
    assert len(as_user("admin").get("/instances").json) == cases_before
    page.select_option("#start-case select[name=process]", "repair")
    page.click("#start-case button[type=submit]")
    wait_for_form(page, "登记服务请求")
    expect(page.locator("#flash.success")).to_contain_text("已开立案件")  # says what happened
    log_out(page)
    log_in(page, "dispatcher")
    page.click(f"tr:has-text('{case.body['case_no']}') a.task-link")
    wait_for_form(page, "签发售后服务通知单")
    facts = page.locator("#task-facts")
    expect(facts).to_contain_text("北京市朝阳区建国路 88 号")
    expect(facts).to_contain_text("客户下午在家")
    assert page.input_value(field("technician")) == ""  # "please choose", not the first engineer
    task_id = case.ready()["dispatch_notice"]["id"]
    assert as_user("admin").get(f"/tasks/{task_id}").json["assignee"] is None  # opened, not taken
    page.click("#submit-form")
    page.locator('.field-error[data-field="technician"]').wait_for()  # a required choice left empty
    page.select_option(field("technician"), "tech_urban1")
    expect(page.locator("#task-assignee")).to_have_text("dispatcher")  # the first edit took it
    expect(page.locator(".page-head [data-action=claim]")).to_be_hidden()
    assert as_user("admin").get(f"/tasks/{task_id}").json["assignee"] == "dispatcher"
    screenshot("task-facts-zh.png", docs="task-facts.png")
    complete(page)
    expect(page.locator("#flash.success")).to_contain_text("任务已完成：签发售后服务通知单")
    assert len(as_user("admin").get("/instances").json) == cases_before + 1
    log_out(page)


def test_the_customer_sees_the_work_and_rates_with_radio_groups(page, app, clock, as_user, screenshot):
    case = RepairCase(as_user)
    case.walk(*TO_ACCEPTANCE)
    clock.advance(timedelta(hours=48, minutes=1))  # not signed on their phone: the engineer's device
    fire_due_timers(app.extensions["aftersales"])
    log_in(page, "tech_urban1")
    page.click(".lang-switch button[value=en]")
    page.goto(f"/tasks/{case.ready()['sign_on_device']['id']}")
    wait_for_form(page, "Sign on the engineer's device")
    form = page.locator("#task-form")
    part = page.locator('#task-form [name="root[parts_used][0][part_no]"]')
    assert part.input_value() == "RLY-220" and part.is_disabled()  # shown, not editable
    expect(form.get_by_role("button", name="Add Part")).to_have_count(0)
    assert page.input_value(field("quote_amount")) == "245"
    for rating in ("rating_attitude", "rating_skills", "rating_arrival", "rating_promises"):
        radios = page.locator(f'#task-form input[type=radio][name="root[{rating}]"]')
        expect(radios).to_have_count(4)
        assert not any(radios.nth(i).is_checked() for i in range(4))  # none chosen for the customer
    page.locator('#task-form input[type=radio][name="root[rating_skills]"]').nth(2).check()
    screenshot("acceptance-en.png", docs="acceptance.png")
    assert page.locator('#task-form input[type=radio][name="root[rating_skills]"]').nth(2).is_checked()
    page.click("#submit-form")  # unrated: refused as required, not as "0 is less than the minimum"
    page.locator('.field-error[data-field="rating_attitude"]').wait_for()
    assert page.locator('.field-error[data-field="rating_attitude"]').inner_text() == "this field is required"
    expect(page.locator('.field-error[data-field="rating_skills"]')).to_have_count(0)
    page.click(".page-head [data-action=unclaim]")  # "put back in the group", not "send back"
    expect(page.locator("#flash.success")).to_have_text(
        "The task is back in the group: anyone of the role may take it."
    )
    expect(page.locator("#task-assignee")).to_have_text("unclaimed")
    page.click(".lang-switch button[value=zh_Hans]")
