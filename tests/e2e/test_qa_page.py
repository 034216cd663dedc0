"""The QA page in a real headless Chromium: the auditor sees the KPI trend and breaches-per-clause
charts and the repair diagram with heatmap badges, in Chinese and in English; the conformance of the
cases in the page; the diagrams' zoom, fit and full-screen toolbar (QA and case page)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.demo.history import open_history
from app.services.timing.timer_firing import fire_due
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workspace import log_in
from tests.repair_driver import RepairCase

pytestmark = [pytest.mark.e2e, needs_chromium]


def test_the_auditor_sees_charts_and_the_heatmap_on_the_diagram(page, ctx, clock, as_user, screenshot):
    open_history(ctx)  # closed cases in 2025's quarters: the KPI trend has figures
    on_time, late = RepairCase(as_user), RepairCase(as_user)
    clock.advance(timedelta(hours=2))
    on_time.do("contact_customer")
    clock.advance(timedelta(hours=23))
    fire_due(ctx)  # the late case's 24 h contact escalates
    late.do("supervisor_contact_followup")
    late.do("contact_customer")
    # A third case whose first contact a process owner completed by hand: a deviation.
    by_hand = RepairCase(as_user)
    task = by_hand.ready()["contact_customer"]
    skipped = as_user("process_owner").post(
        f"/instances/{by_hand.id}/tasks/{task['id']}/skip",
        json={"reason": "在系统外电话联系", "data": {"customer_reached": True, "service_mode": "on_site"}},
    )
    assert skipped.status_code == 200, skipped.json

    log_in(page, "auditor")
    page.click("#qa-link")
    page.wait_for_url("**/qa")
    page.wait_for_selector("#kpi-chart[data-ready=true]")
    page.wait_for_selector("#clause-chart[data-ready=true]")
    page.wait_for_selector("#qa-diagram[data-ready=true]")
    badge = page.locator('.djs-overlay .qa-badge[data-element="contact_customer"]')
    expect(badge).to_have_text("2 · 13.5 小时 · 1")  # median of 2 h and 25 h; one breach
    expect(badge).to_have_class("qa-badge heat-2")
    # The hottest: nobody checked in on site within the arrival promise in either case.
    arrival = page.locator('.djs-overlay .qa-badge[data-element="record_arrival"]')
    expect(arrival).to_have_class("qa-badge heat-3")
    expect(arrival).to_contain_text("· 2")
    assert page.locator("#kpi-chart").bounding_box()["height"] > 200
    expect(page.locator("#qa-error")).to_be_hidden()
    # Conformance of the system's own cases in the page, each deviation linked to its case.
    expect(page.locator("#conformance-summary")).to_contain_text("3 个案件：2 个完全符合")
    deviation = page.locator('.qa-deviation-elements tr[data-element="contact_customer"]')
    expect(deviation).to_contain_text("跳过的步骤")
    expect(deviation.locator("a")).to_have_attribute("href", f"/cases/{by_hand.id}")
    expect(page.locator(".qa-kpi-trend tr.qa-score th")).to_have_text("加权得分")
    expect(page.locator('.qa-clauses tr[data-clause="D-01"] td').first).to_contain_text("D-01 24小时未联系")
    # The diagram's toolbar: labelled buttons, zoom in by keyboard, fit back.
    diagram = page.locator("#qa-diagram")
    zoom_in = diagram.get_by_role("button", name="放大")
    before = zoom(page, "#qa-diagram")
    zoom_in.focus()
    page.keyboard.press("Enter")
    assert zoom(page, "#qa-diagram") == pytest.approx(before * 1.25, rel=0.01)
    diagram.get_by_role("button", name="显示整个流程图").click()
    assert zoom(page, "#qa-diagram") < before  # the whole procedure fits only below the readable zoom
    diagram.get_by_role("button", name="全屏").click()
    expect(diagram).to_have_class(re.compile("diagram-fullscreen"))
    assert page.evaluate("document.fullscreenElement && document.fullscreenElement.id") == "qa-diagram"
    expect(diagram.get_by_role("button", name="退出全屏")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Escape")
    page.evaluate("document.fullscreenElement && document.exitFullscreen()")
    expect(diagram).not_to_have_class(re.compile("diagram-fullscreen"))
    page.wait_for_selector("#conformance[data-ready=true]")
    screenshot("qa-page.png", docs="qa-page.png")

    page.click(".lang-switch button[value=en]")
    page.wait_for_selector("#qa-diagram[data-ready=true]")
    expect(page.locator('.djs-overlay .qa-badge[data-element="contact_customer"]')).to_have_text("2 · 13.5 h · 1")
    expect(page.locator("h1")).to_contain_text("Quality overview")
    expect(page.locator("#conformance h2")).to_have_text("Conformance of this system's cases")
    expect(page.locator("#qa-diagram").get_by_role("button", name="Zoom in")).to_be_visible()
    screenshot("qa-page-en.png")

    # A case's diagram has the same toolbar; + on the focused diagram zooms in.
    page.goto(f"/cases/{late.id}")
    page.wait_for_selector("#diagram.diagram-ready")
    before = zoom(page, "#diagram")
    page.locator("#diagram").focus()
    page.keyboard.press("+")
    assert zoom(page, "#diagram") == pytest.approx(before * 1.25, rel=0.01)
    expect(page.locator("#diagram").get_by_role("button", name="Full screen")).to_be_visible()
    screenshot("case-diagram-en.png")
    page.click(".lang-switch button[value=zh_Hans]")
    page.wait_for_selector("#diagram.diagram-ready")
    expect(page.locator("#diagram").get_by_role("button", name="缩小")).to_be_visible()
    screenshot("case-diagram.png", docs="case-diagram.png")


def zoom(page, selector: str) -> float:
    """The diagram's current scale (diagram-js' viewport transform)."""
    return page.evaluate(
        "(s) => document.querySelector(s + ' .viewport').transform.baseVal.consolidate().matrix.a", selector
    )
