"""The administrator makes an API token and a webhook on the integrations page in Chromium: the
secret is shown once, the lists show what was made, and nothing breaks the CSP."""

from __future__ import annotations

import pytest

from tests.e2e.test_workspace import log_in

pytestmark = pytest.mark.e2e


def test_an_administrator_makes_a_token_and_a_webhook(page, screenshot):
    log_in(page, "admin")
    page.goto("/admin/users")
    page.click("#integrations")
    page.fill("#new-token input[name=name]", "ERP")
    page.select_option("#new-token select[name=username]", "agent")
    page.check("#new-token input[value=cs_agent]")
    page.click("#new-token button[type=submit]")
    secret = page.text_content("#issued-token code")
    assert secret.startswith("ast_")
    assert page.locator("table.tokens tbody tr").filter(has_text="ERP").count() == 1
    page.fill("#new-webhook input[name=name]", "CRM")
    page.fill("#new-webhook input[name=url]", "https://crm.example.com/hooks")
    page.check("#new-webhook input[value=task_completed]")
    page.click("#new-webhook button[type=submit]")
    assert page.text_content("#issued-secret code").startswith("whsec_")
    screenshot("integrations-zh.png")
    page.goto("/admin/integrations")
    assert secret not in page.content()  # shown once
    assert page.locator("table.webhooks tbody tr").filter(has_text="crm.example.com").count() == 1
