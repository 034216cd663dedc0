"""A procedure authored in the browser runs: the process owner creates it on /workbench, draws the
acceptance, a gateway with a condition and a supervisor's review with a 2-working-day escalation (its
timer typed in the panel), builds the acceptance form with a photo and a signature, validates and
deploys it; then the customer service agent starts a case from the inbox and completes the acceptance
in the browser, the supervisor leaves the review, the clock moves three working days and the
escalation reaches the supervisor's inbox, who completes it: the case ends."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import expect

from tests.case_driver import CaseDriver
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workbench import select
from tests.e2e.test_workbench_authoring import DRAW
from tests.e2e.test_workbench_panel import commit
from tests.e2e.test_workspace import complete
from tests.e2e.test_workspace import draw_signature
from tests.e2e.test_workspace import field
from tests.e2e.test_workspace import log_in
from tests.e2e.test_workspace import log_out
from tests.e2e.test_workspace import wait_for_form

pytestmark = [pytest.mark.e2e, needs_chromium]

KEY = "installation_acceptance"
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////"
    "////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA="
)
# The supervisor's review gets an interrupting boundary timer, and its escalation a task of its own.
ESCALATION = """() => {
  const modeler = window.Workbench.modeler
  const registry = modeler.get('elementRegistry')
  const modeling = modeler.get('modeling')
  const factory = modeler.get('elementFactory')
  const review = registry.get('supervisor_review')
  const timer = modeling.createShape(
    factory.createShape({ type: 'bpmn:BoundaryEvent', eventDefinitionType: 'bpmn:TimerEventDefinition' }),
    { x: review.x + review.width / 2, y: review.y + review.height }, review, { attach: true })
  modeling.updateProperties(timer, { id: 'review_overdue', name: '复核逾期 / Review overdue' })
  const lane = registry.get('lane_supervisor')
  const chase = modeling.createShape(factory.createShape({ type: 'bpmn:UserTask' }),
    { x: review.x + review.width / 2 + 150, y: lane.y + lane.height / 2 + 10 }, lane)
  modeling.updateProperties(chase, { id: 'overdue_review', name: '逾期复核 / Overdue review' })
  const flow = (a, b, id) => modeling.updateProperties(modeling.connect(a, b, { type: 'bpmn:SequenceFlow' }), { id })
  flow(timer, chase, 'flow_review_overdue')
  flow(chase, registry.get('end'), 'flow_overdue_reviewed')
}"""


def test_a_procedure_built_in_the_browser_is_deployed_and_worked_by_each_role(page, as_user, clock, screenshot):
    log_in(page, "process_owner")
    page.goto("/workbench")
    page.click("#wb-new-open")
    page.fill("#wb-new-key", KEY)
    page.fill("#wb-new-name-zh", "安装调试验收")
    page.fill("#wb-new-name-en", "Installation and commissioning acceptance")
    page.click("#wb-new-create")
    page.wait_for_url(f"**/workbench/{KEY}")
    page.wait_for_selector("#workbench[data-ready=true]")
    page.evaluate(DRAW)
    page.evaluate(ESCALATION)

    # The escalation's timer, typed in the panel and checked by the sandbox lint as typed.
    select(page, "review_overdue")
    expect(page.locator("#wb-props-timer")).to_be_visible()
    page.select_option("#wb-prop-timer-kind", "escalation")
    page.select_option("#wb-prop-timer-type", "timeDate")
    commit(page, "#wb-prop-timer-expr", "str(add_working_days(now(), 2))")
    expect(page.locator("#wb-prop-timer-expr-lint")).to_have_text("沙箱检查通过")

    # The acceptance form from the palette: yes/no, a required photo, a signature.
    select(page, "customer_acceptance")
    page.click("#wb-form-create")
    builder = page.locator("#wb-form-builder")
    builder.locator(".fb-add[data-kind=yesno]").click()
    commit(page, "[data-key=yesno_1] .fb-key", "accepted")
    commit(page, "[data-key=accepted] .fb-title-zh", "验收通过")
    commit(page, "[data-key=accepted] .fb-title-en", "Accepted")
    builder.locator(".fb-add[data-kind=photo]").click()
    page.check("[data-key=photo_1] .fb-required")
    builder.locator(".fb-add[data-kind=signature]").click()
    select(page, "flow_accepted")
    commit(page, "#wb-prop-condition", "accepted == True")
    select(page, "gw_accepted")
    page.select_option("#wb-prop-gateway-default", "flow_rework")
    select(page, "note_rework")
    page.fill("#wb-prop-script", "rework_due = add_working_days(now(), 2)")
    page.press("#wb-prop-script", "Tab")

    page.click("#wb-validate")
    expect(page.locator("#wb-problems li:not(.wb-warning)")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#wb-deploy")
    expect(page.locator("#wb-status")).to_have_text("版本 1 已部署。")
    screenshot("workbench-journey-deployed.png")
    log_out(page)

    # The agent starts a case of the new procedure from the inbox and completes the acceptance.
    log_in(page, "agent")
    page.select_option("#start-case select[name=process]", KEY)
    page.click("#start-case button[type=submit]")
    wait_for_form(page, "客户验收")
    page.check(field("accepted"))
    page.set_input_files(".photo-input", files=[{"name": "unit.jpg", "mimeType": "image/jpeg", "buffer": JPEG}])
    expect(page.locator(".photo-preview")).to_be_visible()
    draw_signature(page)
    complete(page)
    log_out(page)
    (case,) = as_user("admin").get(f"/instances?process_key={KEY}").json
    driver = CaseDriver(as_user, case["id"])
    assert list(driver.ready()) == ["supervisor_review"]

    # The review is in the supervisor's group inbox; nobody does it for three working days.
    log_in(page, "supervisor")
    page.goto("/inbox?tab=group")
    expect(page.locator("tbody tr", has_text="主管复核")).to_have_count(1)
    fired = as_user("admin").post("/clock/advance", json={"duration": "P5D"}).json
    assert fired["fired_timers"] >= 1
    log_in(page, "supervisor")  # days later: the session of that day has run out
    page.goto("/inbox?tab=group")
    expect(page.locator("tbody tr", has_text="主管复核")).to_have_count(0)
    overdue = page.locator("tbody tr", has_text="逾期复核")
    expect(overdue).to_have_count(1)
    expect(overdue).to_contain_text("安装调试验收")  # the process by its name, not its key
    screenshot("workbench-journey-escalated.png")
    overdue.locator("a").first.click()
    wait_for_form(page, "逾期复核")
    complete(page)

    assert driver.body["status"] == "completed"
    assert driver.completed_path() == ["start", "customer_acceptance", "gw_accepted", "overdue_review", "end"]
    assert driver.data["accepted"] is True and driver.data["photo_1"].startswith("attachment:")
