"""The QA page in a real headless Chromium: the auditor sees the KPI trend and breaches-per-clause
charts and the repair diagram with heatmap badges, in Chinese and in English."""

from __future__ import annotations

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
    screenshot("qa-page.png")

    page.click(".lang-switch button[value=en]")
    page.wait_for_selector("#qa-diagram[data-ready=true]")
    expect(page.locator('.djs-overlay .qa-badge[data-element="contact_customer"]')).to_have_text("2 · 13.5 h · 1")
    expect(page.locator("h1")).to_contain_text("Quality overview")
    screenshot("qa-page-en.png")
