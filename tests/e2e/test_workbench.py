"""The process workbench in a real headless Chromium: the process owner opens the repair diagram in the
bpmn-js Modeler, sees a task's form, breaks and repairs it, renames a task, saves a draft, validates,
deploys version 2, and opens version 1 read-only."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workspace import log_in
from tests.interop_driver import upload

pytestmark = [pytest.mark.e2e, needs_chromium]

NEW_NAME = "电话联系客户并确认预约 / Phone the customer and confirm appointment"


def select(page, element_id: str) -> None:
    page.evaluate(
        """(id) => {
          const modeler = window.Workbench.modeler
          modeler.get('selection').select(modeler.get('elementRegistry').get(id))
        }""",
        element_id,
    )


def selected(page) -> list[str]:
    return page.evaluate("() => window.Workbench.modeler.get('selection').get().map((e) => e.id)")


def test_a_process_owner_edits_validates_and_deploys_a_new_version(page, as_user, screenshot):
    running = as_user("agent").post("/processes/repair/instances").json["id"]
    log_in(page, "process_owner")
    page.click("#workbench-link")
    page.click("#workbench-processes a[href='/workbench/repair']")
    page.wait_for_selector("#workbench[data-ready=true]")
    expect(page.locator("#wb-canvas .djs-container svg").first).to_be_visible()
    expect(page.locator("#wb-canvas .bjs-powered-by")).to_be_visible()  # the bpmn.io watermark stays

    # A user task's form, keyed by its formJsonSchemaFilename property; its JSON is checked as one types.
    select(page, "contact_customer")
    expect(page.locator("#wb-form-path")).to_have_text("forms/repair/contact_customer.json")
    page.click("#wb-tab-schema")  # the builder's tab is the first; the JSON Schema is one click away
    form = page.locator("#wb-form-text")
    original = form.input_value()
    assert '"customer_reached"' in original
    form.fill('{"type": "object",')
    expect(page.locator("#wb-form-check")).to_have_class("bad")

    # Validate names the task whose form is broken; clicking the problem selects it in the modeler.
    select(page, "register_request")
    page.click("#wb-validate")
    problem = page.locator("#wb-problems li[data-element-id=contact_customer]")
    expect(problem).to_contain_text("不是有效的 JSON")  # in the user's language
    problem.click()
    assert selected(page) == ["contact_customer"]
    expect(page.locator("#wb-form-task-id")).to_have_text("contact_customer")
    expect(page.locator('[data-element-id="contact_customer"].djs-element.wb-problem')).to_have_count(1)
    screenshot("workbench-validation-error.png", docs="workbench-validation-error.png")
    form.fill(original)
    expect(page.locator("#wb-form-check")).to_have_class("ok")

    # Rename a task through the modeler, keep a draft, validate, deploy.
    page.evaluate(
        """(name) => {
          const modeler = window.Workbench.modeler
          const task = modeler.get('elementRegistry').get('contact_customer')
          modeler.get('modeling').updateLabel(task, name)
        }""",
        NEW_NAME,
    )
    expect(page.locator("#wb-status")).to_have_text("有未保存的修改")
    page.click("#wb-save-draft")
    expect(page.locator("#wb-status")).to_contain_text("草稿已保存")
    assert as_user("process_owner").get("/workbench/drafts/repair").json["base_version"] == 1
    page.click("#wb-validate")
    expect(page.locator("#wb-problems-none")).to_be_visible()
    expect(page.locator("#wb-problems li")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#wb-deploy")
    expect(page.locator("#wb-status")).to_have_text("版本 2 已部署。")
    expect(page.locator("#wb-versions li[data-version='2']")).to_contain_text("最新")
    screenshot("workbench.png", docs="workbench.png")

    source = as_user("auditor").get("/processes/repair/source").json
    assert source["version"] == 2 and NEW_NAME in source["xml"]
    assert as_user("admin").get(f"/instances/{running}").json["version"] == 1
    assert as_user("process_owner").get("/workbench/drafts").json == []

    # Version 1 opens read-only in the viewer, its forms too.
    page.click("#wb-versions a[href$='?version=1']")
    page.wait_for_selector("#workbench[data-ready=true]")
    expect(page.locator("#wb-readonly-notice")).to_be_visible()
    expect(page.locator("#wb-deploy")).to_have_count(0)
    select(page, "contact_customer")
    expect(page.locator("#wb-form-text")).to_have_attribute("readonly", "")
    screenshot("workbench-version-1.png")


def test_a_new_user_task_gets_a_form_of_its_own(page, screenshot):
    log_in(page, "process_owner")
    page.goto("/workbench/repair")
    page.wait_for_selector("#workbench[data-ready=true]")
    page.evaluate(
        """() => {
          const modeler = window.Workbench.modeler
          const registry = modeler.get('elementRegistry')
          const lane = registry.get('lane_cs_agent')
          const task = modeler.get('elementFactory').createShape({ type: 'bpmn:UserTask', id: 'check_invoice' })
          modeler.get('modeling').createShape(task, { x: lane.x + 300, y: lane.y + lane.height - 40 }, lane)
          modeler.get('modeling').updateLabel(registry.get('check_invoice'), '核对发票 / Check the invoice')
          modeler.get('selection').select(registry.get('check_invoice'))
        }"""
    )
    expect(page.locator("#wb-form-missing")).to_be_visible()
    page.click("#wb-form-create")
    expect(page.locator("#wb-form-path")).to_have_text("forms/repair/check_invoice.json")
    expect(page.locator("#wb-form-check")).to_have_class("ok")
    xml = page.evaluate("async () => (await window.Workbench.modeler.saveXML({ format: true })).xml")
    assert 'name="formJsonSchemaFilename" value="forms/repair/check_invoice.json"' in xml
    page.click("#wb-validate")
    # Its lane, name and new form pass; what is left is that nothing leads to it or away from it:
    # house conventions, so warnings (the diagram could deploy), not problems.
    problems = page.locator("#wb-problems li")
    expect(problems).to_have_count(2)
    expect(page.locator("#wb-problems li.wb-warning")).to_have_count(2)
    expect(problems.first).to_contain_text("没有进入的顺序流")
    expect(page.locator("#wb-problems-none")).to_be_visible()
    screenshot("workbench-new-task.png")


def test_a_process_owner_gives_a_foreign_diagrams_lane_a_role_in_the_workbench(page, as_user, screenshot):
    lanes = Path(__file__).resolve().parents[1] / "interop" / "spiff-lanes.bpmn"
    assert upload(as_user("admin"), "lanes.bpmn", lanes.read_bytes()).status_code == 201
    log_in(page, "process_owner")
    page.goto("/workbench/lanes")
    row = page.locator("#wb-lane-roles tr[data-lane=A_id]")
    row.locator("select").select_option("technician")
    page.click("#wb-lane-roles-save")
    expect(page.locator("#wb-lane-roles-status")).to_have_text("泳道角色已保存；待办任务已转给新角色。")
    screenshot("workbench-lane-roles.png")
    table = as_user("process_owner").get("/processes/lanes/lane-roles").json
    assert {r["lane"]: r["role"] for r in table} == {"B_id": None, "A_id": "technician", "Lane_03noz08": None}
