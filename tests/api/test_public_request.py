"""The public service request form (/request): a customer opens a repair case from a phone without an
account; bots pay a proof of work, fall into the honeypot or hit the per-address limit."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from io import BytesIO

import pytest

from app.domain.proof_of_work import solve
from app.domain.proof_of_work import solves
from app.persistence.repositories.api_tokens import IdempotencyRepository
from tests.api.test_web import login
from tests.case_driver import CaseDriver
from tests.conftest import make_app

BITS = 8  # cheap for the tests; the service asks 17 of a phone
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def app(database_url, clock, seeded_templates, request):
    seeded_templates.restore(database_url, clock.now())
    overrides = {"PUBLIC_REQUEST_PROOF_BITS": BITS, **getattr(request, "param", {})}
    app = make_app(database_url, clock, create=False, **overrides)
    yield app
    app.extensions["aftersales.db"].dispose()


def _field(page: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', page).group(1))


class Customer:
    """A browser on the public form: it loads the page, solves the challenge as the page's script does, sends."""

    def __init__(self, client, address: str = "203.0.113.7") -> None:
        self.client, self.environ = client, {"REMOTE_ADDR": address}

    def page(self, path: str = "/request"):
        return self.client.get(path, environ_base=self.environ)

    def send(self, prove: bool = True, challenge: str | None = None, proof: str | None = None, **fields):
        page = self.page().get_data(as_text=True)
        challenge = challenge if challenge is not None else _field(page, "challenge")
        data = {
            "csrf_token": _field(page, "csrf_token"),
            "challenge": challenge,
            "proof": proof if proof is not None else (solve(challenge, BITS) if prove else ""),
            "customer_name": "陈静 Chen Jing",
            "customer_phone": "139 0000 0099",
            "address": "北京市东城区东四十条 9 号",
            "service_category": "repair",
            "fault_description": "洗衣机不排水 / the washer does not drain",
            **fields,
        }
        self.last = data
        return self.client.post("/request", data=data, environ_base=self.environ, content_type="multipart/form-data")

    def case_no(self, answer) -> str:
        assert answer.status_code == 303, answer.get_data(as_text=True)[:2000]
        sent = self.client.get(answer.headers["Location"], environ_base=self.environ).get_data(as_text=True)
        return re.search(r'id="case-number">([^<]+)<', sent).group(1)


@pytest.fixture
def customer(app):
    return Customer(app.test_client())


def _case(as_user, case_no: str) -> CaseDriver:
    [row] = as_user("admin").get(f"/instances?case_no={case_no}").json
    return CaseDriver(as_user, row["id"])


def _errors(answer) -> dict[str, list[str]]:
    """The messages shown under each field (by the id of the message: ``<field>-error``), and the page's alert."""
    page = answer.get_data(as_text=True)
    found: dict[str, list[str]] = {}
    for name, text in re.findall(r'<p class="field-error" id="([\w]+)-error">([^<]*)</p>', page):
        found.setdefault(name, []).append(html.unescape(text))
    alert = re.search(r'<div class="flash error" role="alert" id="request-errors">(.*?)</div>', page, re.S)
    if alert:
        found["_form"] = [html.unescape(t) for t in re.findall(r"<p>([^<]*)</p>", alert.group(1))]
    return found


def test_a_request_opens_a_repair_case_on_the_web_channel_for_the_agent_to_register(customer, as_user):
    answer = customer.send()
    case_no = customer.case_no(answer)
    assert case_no.startswith("SR-")
    case = _case(as_user, case_no)
    data = case.data
    assert data["channel"] == "web"
    assert data["customer_name"] == "陈静 Chen Jing" and data["customer_phone"] == "139 0000 0099"
    assert data["fault_description"].startswith("洗衣机不排水")
    assert data["started_by"] == "public-form"
    [received] = case.events("public_request_received")
    assert received["actor"] == "public-form" and received["data"]["client"] == "203.0.113.7"
    # The agent's first step waits, prefilled with what the customer typed.
    [task] = case.ready().values()
    assert task["element_id"] == "register_request"
    agent = as_user("agent")
    page = agent.client.get(f"/tasks/{task['id']}", headers=agent._headers()).get_data(as_text=True)
    assert "东四十条 9 号" in page and "139 0000 0099" in page


def test_the_page_is_chinese_by_default_and_english_after_the_switch(customer):
    page = customer.page().get_data(as_text=True)
    assert "在线报修" in page and "提交报修" in page and 'lang="zh' in page
    token = _field(page, "csrf_token")
    customer.client.post("/language", data={"language": "en", "next": "/request", "csrf_token": token})
    page = customer.page().get_data(as_text=True)
    assert "Request service" in page and "Send request" in page


def test_a_known_serial_fills_the_unit_from_the_master_data_and_shows_the_customer_nothing_of_it(customer, as_user):
    # SN-FR-1001 belongs to 张伟 Zhang Wei (13800000001, 建国路 88 号); someone else gives it.
    answer = customer.send(serial_no="SN-FR-1001")
    sent = customer.client.get(answer.headers["Location"], environ_base=customer.environ).get_data(as_text=True)
    for secret in ("张伟", "Zhang Wei", "13800000001", "建国路", "BCD-520W", "INV-1001"):
        assert secret not in sent
    case = _case(as_user, re.search(r'id="case-number">([^<]+)<', sent).group(1))
    data = case.data
    assert data["product_model"] == "BCD-520W" and data["product_category"] == "refrigeration"
    assert data["warranty_evidence"] == "invoice"
    # Not the owner's phone: the caller's own name and address stay, the owner's are not copied in.
    assert data["customer_name"] == "陈静 Chen Jing" and data["address"] == "北京市东城区东四十条 9 号"
    assert "region" not in data
    [received] = case.events("public_request_received")
    assert received["data"]["serial_known"] is True and received["data"]["phone_is_owners"] is False


def test_the_owner_of_a_known_serial_gets_their_record_and_a_wrong_entry_shows_no_record(customer, as_user):
    answer = customer.send(serial_no="SN-FR-1001", customer_phone="138-0000-0001", customer_name="张先生")
    data = _case(as_user, customer.case_no(answer)).data
    assert data["customer_name"] == "张伟 Zhang Wei" and data["region"] == "urban"
    assert data["address"] == "北京市东城区东四十条 9 号"  # the address given is where the service goes
    # A refused form never shows the record either.
    refused = customer.send(serial_no="SN-FR-1001", customer_phone="13800000001", address="")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "张伟" not in page and "建国路" not in page


def test_field_errors_are_shown_on_the_fields_in_the_users_language_and_nothing_typed_is_lost(customer, as_user):
    answer = customer.send(customer_phone="call me", address="", fault_description="x" * 2001)
    assert answer.status_code == 422
    errors = _errors(answer)
    assert errors["customer_phone"] == ["请填写电话号码（数字，至少 5 位）。"]
    assert errors["address"] == ["请填写此项。"]
    assert errors["fault_description"] == ["内容过长。"]
    page = answer.get_data(as_text=True)
    assert 'value="call me"' in page and 'value="陈静 Chen Jing"' in page and "x" * 2001 in page
    assert 'id="customer_phone" name="customer_phone" type="tel" value="call me" maxlength="40" required' in page
    assert 'aria-invalid="true" aria-describedby="address-error"' in page
    token = _field(page, "csrf_token")
    customer.client.post("/language", data={"language": "en", "next": "/request", "csrf_token": token})
    assert _errors(customer.send(address=""))["address"] == ["Please fill this in."]
    assert as_user("admin").get("/instances").json == []


def test_a_missing_a_wrong_and_a_replayed_proof_are_refused_with_a_clear_message(customer, as_user):
    assert _errors(customer.send(prove=False))["proof"] == ["页面校验未运行（是否关闭了 JavaScript？）。请稍候再提交。"]
    page = customer.page().get_data(as_text=True)
    challenge = _field(page, "challenge")
    wrong = next(str(n) for n in range(10_000) if not solves(challenge, str(n), BITS))
    assert _errors(customer.send(challenge=challenge, proof=wrong))["proof"] == ["页面校验失败，请重新提交。"]
    forged = challenge[:-4] + ("AAAA" if not challenge.endswith("AAAA") else "BBBB")
    forged_answer = customer.send(challenge=forged, proof=solve(forged, BITS))
    assert _errors(forged_answer)["proof"] == ["页面校验失败，请重新提交。"]
    assert as_user("admin").get("/instances").json == []
    proof = solve(challenge, BITS)
    customer.case_no(customer.send(challenge=challenge, proof=proof))
    replayed = customer.send(challenge=challenge, proof=proof)
    assert replayed.status_code == 422
    assert _errors(replayed)["proof"] == ["此表单已提交过一次。如需新的报修，请重新提交。"]
    assert len(as_user("admin").get("/instances").json) == 1


def test_a_challenge_expires(customer, clock, as_user):
    page = customer.page().get_data(as_text=True)
    challenge = _field(page, "challenge")
    clock.advance(timedelta(hours=1, minutes=1))
    assert _errors(customer.send(challenge=challenge, proof=solve(challenge, BITS)))["proof"] == [
        "页面打开时间过长，请重新提交。"
    ]
    assert as_user("admin").get("/instances").json == []


def test_a_filled_honeypot_opens_no_case(customer, as_user):
    page = customer.page().get_data(as_text=True)
    assert 'class="request-trap" aria-hidden="true"' in page and 'name="website"' in page
    answer = customer.send(website="http://spam.example")
    assert answer.status_code == 400
    assert _errors(answer)["_form"] == ["您的报修未能受理，请拨打服务热线。"]
    assert as_user("admin").get("/instances").json == []


@pytest.mark.parametrize("app", [{"PUBLIC_REQUESTS_PER_ADDRESS": "2 per hour"}], indirect=True)
def test_sends_are_limited_per_client_address(app, customer, as_user):
    customer.case_no(customer.send())
    customer.send(address="")  # refused sends count too: a bot's attempts are what the limit is for
    over = customer.send()
    assert over.status_code == 429 and int(over.headers["Retry-After"]) > 0
    assert _errors(over)["_form"] == ["您的网络地址提交次数过多，请 60 分钟后再试。"]
    assert 'value="陈静 Chen Jing"' in over.get_data(as_text=True)  # what was typed is kept
    other = Customer(app.test_client(), address="198.51.100.20")
    other.case_no(other.send())
    assert len(as_user("admin").get("/instances").json) == 2


def test_up_to_three_photos_are_stored_as_attachments_of_the_case(customer, as_user):
    photos = [(BytesIO(PNG), "a.png"), (BytesIO(JPEG), "b.jpg"), (BytesIO(b""), "")]
    case = _case(as_user, customer.case_no(customer.send(photos=photos)))
    stored = as_user("agent").get(f"/instances/{case.id}/attachments").json
    assert sorted(a["media_type"] for a in stored) == ["image/jpeg", "image/png"]
    assert {a["field"] for a in stored} == {"photos"} and {a["created_by"] for a in stored} == {"public-form"}
    content = as_user("agent").get(f"/instances/{case.id}/attachments/{stored[0]['id']}")
    assert content.data in (PNG, JPEG)
    assert case.events("public_request_received")[0]["data"]["photos"] == 2
    agent = as_user("agent")
    page = agent.client.get(f"/cases/{case.id}", headers=agent._headers()).get_data(as_text=True)
    assert page.count('alt="客户上传的照片"') == 2 and "网站报修已收到" in page


@pytest.mark.parametrize("app", [{"PUBLIC_REQUEST_PHOTO_BYTES": 100}], indirect=True)
def test_too_many_too_large_or_non_image_photos_are_refused_on_the_photo_field(app, customer, as_user):
    four = [(BytesIO(PNG), f"{n}.png") for n in range(4)]
    assert _errors(customer.send(photos=four))["photos"] == ["最多 3 张照片。"]
    large = [(BytesIO(PNG + b"\x00" * 100), "big.png")]
    assert _errors(customer.send(photos=large))["photos"] == ["照片过大，请选择较小的照片。"]
    svg = [(BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"), "x.png")]
    refused = customer.send(photos=svg)
    assert _errors(refused)["photos"] == ["只能上传照片（JPEG、PNG、GIF 或 WebP）。"]
    # Another field refused: the photos must be chosen again, and the page says so.
    assert _errors(customer.send(photos=[(BytesIO(PNG), "a.png")], address=""))["photos"] == ["请重新选择照片。"]
    assert as_user("admin").get("/instances").json == []


def test_the_confirmation_needs_a_request_of_this_browser(app, customer):
    assert customer.page("/request/sent").headers["Location"].endswith("/request")
    customer.case_no(customer.send())
    stranger = Customer(app.test_client())
    assert stranger.page("/request/sent").status_code == 302


def test_the_same_proof_sent_twice_at_once_opens_one_case(customer, as_user, monkeypatch):
    challenge = _field(customer.page().get_data(as_text=True), "challenge")
    proof = solve(challenge, BITS)
    customer.case_no(customer.send(challenge=challenge, proof=proof))
    # The second send checks before the first one committed (a double tap): the database refuses the key.
    checked = IdempotencyRepository.get
    calls: list[str] = []

    def racing(self, username: str, key: str):
        calls.append(key)
        return None if len(calls) == 1 else checked(self, username, key)

    monkeypatch.setattr(IdempotencyRepository, "get", racing)
    twice = customer.send(challenge=challenge, proof=proof)
    assert twice.status_code == 422
    assert _errors(twice)["proof"] == ["此表单已提交过一次。如需新的报修，请重新提交。"]
    assert len(as_user("admin").get("/instances").json) == 1
    assert len(calls) == 2  # the refusal came from the database's key, after the check had passed


def test_what_a_refused_form_shows_again_is_text_never_markup(customer):
    payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    page = customer.send(customer_name=payload, fault_description=payload, address="").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_confirmation_gives_a_follow_link_that_opens_the_customers_case_and_is_sent_to_their_phone(
    customer, as_user
):
    answer = customer.send()
    sent = customer.client.get(answer.headers["Location"], environ_base=customer.environ).get_data(as_text=True)
    link = re.search(r'<a href="(/c/[^"]+)" id="follow-link"', sent).group(1)
    case_no = re.search(r'id="case-number">([^<]+)<', sent).group(1)
    page = customer.client.get(link, environ_base=customer.environ)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert case_no in text and "139 0000 0099" not in text  # the phone is shown masked, if at all
    case = _case(as_user, case_no)
    [issued] = case.events("customer_link_issued")
    assert issued["data"]["purpose"] == "follow" and issued["actor"] == "public-form"


def test_no_hotline_is_named_until_the_install_sets_its_own(customer):
    assert 'id="hotline"' not in customer.page().get_data(as_text=True)  # never a made-up number


@pytest.mark.parametrize("app", [{"SERVICE_HOTLINE": "400-820-1234"}], indirect=True)
def test_the_installs_hotline_is_named_on_the_form_and_the_confirmation(app, customer):
    assert "400-820-1234" in customer.page().get_data(as_text=True)
    answer = customer.send()
    sent = customer.client.get(answer.headers["Location"], environ_base=customer.environ).get_data(as_text=True)
    assert 'id="hotline">' in sent and "400-820-1234" in sent


def test_a_browser_signed_in_as_staff_sends_as_the_public_and_the_trail_names_the_user(app, as_user):
    """The auditor's read-only role gives no power on the public form (it acts as the public, as the same
    person would after logging out), but whoever was signed in is named in the audit trail."""
    browser = app.test_client()
    login(browser, "auditor")
    answer = Customer(browser).send()
    case = _case(as_user, Customer(browser).case_no(answer))
    assert case.data["started_by"] == "public-form"
    [received] = case.events("public_request_received")
    assert received["actor"] == "public-form" and received["data"]["signed_in_as"] == "auditor"
    stranger = Customer(app.test_client())
    [anonymous] = _case(as_user, stranger.case_no(stranger.send())).events("public_request_received")
    assert "signed_in_as" not in anonymous["data"]
