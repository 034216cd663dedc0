"""The master-data pages in Chromium: an agent creates a customer and a unit in the browser, registers
a repair for that unit (the look-up fills the form from the new records), and the customer's page
lists the case; a refused field on the form; an import with its progress; the pages on a phone and
a desktop, in Chinese and English (screenshots in tests/e2e/screenshots/master-*.png)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import DESKTOP
from tests.e2e.conftest import PHONE
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workspace import complete
from tests.e2e.test_workspace import field
from tests.e2e.test_workspace import log_in
from tests.e2e.test_workspace import wait_for_form

pytestmark = [pytest.mark.e2e, needs_chromium]


def fill_record(page, values: dict[str, str]) -> None:
    for name, value in values.items():
        selector = f"#f-{name}"
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)


def save(page) -> None:
    url = page.url
    page.click("#save-record")
    page.wait_for_url(lambda new: new != url)


def test_an_agent_creates_a_customer_and_a_unit_and_registers_a_repair_for_it(page, screenshot):
    log_in(page, "agent")
    page.click("#records-link")
    page.click("a[data-table=customers]")
    page.click("#new-record")
    fill_record(
        page,
        {
            "code": "c-e2e-1",
            "name": "赵六 Zhao Liu",
            "kind": "person",
            "region": "urban",
            "branch": "市区 Urban",
            "address": "北京市朝阳区望京街 9 号",
            "phone": "１３９ 1234 5678",  # full-width digits and spaces, as typed on some phones
        },
    )
    save(page)
    assert page.url.endswith("/master/customers/C-E2E-1?saved=1")
    assert page.locator('dd[data-field="phone"]').inner_text() == "13912345678"
    screenshot("master-customer-created.png")

    page.goto("/master/units")
    page.click("#new-record")
    fill_record(
        page,
        {
            "serial_no": "SN-E2E-0001",
            "customer_code": "C-E2E-1",
            "product_category": "refrigeration",
            "model": "BCD-600W",
            "purchase_date": "2025-12-01",
            "invoice_no": "INV-E2E-1",
        },
    )
    save(page)
    assert page.url.endswith("/master/units/SN-E2E-0001?saved=1")
    assert page.locator('dd[data-field="customer_code"] a').inner_text() == "C-E2E-1"

    # The register form's look-up finds the new unit and fills the customer and warranty facts.
    page.goto("/inbox")
    page.select_option("#start-case select[name=process]", "repair")
    page.click("#start-case button[type=submit]")
    wait_for_form(page, "登记服务请求")
    page.select_option(field("channel"), "phone")
    serial = page.locator(field("serial_no"))
    serial.fill("SN-E2E")
    page.wait_for_selector('#lookup-serial_no option[value="SN-E2E-0001"]', state="attached")
    serial.fill("SN-E2E-0001")
    serial.dispatch_event("change")
    page.wait_for_function(
        "document.querySelector('#task-form [name=\"root[customer_name]\"]').value === '赵六 Zhao Liu'"
    )
    assert page.input_value(field("customer_phone")) == "13912345678"
    assert page.input_value(field("product_model")) == "BCD-600W"
    page.fill(field("fault_description"), "不制冷 / not cooling")
    page.select_option(field("service_category"), "repair")
    assert page.input_value(field("urgency")) == ""  # the look-up fills the unit's facts, not the urgency
    page.select_option(field("urgency"), "medium")
    complete(page)
    wait_for_form(page, "首次联系客户，确定服务方式")

    # The customer's file shows the new case.
    page.goto("/master/customers/C-E2E-1")
    case_link = page.locator("#related-cases a")
    assert re.fullmatch(r"SR-2026-\d+", case_link.inner_text())
    assert page.locator("#related-units a").inner_text() == "SN-E2E-0001"
    screenshot("master-customer-with-case.png")
    case_link.click()
    page.wait_for_selector("#diagram.diagram-ready")


def test_a_refused_field_is_marked_and_the_typing_kept(page, screenshot):
    log_in(page, "agent")
    page.goto("/master/customers/new")
    fill_record(page, {"code": "C-BAD", "name": "钱七", "kind": "company", "phone": "12"})
    page.click("#save-record")
    error = page.locator('.field-error[data-field="phone"]')
    error.wait_for()
    assert "5 到 20 位数字" in error.inner_text()
    assert page.locator('.field-error[data-field="address"]').inner_text() == "必填"
    assert page.input_value("#f-name") == "钱七"
    screenshot("master-form-refused.png")


def test_an_import_shows_its_dry_run_and_its_progress(page, tmp_path, screenshot):
    rows = ["编号,名称,类别,区域,网点,地址,电话"]
    rows += [f"IMP{i:04},导入客户 {i},person,urban,市区,北京市 {i} 号,139{i:08}" for i in range(1200)]
    sheet = tmp_path / "customers.csv"
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    log_in(page, "agent")
    page.goto("/master/customers")
    page.click("#import-records")
    page.set_input_files("#import-file-input", str(sheet))
    page.click("#import-file button[type=submit]")
    page.wait_for_selector("#import-mapping-step:not([hidden])")
    assert page.input_value('select[data-column="电话"]') == "phone"
    page.click("#import-dry-run")
    page.wait_for_selector("#import-report-step:not([hidden])")
    assert page.locator("#import-counts [data-action=create] strong").inner_text() == "1200"
    screenshot("master-import-dry-run.png")
    page.click("#import-apply")
    page.wait_for_selector("#import-progress-step[data-finished=true]")
    assert "1200 / 1200" in page.locator("#import-progress-text").inner_text()
    assert "新建 1200 条" in page.locator("#import-result").inner_text()
    screenshot("master-import-done.png")
    page.goto("/master/customers?q=IMP")
    assert page.locator("#record-count").inner_text().startswith("1200 条记录")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_pages_on_a_phone_and_a_desktop(page, as_user, screenshot, language):
    for code, kind, name, amount, extra in (
        ("P-RELAY-01", "part", "启动继电器 Start relay", "45.00", {"unit": "个"}),
        ("P-COMP-02", "part", "压缩机 Compressor BCD-520", "1280.00", {"unit": "台"}),
        ("L-REPAIR", "labour", "维修工时 Repair labour", "80.00", {"unit": "小时", "service_category": "repair"}),
        ("T-SUBURB", "travel", "郊区上门费 Suburban travel", "60.00", {"region": "suburban"}),
    ):
        price = {"code": code, "kind": kind, "name": name, "unit_price": amount, **extra}
        assert as_user("finance").post("/master/prices", json=price).status_code == 201
    log_in(page, "tech_urban1")
    if language == "en":
        page.click(".lang-switch button[value=en]")
        page.wait_for_url("**/inbox")
    page.goto("/master/customers")  # not for a technician
    assert "403" in page.locator("h1").inner_text()
    for size, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(size)
        page.goto("/master/prices")
        screenshot(f"master-prices-{name}-{language}.png")
        # Nothing but the list itself is wider than the screen: it scrolls inside its box.
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than the {name} screen"
    page.goto("/master/technicians")
    assert "403" in page.locator("h1").inner_text()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_record_pages_on_a_phone(page, screenshot, language):
    log_in(page, "agent")
    if language == "en":
        page.click(".lang-switch button[value=en]")
        page.wait_for_url("**/inbox")
    page.set_viewport_size(PHONE)
    for url, name in (
        ("/master/customers", "list"),
        ("/master/customers/C003", "record"),
        ("/master/units/new", "form"),
    ):
        page.goto(url)
        screenshot(f"master-{name}-phone-{language}.png")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{url} is {overflow}px wider than the phone"
    page.set_viewport_size(DESKTOP)
    page.goto("/master/customers")
    screenshot(f"master-list-desktop-{language}.png")
