"""The pages work under the Content-Security-Policy (script only from the service's own files): the
inbox, a task form with its signature pad, the case page with its diagram, the QA page with its
charts and the workbench's modeler, walked in Chromium without one violation (the ``page`` fixture
fails the test on any)."""

from __future__ import annotations

import pytest

from app.handlers.security_headers import CONTENT_SECURITY_POLICY
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workspace import log_in
from tests.repair_driver import RepairCase

pytestmark = [pytest.mark.e2e, needs_chromium]


def test_the_pages_work_under_the_policy(page, as_user, csp_violations):
    case = RepairCase(as_user)
    task_id = case.ready()["contact_customer"]["id"]
    log_in(page, "admin")
    answer = page.goto("/inbox")
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY

    page.goto(f"/tasks/{task_id}")
    page.wait_for_selector("#task-form[data-ready=true]")

    page.goto(f"/cases/{case.id}")
    page.wait_for_selector("#diagram.diagram-ready")

    page.goto("/qa")
    page.wait_for_selector("#kpi-chart[data-ready=true]")
    page.wait_for_selector("#qa-diagram[data-ready=true]")

    page.goto("/workbench/repair")
    page.wait_for_selector("#workbench[data-ready=true]")
    page.wait_for_selector("#wb-canvas .djs-container svg")
    assert csp_violations == []


def test_a_violation_is_caught(page, csp_violations):
    """The watch of the ``page`` fixture sees what the policy refuses: here an inline event handler."""
    page.goto("/login")
    page.evaluate("""document.body.insertAdjacentHTML('beforeend', '<img src="/nothing.png" onerror="1">')""")
    page.wait_for_function("() => window.cspViolations.length > 0")  # reported once the image failed
    assert any("script-src" in text or "inline" in text for text in csp_violations), csp_violations
    csp_violations.clear()  # expected here; the fixture's final check stays for everything else


def test_swagger_ui_renders_the_api_under_the_policy(page, csp_violations):
    """/api/v1/docs: swagger-ui-dist's bundle and the page's own script, no inline script or eval."""
    answer = page.goto("/api/v1/docs")
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    # every tag of the document, closed (120 paths drawn open at once stopped Swagger UI after a dozen);
    # a tag opened shows its operations
    tags = page.request.get("/api/v1/openapi.json").json()["tags"]
    page.locator(".swagger-ui .opblock-tag").nth(len(tags) - 1).wait_for(timeout=30000)
    assert page.locator(".swagger-ui .opblock-tag").count() == len(tags)
    external = next(t["name"] for t in tags if "external" in t["name"])
    page.locator(f".swagger-ui .opblock-tag[data-tag={external}]").click()
    page.locator(".swagger-ui .opblock", has_text="/api/v1/external-tasks/fetch-and-lock").wait_for()
    assert csp_violations == []
