"""Accessibility in a real headless Chromium (WCAG 2.2 AA): axe-core over every kind of page the
workspace serves (one pass per kind, failing on a serious or critical violation; the phone's
pages are audited in test_phone.py) and the API's Swagger UI, and a task form worked from the keyboard alone — log in,
skip to the content, open the task, send it, land on the refused field, fix it, send again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import serious_violations
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workspace import log_in
from tests.e2e.test_workspace import log_out
from tests.repair_driver import ON_SITE
from tests.repair_driver import RepairCase

pytestmark = [pytest.mark.e2e, needs_chromium]

# Routes that serve no page of their own: files, probes, redirects, diagrams' XML (the API's Swagger UI
# under /api/v1/docs is audited on its own below, with an operation and its dialog open).
NOT_PAGES = {
    "web.healthz",
    "web.readyz",
    "web.home",
    "web.next_task",
    "web.case_diagram",
    "web.vendor.vendor_file",
    "web.vendor.bpmn_font",
    "qa_page.qa_diagram",
    "live_page.diagram",
    "qa_page.qa_conformance",  # a fragment the /qa page loads into itself (audited there)
    "public_request.sent",  # needs a request sent first: audited at phone size in test_public_request.py
    "metrics",
    "static",
    # The customers' /c/ pages, audited at a phone's size in test_customer_links.py (a FOLLOW link,
    # a TASK link's form, the refusal); a paper is a PDF, /c/done a one-line thanks.
    "customer.page",
    "customer.done",
    "customer.paper",
}


def focused(page) -> dict:
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return {tag: e.tagName, name: e.name || '', id: e.id, text: e.textContent.trim().slice(0, 80),"
        " invalid: e.getAttribute('aria-invalid'), describedby: e.getAttribute('aria-describedby')} })()"
    )


def tab_to(page, matches, limit: int = 80) -> int:
    """Press Tab until the focused element ``matches``; the number of presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if matches(focused(page)):
            return presses
    raise AssertionError(f"not reached with {limit} Tab presses; focus is on {focused(page)}")


def test_a_task_form_from_the_keyboard_alone(page, as_user):
    case = RepairCase(as_user)
    case.walk(*ON_SITE[: ON_SITE.index("perform_service")])
    page.goto("/login")
    tab_to(page, lambda f: f["name"] == "username")
    page.keyboard.type("tech_urban1")
    page.keyboard.press("Tab")
    page.keyboard.type("tech_urban1")
    page.keyboard.press("Enter")
    page.wait_for_url("**/inbox")

    # The first Tab stop skips the header (eight links and buttons): from the content the task comes
    # after the tab, the filters and the sortable headers.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "跳到正文"
    page.keyboard.press("Enter")
    assert tab_to(page, lambda f: f["text"] == "实施服务") <= 16
    page.keyboard.press("Enter")
    page.wait_for_selector("#task-form[data-ready=true]")

    # Tick the test, leave the hours empty and send: focus lands on the refused field, which says why.
    tab_to(page, lambda f: f["name"] == "root[functional_test_ok]")
    page.keyboard.press("Space")
    tab_to(page, lambda f: f["id"] == "submit-form")
    page.keyboard.press("Enter")
    page.wait_for_selector('.field-error[data-field="labour_hours"]')
    refused = focused(page)
    assert refused["name"] == "root[labour_hours]" and refused["invalid"] == "true"
    assert page.locator(f"#{refused['describedby']}").inner_text() == "必填"
    expect(page.locator("#form-errors a")).to_have_text(["工时（小时）: 必填"])
    assert serious_violations(page) == []  # the task form with its refusals (axe's pass for the task page)

    page.keyboard.type("1.5")
    tab_to(page, lambda f: f["id"] == "submit-form")
    task_url = page.url
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url != task_url)
    assert "perform_service" not in case.ready()


def test_axe_finds_nothing_serious_on_any_kind_of_page(page, as_user, app):
    case, other = RepairCase(as_user), RepairCase(as_user)
    task = case.ready()["contact_customer"]["id"]
    # The agent's inbox: its tabs control a tab panel, the sortable headers say how the list is sorted,
    # and the two rows' buttons have distinct names (the task and the case beside the visible word).
    log_in(page, "agent")
    assert page.locator("#tab-group[aria-selected=true][aria-controls=inbox-panel]").count() == 1
    assert page.locator("[role=tabpanel]#inbox-panel").get_attribute("aria-labelledby") == "tab-group"
    assert sorted(page.locator("th[aria-sort]").evaluate_all("(ths) => ths.map((th) => th.ariaSort)")) == [
        "ascending",
        *["none"] * 4,
    ]
    names = page.locator("[data-action=claim]").evaluate_all("(bs) => bs.map((b) => b.getAttribute('aria-label'))")
    assert sorted(names) == sorted(f"认领: 首次联系客户，确定服务方式 · {c.body['case_no']}" for c in (case, other))
    inbox_violations = serious_violations(page)
    page.goto(f"/cases/{case.id}")
    page.wait_for_selector("#diagram.diagram-ready")
    assert page.locator("#diagram svg").first.get_attribute("role") == "img"
    assert page.locator("#diagram svg").first.get_attribute("aria-label").startswith("流程图: ")
    log_out(page)

    pages = {  # url -> what shows the page is drawn
        "/login": "form[action='/login']",
        "/request": "form[data-proof=ready]",  # the public request form (at phone size in test_public_request.py)
        f"/tasks/{task}": "#task-form[data-ready=true]",
        f"/cases/{case.id}": "#diagram.diagram-ready",
        "/notifications": "table.notifications",
        "/qa": "#qa-diagram[data-ready=true]",
        "/processes/repair/versions/1/live": "#live[data-ready=true]",
        "/workbench": "main h1",
        "/workbench/repair": "#workbench[data-ready=true]",
        "/admin/users": "main h1",
        "/admin/users/new": "main form",
        "/admin/users/agent": "main h1",
        "/admin/integrations": "main h1",
        "/workbench/repair/compare": "main h1",
        "/workbench/repair/migrate": "main h1",
        "/master": "main h1",
        "/master/customers": "main table",
        "/master/customers/new": "main form",
        "/master/customers/import": "main h1",
        "/master/customers/C001": "main h1",
        "/master/customers/C001/edit": "main form",
        "/tasks/no-such-task": "main h1",  # the workspace's error page
        "/no-such-page": "main h1",  # the same page for an unknown address, in the user's language
    }
    found = {"/inbox": inbox_violations}
    for url, drawn in pages.items():
        if url == f"/tasks/{task}":
            log_in(page, "admin")
        page.goto(url)
        page.wait_for_selector(drawn)
        found[url] = serious_violations(page)
    bad = {url: v for url, v in found.items() if v}
    assert not bad, "\n".join(f"{url}: {line}" for url, lines in bad.items() for line in lines)
    assert page.locator("main h1").inner_text() == "404 · 无法显示"  # the unknown address, last
    assert page.locator("main .error").inner_text() == "没有这个页面。"

    # Every page the workspace serves was audited above (a new kind of page joins the list).
    adapter = app.url_map.bind("localhost")
    audited = {adapter.match(url, method="GET")[0] for url in [*pages, "/inbox"] if url != "/no-such-page"}
    served = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods and not r.rule.startswith("/api/v1/")}
    assert served - NOT_PAGES - audited == set()


def test_the_api_docs_pass_axe_with_an_operation_tried_and_the_authorize_dialog_open(page):
    """Swagger UI (swagger-ui-dist) with static/css/api-docs.css and js/api-docs.js: its contrast,
    button names and targets fixed; audited closed, with an operation tried out, and its dialog."""
    page.goto("/api/v1/docs")
    page.wait_for_selector("#swagger-ui .opblock-tag")
    found = {"closed": serious_violations(page)}
    page.locator(".opblock-tag").first.click()
    page.locator(".opblock-summary-control").first.click()
    page.locator(".try-out__btn").click()
    expect(page.locator(".btn.execute")).to_be_visible()
    found["tried"] = serious_violations(page)
    page.locator(".btn.authorize").first.click()
    expect(page.locator("button.close-modal")).to_have_attribute("aria-label", "Close")  # an icon, named
    found["dialog"] = serious_violations(page)
    bad = {state: v for state, v in found.items() if v}
    assert not bad, "\n".join(f"{state}: {line}" for state, lines in bad.items() for line in lines)
