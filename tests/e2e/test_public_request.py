"""The public service request form on a phone (390×844) in a real headless Chromium, no account: the
page's script finds the proof of work, a refused field says why in the customer's language with
everything typed kept, a photo goes with the request, and the confirmation shows the case number.
Screenshots: tests/e2e/screenshots/request-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import make_app
from tests.e2e.accessibility import serious_violations
from tests.e2e.conftest import PHONE
from tests.e2e.conftest import needs_chromium
from tests.e2e.conftest import shoot
from tests.e2e.test_phone import JPEG

pytestmark = [pytest.mark.e2e, needs_chromium]

BITS = 12  # a real search in the page, but a short one on a loaded test machine
HOTLINE = "400-820-1234"  # the install's own number (none is named by default)


@pytest.fixture
def app(database_url, clock, seeded_templates):
    seeded_templates.restore(database_url, clock.now())
    app = make_app(database_url, clock, create=False, PUBLIC_REQUEST_PROOF_BITS=BITS, SERVICE_HOTLINE=HOTLINE)
    yield app
    app.extensions["aftersales.db"].dispose()


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for target in ("#customer_name", "#customer_phone", "#service_category", "#fault_description", "#photo-1"):
        box = page.locator(target).bounding_box()
        assert box["height"] >= 44 and box["width"] > 300, target
    assert page.locator("main button[type=submit]").bounding_box()["height"] >= 44


def _case(as_user, case_no: str) -> dict:
    [row] = as_user("admin").get(f"/instances?case_no={case_no}").json
    return row


def test_a_customer_requests_service_from_a_phone_in_chinese(phone_page, as_user):
    page = phone_page
    page.goto("/request")
    expect(page.locator("main h1")).to_have_text("在线报修")
    expect(page.locator("form[data-proof=ready]")).to_have_count(1)  # the script found the proof of work
    _fits_the_phone(page)
    trap = page.locator("#website").bounding_box()
    assert trap["x"] + trap["width"] < 0  # the honeypot: off the screen, a person never fills it
    assert serious_violations(page) == []
    page.fill("#customer_name", "陈静")
    page.fill("#customer_phone", "13900000099")
    page.select_option("#product_category", "laundry")
    page.fill("#fault_description", "洗衣机不排水")
    shoot(page, "request-form-zh.png")

    # No address: the field says so, in Chinese, and nothing typed is lost.
    page.click("main button[type=submit]")
    expect(page.locator("#address-error")).to_have_text("请填写此项。")
    expect(page.locator("#address")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#customer_name")).to_have_value("陈静")
    expect(page.locator("#fault_description")).to_have_value("洗衣机不排水")
    expect(page.locator("#product_category")).to_have_value("laundry")
    assert serious_violations(page) == []
    shoot(page, "request-errors-zh.png")

    page.fill("#address", "北京市东城区东四十条 9 号")
    page.set_input_files("#photo-1", files=[{"name": "fault.jpg", "mimeType": "image/jpeg", "buffer": JPEG}])
    page.click("main button[type=submit]")
    page.wait_for_url("**/request/sent")
    case_no = page.locator("#case-number").inner_text()
    assert case_no.startswith("SR-")
    expect(page.locator("#hotline")).to_contain_text(HOTLINE)
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "request-sent-zh.png")

    case = _case(as_user, case_no)
    assert case["data"]["channel"] == "web" and case["data"]["address"] == "北京市东城区东四十条 9 号"
    [photo] = as_user("agent").get(f"/instances/{case['id']}/attachments").json
    assert photo["media_type"] == "image/jpeg"


def test_a_customer_requests_service_in_english_with_a_known_serial(phone_page, as_user):
    page = phone_page
    page.goto("/request")
    page.click(".lang-switch button[value=en]")
    expect(page.locator("main h1")).to_have_text("Request service")
    page.fill("#customer_name", "Zhang Wei")
    page.fill("#customer_phone", "13800000001")
    page.fill("#address", "88 Jianguo Road, Chaoyang, Beijing")
    page.fill("#serial_no", "SN-FR-1001")
    page.fill("#customer_phone", "1380000000x")  # a typo first: refused in English
    page.fill("#fault_description", "The fridge does not cool")
    page.click("main button[type=submit]")
    expect(page.locator("#customer_phone-error")).to_have_text("Please give a phone number (digits, at least 5).")
    expect(page.locator("#serial_no")).to_have_value("SN-FR-1001")
    shoot(page, "request-form-en.png")

    page.fill("#customer_phone", "13800000001")
    page.click("main button[type=submit]")
    page.wait_for_url("**/request/sent")
    expect(page.locator("main h1")).to_have_text("Thank you: your request is received")
    case_no = page.locator("#case-number").inner_text()
    # The confirmation names nothing of the master data: only the case number and the hotline.
    for secret in ("BCD-520W", "建国路", "张伟"):
        expect(page.locator("main")).not_to_contain_text(secret)
    shoot(page, "request-sent-en.png")
    data = _case(as_user, case_no)["data"]
    assert data["product_model"] == "BCD-520W" and data["customer_name"] == "张伟 Zhang Wei"
