"""End-to-end fixtures: the app of tests/conftest.py (migrated database, deployed processes,
master data, users whose password is their name) served on 127.0.0.1 by a werkzeug server in a
thread, and Debian's headless Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="end-to-end tests need Debian's Chromium at /usr/bin/chromium (`make setup`)"
)


FILE_PATHS = ("/static/", "/vendor/")  # the responses that are files on disk


def files_read_at_once(app):
    """``app`` answering file requests with their bytes read and the file closed at once. Werkzeug's
    server closes a response only after draining the request, and a browser that leaves the page
    mid-request makes that drain raise: the file was then left open until the collector found it, and
    its ResourceWarning failed whichever test was running (warnings are errors)."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        if not environ.get("PATH_INFO", "").startswith(FILE_PATHS):
            return body
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture
def live_server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, files_read_at_once(app), threaded=True)
    # Closing waits for the requests still being answered (a page's last autosave): a request thread
    # left running would hold a database connection past the app's disposal.
    server.daemon_threads, server.block_on_close = False, True
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


# Every Content-Security-Policy violation is also reported as a console message, so none goes unseen
# even when the browser's own "Refused to ..." message is worded differently.
REPORT_CSP_VIOLATIONS = """
window.cspViolations = []
document.addEventListener('securitypolicyviolation', (e) => {
  window.cspViolations.push(e.violatedDirective)
  const where = `${e.sourceFile}:${e.lineNumber}`
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${where})`)
})
"""


def is_csp_violation(text: str) -> bool:
    return text.startswith(("Refused to", "CSP violation")) or "Content Security Policy" in text


@pytest.fixture
def csp_violations() -> list[str]:
    """The page's CSP violations so far (each test ends with none: see ``page``)."""
    return []


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@contextmanager
def watched_context(browser, live_server: str, csp_violations: list[str], **options: Any) -> Iterator[Any]:
    """A browser context (Chinese, 10 s timeouts) whose every page fails the test, when the context
    closes, on a JavaScript error or a Content-Security-Policy violation."""
    context = browser.new_context(base_url=live_server, locale="zh-CN", **options)
    context.set_default_timeout(10_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    errors: list[str] = []

    def watch(page) -> None:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda message: is_csp_violation(message.text) and csp_violations.append(message.text))

    context.on("page", watch)
    yield context
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
    assert not csp_violations, f"the Content-Security-Policy refused something the page needs: {csp_violations}"


@pytest.fixture
def page(browser, live_server, csp_violations):
    """A desktop browser's page."""
    with watched_context(browser, live_server, csp_violations, viewport=DESKTOP) as context:
        yield context.new_page()


@pytest.fixture
def phone(browser, live_server, csp_violations):
    """A phone's browser (390×844, touch; open pages with ``phone.new_page()``), e.g. two people's pages."""
    with watched_context(browser, live_server, csp_violations, viewport=PHONE, has_touch=True) as context:
        yield context


@pytest.fixture
def phone_page(phone):
    """A page on a phone: the customer's, or the technician's at the site."""
    return phone.new_page()


def shoot(page, name: str) -> None:
    """Save a full-page screenshot into tests/e2e/screenshots/ (to look at after the run)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@pytest.fixture
def screenshot(page):
    """Save a screenshot into tests/e2e/screenshots/; with ``AFTERSALES_DOCS_SCREENSHOTS=DIR`` the
    ones given a ``docs`` name are also saved there (the README's pictures: docs/screenshots)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    docs_dir = os.environ.get("AFTERSALES_DOCS_SCREENSHOTS")

    def take(name: str, docs: str | None = None) -> None:
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        if docs and docs_dir:
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(Path(docs_dir) / docs))

    return take
