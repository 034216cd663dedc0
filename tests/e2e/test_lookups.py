"""In the browser, a unit looked up by its serial number fills the register form's warranty facts."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workspace import field
from tests.e2e.test_workspace import log_in
from tests.e2e.test_workspace import wait_for_form

pytestmark = [pytest.mark.e2e, needs_chromium]


def test_picking_a_unit_fills_the_customer_and_warranty_fields(page, screenshot):
    log_in(page, "agent")
    page.select_option("#start-case select[name=process]", "repair")
    page.click("#start-case button[type=submit]")
    wait_for_form(page, "登记服务请求")
    serial = page.locator(field("serial_no"))
    serial.fill("SN-IT-50")
    page.wait_for_selector('#lookup-serial_no option[value="SN-IT-5001"]', state="attached")
    serial.fill("SN-IT-5001")
    serial.dispatch_event("change")
    page.wait_for_function("document.querySelector('#task-form [name=\"root[contract_no]\"]').value === 'MC-2026-003'")
    assert page.input_value(field("customer_name")) == "北方精密机械有限公司 Northern Precision"
    assert page.input_value(field("product_model")) == "SRV-R740"
    screenshot("lookup-filled.png")
