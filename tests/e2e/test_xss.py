"""Stored XSS in a real headless Chromium, with no Content-Security-Policy to help: a version of a
diagram (deployed before the deploy refused markup, so the checks are off while it is deployed) whose
form carries markup and json-editor hooks in every string the pages show, and a case whose data carries
markup. The task page (both languages) and the workbench's preview show the texts as plain text and no
payload runs; the diagram's XML, opened directly, is plain text and its XHTML <script> does not run."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.engine import rules
from app.services.processes.deployments import deploy_directory
from tests import xss_payloads
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workspace import log_in

pytestmark = [pytest.mark.e2e, needs_chromium]


@pytest.fixture
def app(app, tmp_path, monkeypatch):
    """The usual app plus the hostile ``xss`` process, and no Content-Security-Policy on any answer."""
    with monkeypatch.context() as patch:
        before_the_checks = tuple(r for r in rules.RULES if r.id not in ("no-active-content", "form-plain-text"))
        patch.setattr(rules, "RULES", before_the_checks)  # as deployed before the markup checks
        deploy_directory(app.extensions["aftersales"], xss_payloads.write(tmp_path / "processes"), actor="tests")

    served = app.wsgi_app

    def without_csp(environ, start_response):
        def start(status, headers, exc_info=None):
            kept = [(name, value) for name, value in headers if name.lower() != "content-security-policy"]
            return start_response(status, kept, exc_info)

        return served(environ, start)

    app.wsgi_app = without_csp
    return app


def attacked(page) -> list[str]:
    """The payloads that ran, once every image the page asked for has loaded or failed."""
    page.wait_for_load_state("networkidle")
    ran = page.evaluate("() => window.__xss || []")
    return ran + (["document.title"] if page.title() == "XSS" else [])


def open_task(page, as_user) -> int:
    case = as_user("agent").post(f"/processes/{xss_payloads.KEY}/instances", json=xss_payloads.CASE_DATA).json
    task = as_user("agent").get(f"/tasks?instance_id={case['id']}").json[0]
    log_in(page, "agent")
    page.goto(f"/tasks/{task['id']}")
    page.wait_for_selector("#task-form[data-ready=true]")
    return case["id"]


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_a_hostile_form_and_case_data_run_nothing_on_the_task_page(page, as_user, screenshot, language):
    open_task(page, as_user)
    if language == "en":
        page.click(".lang-switch button[value=en]")
        page.wait_for_selector("#task-form[data-ready=true]")
    form = page.locator("#task-form")
    page.click("#task-form [name='root[focused]']")  # an input attribute "onfocus" would run now
    for link in form.locator("a").all():
        link.click()
    assert attacked(page) == []

    # No markup of the form reached the page: its texts are plain text, in the user's language.
    expect(form.locator("img, script, a[href^='javascript:'], [onfocus], [onerror]")).to_have_count(0)
    note = "备注" if language == "zh_Hans" else "Note"
    expect(form.locator("label", has_text=note).first).to_have_text(note)
    options = form.locator("[name='root[choice]'] option")
    expect(options.first).to_have_text("请选择" if language == "zh_Hans" else "Please choose")  # none chosen yet
    expect(options.nth(1)).to_have_text("甲" if language == "zh_Hans" else "A")
    # What the user typed earlier is the field's value exactly (not run, not stripped, not escaped).
    assert page.input_value("#task-form [name='root[note]']") == xss_payloads.CASE_DATA["note"]
    # The diagram's instructions and names are shown literally (Jinja escapes them).
    expect(page.locator(".instructions")).to_contain_text("<img src=x onerror=")
    screenshot(f"xss-task-form-{language}.png")


def test_what_a_user_types_is_kept_exactly_not_cleaned_as_html(page, as_user):
    open_task(page, as_user)
    page.click("[data-action=claim]")  # the page reloads with the task the agent's
    page.wait_for_selector("[data-action=unclaim]")
    page.wait_for_selector("#task-form[data-ready=true]")
    typed = "A&B <Co> 3<5 x<y &amp; <b>bold</b>"
    note = "#task-form [name='root[note]']"
    page.fill(note, typed)
    page.click("#save-draft")  # leaving the field runs json-editor's change handler on the value
    page.wait_for_selector("#discard-draft:not([hidden])")
    assert page.input_value(note) == typed
    page.reload()
    page.wait_for_selector("#task-form[data-ready=true]")
    assert page.input_value(note) == typed  # the draft, set back into the form
    assert attacked(page) == []


def test_the_workbench_preview_of_a_hostile_form_runs_nothing(page):
    log_in(page, "process_owner")
    page.goto(f"/workbench/{xss_payloads.KEY}")
    page.wait_for_selector("#workbench[data-ready=true]")
    page.evaluate(
        """() => {
          const modeler = window.Workbench.modeler
          modeler.get('selection').select(modeler.get('elementRegistry').get('fill'))
        }"""
    )
    page.click("#wb-tab-preview")
    preview = page.locator("#wb-form-preview")
    expect(preview).to_have_attribute("data-ready", "true")
    page.click("#wb-form-preview [name='root[focused]']")
    assert attacked(page) == []
    expect(preview.locator("img, script, a[href^='javascript:'], [onfocus], [onerror]")).to_have_count(0)
    expect(preview.locator("label", has_text="备注").first).to_have_text("备注")


def test_a_diagrams_xml_opened_in_the_browser_is_plain_text_and_runs_nothing(page, as_user):
    case_id = open_task(page, as_user)
    log_in(page, "admin")
    for url in (
        f"/workspace/cases/{case_id}/diagram.xml",
        f"/qa/diagram/{xss_payloads.KEY}.xml",
        f"/processes/{xss_payloads.KEY}/versions/1/live/diagram.xml",
    ):
        response = page.goto(url)
        assert response.status == 200, url
        assert attacked(page) == [], url
        assert response.headers["content-type"] == "text/plain; charset=utf-8", url
        assert response.headers["x-content-type-options"] == "nosniff", url
        expect(page.locator("body")).to_contain_text("documentation script")  # shown as text


def test_the_case_page_still_draws_the_diagram_it_fetches(page, as_user):
    case_id = open_task(page, as_user)
    page.goto(f"/cases/{case_id}")
    page.wait_for_selector("#diagram.diagram-ready .marker-ready")
    assert attacked(page) == []
