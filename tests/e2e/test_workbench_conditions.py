"""A process owner imports a .bpmn drawn without layout (no BPMNDiagram): the browser lays it out
(bpmn-auto-layout) before sending it, the canvas shows it and the pages say it was laid out
automatically. In it, the acceptance is "done by the same person as" the commissioning (picked from
the earlier steps), and its form is built with a field shown only when another has a value (required
only then) and a customer look-up, both shown in the preview."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.api.test_conditional_fields import accept_task
from tests.diagrams import acceptance
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workbench import select
from tests.e2e.test_workbench_panel import commit
from tests.e2e.test_workspace import complete
from tests.e2e.test_workspace import field
from tests.e2e.test_workspace import fill
from tests.e2e.test_workspace import log_in
from tests.e2e.test_workspace import wait_for_form

pytestmark = [pytest.mark.e2e, needs_chromium]

NO_LAYOUT = acceptance({})


def test_an_import_without_layout_is_laid_out_and_its_form_gets_conditions_and_look_ups(page, screenshot):
    assert "BPMNDiagram" not in NO_LAYOUT
    log_in(page, "process_owner")
    page.goto("/workbench")
    page.wait_for_selector("body[data-ready=true]")
    page.click("#wb-import-open")
    upload = {"name": "acceptance.bpmn", "mimeType": "application/xml", "buffer": NO_LAYOUT.encode()}
    page.set_input_files("#wb-import-file", files=[upload])
    page.click("#wb-import-send")
    expect(page.locator("#wb-import-laid-out")).to_be_visible()
    page.click("#wb-import-link")
    page.wait_for_selector("#workbench[data-ready=true]")
    expect(page.locator(".djs-element[data-element-id=commission]")).to_be_visible()  # drawn on the canvas
    expect(page.locator(".djs-element[data-element-id=accept]")).to_be_visible()
    expect(page.locator("#wb-layout-notice")).to_be_hidden()  # the saved draft has its layout now

    # "The same person as": the acceptance offers the steps before it, not itself nor later ones.
    select(page, "accept")
    options = page.locator("#wb-prop-same-performer option").evaluate_all("(os) => os.map((o) => o.value)")
    assert options == ["", "commission"]
    page.select_option("#wb-prop-same-performer", "commission")
    select(page, "commission")
    assert page.locator("#wb-prop-same-performer option").evaluate_all("(os) => os.map((o) => o.value)") == [""]

    # The acceptance form: a fault found (yes/no), its description shown and required only when yes,
    # and the customer looked up.
    select(page, "accept")
    page.click("#wb-form-create")
    builder = page.locator("#wb-form-builder")
    builder.locator(".fb-add[data-kind=yesno]").click()
    commit(page, "[data-key=yesno_1] .fb-key", "fault")
    builder.locator(".fb-add[data-kind=text]").click()
    commit(page, "[data-key=text_1] .fb-key", "fault_detail")
    page.select_option("[data-key=fault_detail] .fb-when-field", "fault")
    expect(page.locator("[data-key=fault_detail] .fb-when-value")).to_have_value("true")
    page.check("[data-key=fault_detail] .fb-required")
    expect(page.locator("[data-key=fault_detail] .fb-check")).to_contain_text("显示时必填")
    builder.locator(".fb-add[data-kind=customer]").click()
    commit(page, "[data-key=customer_1] .fb-fills", "address=address")
    page.click("#wb-tab-schema")
    schema = json.loads(page.input_value("#wb-form-text"))
    assert schema["properties"]["fault_detail"]["x-visible-if"] == {"fault": True}
    assert "required" not in schema  # not required while hidden
    assert schema["allOf"] == [
        {
            "$comment": "required while shown (form builder)",
            "if": {"properties": {"fault": {"not": {"enum": [False, 0, "", None, []]}}}, "required": ["fault"]},
            "then": {"required": ["fault_detail"]},
        }
    ]
    assert schema["properties"]["customer_1"]["x-lookup"] == "customer"
    assert schema["properties"]["customer_1"]["x-fills"] == {"address": "address"}

    page.click("#wb-tab-preview")
    page.wait_for_selector("#wb-form-preview[data-ready=true]")
    detail = page.locator("#wb-form-preview [data-schemapath='root.fault_detail']")
    expect(detail).to_be_hidden()
    page.check("#wb-form-preview [data-schemapath='root.fault'] input[type=checkbox]")
    expect(detail).to_be_visible()
    expect(detail).to_contain_text("必填")
    lookup = page.locator("#wb-form-preview [data-schemapath='root.customer_1'] input")
    expect(lookup).to_have_attribute("placeholder", "输入以查找客户")
    expect(lookup).to_have_attribute("list", "lookup-customer_1")
    screenshot("workbench-conditional-field.png")

    # Always shown again: plainly required, the builder's if/then gone.
    page.click("#wb-tab-builder")
    page.select_option("[data-key=fault_detail] .fb-when-field", "")
    expect(page.locator("[data-key=fault_detail] .fb-required")).to_be_checked()
    page.click("#wb-tab-schema")
    schema = json.loads(page.input_value("#wb-form-text"))
    assert schema["required"] == ["fault_detail"] and "allOf" not in schema
    assert "x-visible-if" not in schema["properties"]["fault_detail"]


def test_a_draft_without_layout_opens_laid_out_and_says_so(page, as_user):
    body = {"filename": "acceptance.bpmn", "xml": NO_LAYOUT, "forms": {}, "base_version": None}
    saved = as_user("process_owner").put("/workbench/drafts/acceptance", json=body)
    assert saved.status_code == 200, saved.json
    log_in(page, "process_owner")
    page.goto("/workbench/acceptance")
    page.wait_for_selector("#workbench[data-ready=true]")
    expect(page.locator("#wb-layout-notice")).to_be_visible()
    expect(page.locator(".djs-element[data-element-id=accept]")).to_be_visible()
    expect(page.locator("#wb-status")).to_have_text("有未保存的修改")  # the layout is saved with the draft


def test_on_the_task_page_a_conditional_field_appears_with_its_value_and_is_required_only_then(page, as_user):
    task_id = accept_task(as_user)
    log_in(page, "tech_urban1")
    page.goto(f"/tasks/{task_id}")
    wait_for_form(page, "验收")
    detail = page.locator("#task-form [data-schemapath='root.fault_detail']")
    reason = page.locator("#task-form [data-schemapath='root.reason']")
    expect(detail).to_be_hidden()
    expect(reason).to_be_hidden()
    page.check("#task-form [data-schemapath='root.fault'] input[type=checkbox]")
    page.select_option(field("result"), "rejected")
    expect(detail).to_be_visible()
    expect(reason).to_be_visible()
    page.click("#submit-form")  # shown, so required: the server says so on the fields
    expect(page.locator('.field-error[data-field="fault_detail"]')).to_be_visible()
    expect(page.locator('.field-error[data-field="reason"]')).to_be_visible()
    page.select_option(field("result"), "accepted")  # the reason is hidden again, and not sent
    expect(reason).to_be_hidden()
    fill(page, {"fault_detail": "门封条有划痕"})
    complete(page)
