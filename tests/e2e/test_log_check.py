"""The log check on the QA page in a real headless Chromium: the auditor uploads a legacy CSV log,
sees each case's fitness and deviations, and downloads the report as XLSX."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.api.test_log_import import REPAIR_ON_SITE
from tests.api.test_log_import import csv_log
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workspace import log_in
from tests.xlsx_reader import read_xlsx

pytestmark = [pytest.mark.e2e, needs_chromium]


def test_the_auditor_checks_a_legacy_log_on_the_qa_page(page, tmp_path, screenshot):
    log = tmp_path / "old-crm.csv"
    log.write_bytes(
        csv_log(
            {
                "R1": REPAIR_ON_SITE,
                "R2": [a for a in REPAIR_ON_SITE if a != "签发售后服务通知单"],
                "R3": REPAIR_ON_SITE[:4] + ["喝茶 / Tea break"] + REPAIR_ON_SITE[4:],
            }
        )
    )
    log_in(page, "auditor")
    page.goto("/qa")
    page.set_input_files("#log-check-form input[name=file]", str(log))
    page.click("#log-check-form button[type=submit]")
    page.wait_for_selector("#log-check[data-ready=true]")
    expect(page.locator("#log-check-summary")).to_contain_text("3 个案件、36 个事件：1 个符合流程图")
    rows = page.locator(".qa-log-cases tbody tr")
    expect(rows).to_have_count(3)
    deviation = '.qa-log-cases tr[data-case="{}"] li'.format
    expect(page.locator(deviation("R2"))).to_have_text("缺少步骤: 签发售后服务通知单 (第 3 个事件)")
    expect(page.locator(deviation("R3"))).to_have_text("未知活动: 喝茶 (第 5 个事件)")
    expect(page.locator('.qa-log-cases tr[data-case="R1"] td').nth(2)).to_have_text("100%")
    page.locator("#log-check").scroll_into_view_if_needed()
    screenshot("log-check.png")
    with page.expect_download() as download:
        page.click("#log-check-result button[data-format=xlsx]")
    assert download.value.suggested_filename == "log-check-repair-v1.xlsx"
    sheets = read_xlsx(download.value.path().read_bytes())
    assert sorted(r[0] for r in sheets["案件"][1:]) == ["R1", "R2", "R3"]  # the sheets in the user's language
    expect(page.locator("#log-check-error")).to_be_hidden()
