"""The workbench's properties panel, bpmnlint, form preview and the live viewer, in a real headless Chromium:
the process owner sets a timer's clause, kind and expression through the panel (undoable), sees a
lint issue on a new element, previews a task's form as staff see it, and follows a started case on
the version's live counts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import expect

from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workbench import select
from tests.e2e.test_workspace import log_in
from tests.repair_driver import RepairCase

pytestmark = [pytest.mark.e2e, needs_chromium]

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def open_workbench(page, key: str = "repair") -> None:
    log_in(page, "process_owner")
    page.goto(f"/workbench/{key}")
    page.wait_for_selector("#workbench[data-ready=true]")


def modeler_xml(page) -> str:
    return page.evaluate("async () => (await window.Workbench.modeler.saveXML({ format: true })).xml")


def properties_of(xml: str, element_id: str) -> dict[str, str]:
    node = etree.fromstring(xml.encode()).find(f".//*[@id='{element_id}']")
    return {p.get("name"): p.get("value") for p in node.iter(f"{{{SPIFF}}}property")}


def commit(page, selector: str, value: str) -> None:
    """Type into a panel field and leave it: the panel applies a field's value when it changes."""
    page.fill(selector, value)
    page.press(selector, "Tab")


def test_the_panel_sets_a_timers_clause_kind_and_expression(page, as_user, screenshot):
    open_workbench(page)
    expect(page.locator("#wb-props-hint")).to_be_visible()
    select(page, "rtf_overdue")
    expect(page.locator("#wb-props-type")).to_have_text("bpmn:IntermediateCatchEvent")
    expect(page.locator("#wb-prop-id")).to_have_value("rtf_overdue")
    expect(page.locator("#wb-prop-name-zh")).to_have_value("返修超期")
    expect(page.locator("#wb-prop-name-en")).to_have_value("Factory repair overdue")
    expect(page.locator("#wb-props-timer")).to_be_visible()
    expect(page.locator("#wb-props-task")).to_be_hidden()
    expect(page.locator("#wb-prop-timer-kind")).to_have_value("escalation")
    expect(page.locator("#wb-prop-timer-expr")).to_have_value('"P10D"')

    commit(page, "#wb-prop-clause", "001 §2.2 / D-01")
    page.select_option("#wb-prop-timer-kind", "deadline")
    commit(page, "#wb-prop-timer-expr", '"PT12H"')
    expect(page.locator("#wb-status")).to_have_text("有未保存的修改")
    xml = modeler_xml(page)
    assert properties_of(xml, "rtf_overdue") == {"timer_kind": "deadline", "clause": "001 §2.2 / D-01"}
    assert '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT12H"</bpmn:timeDuration>' in xml
    screenshot("workbench-panel-timer.png")

    # Each change is one modeling command: undo takes back the last one, and the panel follows.
    page.evaluate("() => window.Workbench.modeler.get('commandStack').undo()")
    expect(page.locator("#wb-prop-timer-expr")).to_have_value('"P10D"')
    expect(page.locator("#wb-prop-timer-kind")).to_have_value("deadline")
    page.evaluate("() => window.Workbench.modeler.get('commandStack').redo()")
    expect(page.locator("#wb-prop-timer-expr")).to_have_value('"PT12H"')

    # The server validates and keeps what the panel wrote.
    page.click("#wb-validate")
    expect(page.locator("#wb-problems-none")).to_be_visible()
    page.click("#wb-save-draft")
    expect(page.locator("#wb-status")).to_contain_text("草稿已保存")
    saved = as_user("process_owner").get("/workbench/drafts/repair").json["xml"]
    assert properties_of(saved, "rtf_overdue") == {"timer_kind": "deadline", "clause": "001 §2.2 / D-01"}


def test_the_panel_gives_a_new_timer_its_properties_and_lint_marks_it(page):
    open_workbench(page)
    expect(page.locator(".bjsl-button")).to_have_text("无问题")  # bpmnlint's badge, in Chinese: our diagrams pass it
    expect(page.locator(".djs-overlays .bjsl-overlay")).to_have_count(0)
    page.evaluate(
        """() => {
          const modeler = window.Workbench.modeler
          const registry = modeler.get('elementRegistry')
          const host = registry.get('diagnose_on_site')
          const event = modeler.get('elementFactory').createShape({
            type: 'bpmn:BoundaryEvent', eventDefinitionType: 'bpmn:TimerEventDefinition'
          })
          const at = { x: host.x + host.width, y: host.y + host.height }
          modeler.get('selection').select(modeler.get('modeling').createShape(event, at, host, { attach: true }))
        }"""
    )
    expect(page.locator("#wb-props-timer")).to_be_visible()
    expect(page.locator("#wb-prop-id")).to_have_value(re.compile(r"^Event_"))
    commit(page, "#wb-prop-id", "diagnosis_late")
    expect(page.locator("#wb-prop-id-error")).to_be_hidden()
    commit(page, "#wb-prop-name-zh", "诊断超期")
    commit(page, "#wb-prop-name-en", "Diagnosis late")
    commit(page, "#wb-prop-clause", "000 §4.5.6")
    page.select_option("#wb-prop-timer-kind", "reminder")
    commit(page, "#wb-prop-timer-expr", '"P1D"')
    xml = modeler_xml(page)
    assert properties_of(xml, "diagnosis_late") == {"clause": "000 §4.5.6", "timer_kind": "reminder"}
    node = etree.fromstring(xml.encode()).find(".//*[@id='diagnosis_late']")
    assert node.get("name") == "诊断超期 / Diagnosis late"
    assert node.find(f".//{{{BPMN}}}timeDuration").text == '"P1D"'

    # An id already taken is refused where it is typed.
    commit(page, "#wb-prop-id", "diagnose_on_site")
    expect(page.locator("#wb-prop-id-error")).to_contain_text("diagnose_on_site")
    assert page.evaluate("() => Boolean(window.Workbench.modeler.get('elementRegistry').get('diagnosis_late'))")

    # A timer leading nowhere: bpmnlint marks it on the diagram before any validation.
    issue = page.locator('.djs-overlays[data-container-id="diagnosis_late"] .bjsl-overlay')
    expect(issue).to_be_visible()
    expect(page.locator(".bjsl-button")).to_contain_text("个错误")
    issue.hover()
    expect(page.locator('.djs-overlays[data-container-id="diagnosis_late"] .bjsl-dropdown')).to_contain_text(
        "implicit end"
    )


def test_a_user_tasks_form_is_previewed_as_staff_see_it(page, screenshot):
    open_workbench(page)
    select(page, "contact_customer")
    expect(page.locator("#wb-props-task")).to_be_visible()
    expect(page.locator("#wb-prop-form")).to_have_value("forms/repair/contact_customer.json")
    instructions = page.locator("#wb-prop-instructions")
    expect(instructions).to_have_value(
        re.compile(r"^接到服务申请后24小时内联系上客户.* / Reach the customer within 24 h")
    )
    page.click("#wb-tab-preview")
    preview = page.locator("#wb-form-preview")
    expect(preview).to_have_attribute("data-ready", "true")
    expect(preview.locator("input[type=checkbox][name='root[customer_reached]']")).to_be_visible()
    expect(page.locator("#wb-form-text")).to_be_hidden()
    screenshot("workbench-form-preview.png")

    # Broken JSON shows why there is no preview instead of a stale or empty form.
    page.click("#wb-tab-schema")
    page.fill("#wb-form-text", '{"type": "object",')
    page.click("#wb-tab-preview")
    expect(page.locator("#wb-preview-error")).to_contain_text("JSON")
    expect(preview.locator("input")).to_have_count(0)


def test_the_live_viewer_shows_where_a_started_case_waits(page, as_user, screenshot):
    as_user("agent").post("/processes/repair/instances")
    RepairCase(as_user)  # registered: waits at contact_customer, its 24 h timer too
    open_workbench(page)
    with page.expect_navigation():
        page.click("#wb-versions li[data-version='1'] a.wb-live")
    page.wait_for_selector("#live[data-ready=true]")
    badge = page.locator('.djs-overlay .live-badge[data-element="register_request"]')
    expect(badge).to_have_text("1")
    expect(page.locator('.djs-overlay .live-badge[data-element="contact_customer"]')).to_have_text("1")
    timer = page.locator('.djs-overlay .live-badge.live-timer[data-element="contact_overdue"]')
    expect(timer).to_have_text("1")
    expect(timer).to_have_attribute("title", re.compile("2026-03-03 09:00"))
    expect(page.locator("#live-summary")).to_contain_text("2")

    # Counts follow the cases: a second case waits at the same task after the next refresh.
    as_user("agent").post("/processes/repair/instances")
    page.evaluate("() => window.LiveView.refresh()")
    expect(badge).to_have_text("2")
    expect(page.locator(".bjs-powered-by")).to_be_visible()
    # A badge is a button listing the cases waiting there, each linked to its case.
    page.locator('.djs-overlay .live-badge[data-element="contact_customer"]').click()
    cases = page.locator("#live-cases-list li")
    expect(cases).to_have_count(1)
    expect(page.locator("#live-cases-title")).to_be_focused()
    expect(page.locator("#live-cases-title")).to_contain_text("1 个案件在“首次联系客户")
    expect(cases.locator("a")).to_have_attribute("href", re.compile(r"^/cases/\d+$"))
    expect(page.locator("#live .diagram-toolbar button")).to_have_count(4)
    screenshot("live-counts.png", docs="live-counts.png")


def test_the_modeler_keeps_every_diagrams_spiffworkflow_extensions_and_lints_them_clean(page):
    open_workbench(page)
    for path in sorted(PROCESSES.glob("*.bpmn")):
        original = path.read_text(encoding="utf-8")
        result = page.evaluate(
            """async (xml) => {
              const modeler = window.Workbench.modeler
              const { warnings } = await modeler.importXML(xml)
              const issues = await modeler.get('linting').lint()
              const { xml: exported } = await modeler.saveXML({ format: true })
              return { warnings: warnings.map((w) => w.message), issues, exported }
            }""",
            original,
        )
        assert result["warnings"] == [], path.name
        assert result["issues"] == {}, path.name  # .bpmnlintrc fits our conventions
        assert extensions(result["exported"]) == extensions(original), path.name


def extensions(xml: str) -> dict[str, list]:
    """Every extensionElements block by its owner: each child's tag, attributes, text and children."""

    def describe(node):
        return (etree.QName(node).text, dict(node.attrib), (node.text or "").strip(), [describe(c) for c in node])

    root = etree.fromstring(xml.encode())
    found = {}
    for block in root.iter(f"{{{BPMN}}}extensionElements"):
        owner = block.getparent()
        key = owner.get("id") or f"{owner.getparent().get('id')}/{etree.QName(owner).localname}"
        found[key] = [describe(child) for child in block]
    assert found, "no extension elements found"
    return found
