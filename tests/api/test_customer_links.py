"""Case links (issue 21): a customer follows their case and does their own step through a signed,
expiring, single-purpose link — and a link never opens more than that, or anything once refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.domain.customer_links import LinkPurpose
from app.integrations.customer_senders import SendFailed
from app.services.customers import links
from app.services.customers.messages import send_customer_messages
from tests.api.test_web import csrf_of
from tests.api.test_web import login
from tests.conftest import Api
from tests.diagrams import CUSTOMER_STEP

SIGNATURE = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
CONTACT = {"customer_name": "王先生", "customer_phone": "13812345678", "customer_email": "wang@example.com"}


@pytest.fixture
def signs(app_with_diagram):
    return app_with_diagram(CUSTOMER_STEP, ("admin", "agent", "supervisor", "dispatcher", "auditor"))


def _api(app, username):
    return Api(app.test_client(), username)


def open_case(app, contact=CONTACT) -> int:
    """A case whose customer step is ready (the agent recorded the contacts); returns its id."""
    agent = _api(app, "agent")
    case_id = agent.post("/processes/customer_signs/instances").json["id"]
    (task,) = agent.get(f"/tasks?instance_id={case_id}").json
    assert agent.post(f"/tasks/{task['id']}/complete", json=contact).status_code == 200
    return case_id


def customer_sender(ctx, channel="sms"):
    return ctx.customers.senders[channel]


def task_link(ctx) -> str:
    """The link path the customer's SMS carried."""
    send_customer_messages(ctx)
    (message,) = [m for m in customer_sender(ctx).sent]
    return re.search(r"(/c/[\w.\-]+)", message.body).group(1)


def issue(ctx, case_id, purpose=LinkPurpose.FOLLOW, task_spec=None):
    with ctx.uow() as uow:
        issued = links.issue_link(
            uow, ctx.customers, case_id=case_id, purpose=purpose, task_spec=task_spec, now=ctx.clock.now(), by="agent"
        )
        uow.commit()
    return issued


def customer_client(app):
    """A phone: no log-in, a session (for the CSRF token) like any browser."""
    return app.test_client()


def post_step(client, path, data):
    token = csrf_of(client.get(path).get_data(as_text=True))
    return client.post(f"{path}/complete", json=data, headers={"X-CSRF-Token": token})


def test_a_ready_customer_step_sends_the_customer_a_link_in_their_language(signs):
    ctx = signs.extensions["aftersales"]
    case_id = open_case(signs, {**CONTACT, "customer_language": "en"})
    sent = send_customer_messages(ctx)
    assert sent == 2  # SMS to the phone, e-mail to the address
    (sms,) = customer_sender(ctx, "sms").sent
    (mail,) = customer_sender(ctx, "email").sent
    assert sms.address == "13812345678" and mail.address == "wang@example.com"
    assert sms.subject.startswith('Your step: "Sign and rate') and "http://localhost:5000/c/" in sms.body
    events = _api(signs, "admin").get(f"/instances/{case_id}/events").json
    delivered = [e for e in events if e["type"] == "customer_message_sent"]
    assert {e["data"]["channel"] for e in delivered} == {"sms", "email"}
    assert {e["data"]["to"] for e in delivered} >= {"138****5678"}  # the trail keeps the number masked


def test_the_customer_completes_their_step_once_and_a_replay_is_refused(signs):
    ctx = signs.extensions["aftersales"]
    case_id = open_case(signs)
    path = task_link(ctx)
    phone = customer_client(signs)
    page = phone.get(path)
    assert page.status_code == 200 and "签名" in page.get_data(as_text=True)  # Chinese by default
    refused = post_step(phone, path, {"signature": SIGNATURE})
    assert refused.status_code == 422 and "rating" in refused.json["fields"]
    done = post_step(phone, path, {"signature": SIGNATURE, "rating": 4})
    assert done.status_code == 200, done.json
    admin = _api(signs, "admin")
    (close,) = admin.get(f"/tasks?instance_id={case_id}").json
    assert close["element_id"] == "close_case"  # the case moved on
    events = admin.get(f"/instances/{case_id}/events").json
    completed = next(e for e in events if e["type"] == "task_completed" and e["element_id"] == "customer_sign")
    assert completed["actor"].startswith("customer-link:") and completed["data"]["rating"] == 4
    audit = next(e for e in events if e["type"] == "customer_task_done")
    assert audit["data"]["address"] == "127.0.0.1" and audit["data"]["link_id"]
    again = phone.get(path)
    assert again.status_code == 410 and "已完成" in again.get_data(as_text=True)
    assert post_step_without_page(phone, path).status_code == 410


def post_step_without_page(client, path):
    with client.session_transaction() as session:
        token = session.get("csrf", "")
    return client.post(f"{path}/complete", json={"signature": SIGNATURE, "rating": 1}, headers={"X-CSRF-Token": token})


def test_a_forged_or_altered_token_opens_nothing(signs):
    ctx = signs.extensions["aftersales"]
    case_id = open_case(signs)
    path = issue(ctx, case_id).path
    phone = customer_client(signs)
    for forged in ("/c/not-a-token", path[:-3] + ("abc" if not path.endswith("abc") else "xyz"), "/c/" + "a" * 300):
        page = phone.get(forged)
        assert page.status_code == 403
        text = page.get_data(as_text=True)
        assert "链接无效" in text and "王先生" not in text and "138" not in text
    other_key = links.CustomerSettings(secret="someone-else's-key")
    with ctx.uow() as uow:
        link = uow.customer_links.get(issue(ctx, case_id).id)
        assert phone.get(f"/c/{links.token_for(other_key, link)}").status_code == 403


def test_an_expired_link_shows_the_clear_page_in_the_visitors_language(signs, clock):
    ctx = signs.extensions["aftersales"]
    case_id = open_case(signs)
    path = issue(ctx, case_id).path
    phone = customer_client(signs)
    assert phone.get(path).status_code == 200
    clock.advance(timedelta(days=30, seconds=1))
    page = phone.get(path)
    assert page.status_code == 410 and "已过期" in page.get_data(as_text=True)
    assert 'id="hotline"' not in page.get_data(as_text=True)  # this install named no hotline
    signs.config["SERVICE_HOTLINE"] = "400-820-1234"
    page = phone.get(path)
    assert "请拨打服务热线：400-820-1234" in page.get_data(as_text=True)  # the number to ask for a new link
    token = csrf_of(page.get_data(as_text=True))
    phone.post("/language", data={"language": "en", "next": path, "csrf_token": token})
    english = phone.get(path)
    assert english.status_code == 410 and "This link has expired" in english.get_data(as_text=True)
    events = _api(signs, "admin").get(f"/instances/{case_id}/events").json
    assert [e["data"]["reason"] for e in events if e["type"] == "customer_link_refused"] == ["expired"] * 3


def test_a_revoked_link_is_refused_and_staff_see_it_revoked(signs):
    ctx = signs.extensions["aftersales"]
    case_id = open_case(signs)
    issued = issue(ctx, case_id)
    staff = signs.test_client()
    login(staff, "agent")
    case_page = staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'data-link-id="{issued.id}" data-state="active"' in case_page
    revoked = staff.post(f"/cases/{case_id}/customer-links/{issued.id}/revoke", data={"csrf_token": csrf_of(case_page)})
    assert revoked.status_code == 302
    assert f'data-link-id="{issued.id}" data-state="revoked"' in staff.get(f"/cases/{case_id}").get_data(as_text=True)
    page = customer_client(signs).get(issued.path)
    assert page.status_code == 410 and "已撤销" in page.get_data(as_text=True)


def test_staff_issue_a_new_link_which_is_sent_and_only_link_managers_may(signs):
    ctx = signs.extensions["aftersales"]
    case_id = open_case(signs)
    send_customer_messages(ctx)
    for username, allowed in (("agent", True), ("admin", True), ("dispatcher", False), ("auditor", False)):
        staff = signs.test_client()
        login(staff, username)
        token = csrf_of(staff.get(f"/cases/{case_id}").get_data(as_text=True))
        answer = staff.post(f"/cases/{case_id}/customer-links", data={"purpose": "follow", "csrf_token": token})
        assert (answer.status_code == 302) is allowed, (username, answer.status_code)
    assert send_customer_messages(ctx) == 4  # two issued by the agent and the administrator, each by SMS and e-mail


def test_a_link_of_case_a_never_shows_case_b(signs):
    ctx = signs.extensions["aftersales"]
    case_a = open_case(signs)
    case_b = open_case(signs, {"customer_name": "李女士", "customer_phone": "13900001111"})
    send_customer_messages(ctx)
    sms = {m.address: m for m in customer_sender(ctx).sent}
    path_a = re.search(r"(/c/[\w.\-]+)", sms["13812345678"].body).group(1)
    phone = customer_client(signs)
    page = phone.get(path_a).get_data(as_text=True)
    assert "李女士" not in page and "1111" not in page
    # Completing A's link completes A's step, never B's.
    assert post_step(phone, path_a, {"signature": SIGNATURE, "rating": 3}).status_code == 200
    admin = _api(signs, "admin")
    assert [t["element_id"] for t in admin.get(f"/tasks?instance_id={case_b}").json] == ["customer_sign"]
    assert [t["element_id"] for t in admin.get(f"/tasks?instance_id={case_a}").json] == ["close_case"]
    follow_a = issue(ctx, case_a).path
    b_case_no = admin.get(f"/instances/{case_b}").json["case_no"]
    assert b_case_no not in phone.get(follow_a).get_data(as_text=True)


def test_a_link_of_one_purpose_does_not_serve_another(signs):
    ctx = signs.extensions["aftersales"]
    case_id = open_case(signs)
    task_path = task_link(ctx)
    follow_path = issue(ctx, case_id).path
    phone = customer_client(signs)
    token = csrf_of(phone.get(follow_path).get_data(as_text=True))
    wrong = phone.post(
        f"{follow_path}/complete", json={"signature": SIGNATURE, "rating": 4}, headers={"X-CSRF-Token": token}
    )
    assert wrong.status_code == 403
    asked = phone.post(f"{task_path}/reschedule", data={"wished_at": "2026-12-08T09:30", "csrf_token": token})
    assert asked.status_code == 403 and "不能用于" in asked.get_data(as_text=True)
    assert phone.get(f"{task_path}/papers/service-report.pdf").status_code == 403


def test_the_follow_page_shows_the_plain_state_and_a_reschedule_request_tells_staff(signs):
    ctx = signs.extensions["aftersales"]
    case_id = open_case(signs)
    path = issue(ctx, case_id).path
    phone = customer_client(signs)
    page = phone.get(path).get_data(as_text=True)
    assert "138****5678" in page and "13812345678" not in page
    assert 'aria-current="step"' in page
    token = csrf_of(page)
    missing = phone.post(f"{path}/reschedule", data={"wished_at": "", "csrf_token": token})
    assert missing.status_code == 302 and "asked=invalid" in missing.headers["Location"]
    asked = phone.post(
        f"{path}/reschedule", data={"wished_at": "2026-12-08T09:30", "note": "下午更好", "csrf_token": token}
    )
    assert asked.status_code == 302
    assert "我们会致电" in phone.get(asked.headers["Location"]).get_data(as_text=True)
    events = _api(signs, "admin").get(f"/instances/{case_id}/events").json
    request = next(e for e in events if e["type"] == "reschedule_requested")
    assert request["data"]["wished_at"] == "2026-12-08T09:30:00+08:00" and request["data"]["note"] == "下午更好"
    told = _api(signs, "agent").get("/notifications?unread=true").json  # the agent worked the case
    assert [n["kind"] for n in told] == ["reschedule"]
    other_site = customer_client(signs).post(
        f"{path}/reschedule", data={"wished_at": "2026-12-08T09:30"}, headers={"Origin": "https://evil.example"}
    )
    assert other_site.status_code == 403


@pytest.mark.parametrize("signs_limited", [{"CUSTOMER_LINK_REQUESTS_PER_ADDRESS": "3 per minute"}], indirect=True)
def test_the_customer_pages_are_rate_limited_per_address(signs_limited):
    phone = customer_client(signs_limited)
    answers = [phone.get("/c/whatever").status_code for _ in range(4)]
    assert answers == [403, 403, 403, 429]


@pytest.fixture
def signs_limited(tmp_path, database_url, clock, request):
    from tests.conftest import make_app

    app = make_app(database_url, clock, tmp_path, **request.param)
    yield app
    app.extensions["aftersales.db"].dispose()


class RefusingGateway:
    def send(self, address, subject, body):
        raise SendFailed("gateway says: number unreachable")


def test_a_failed_delivery_is_retried_then_recorded_on_the_case_with_the_reason(signs):
    ctx = signs.extensions["aftersales"]
    ctx.customers.senders["sms"] = RefusingGateway()
    case_id = open_case(signs)
    assert [send_customer_messages(ctx) for _ in range(3)] == [1, 0, 0]  # the e-mail went; the SMS did not
    events = _api(signs, "admin").get(f"/instances/{case_id}/events").json
    (failed,) = [e for e in events if e["type"] == "customer_message_failed"]
    assert failed["data"]["channel"] == "sms" and failed["data"]["reason"] == "gateway says: number unreachable"
    assert send_customer_messages(ctx) == 0  # given up: never sent again
    staff = signs.test_client()
    login(staff, "agent")
    page = staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-state="failed"' in page and "number unreachable" in page


def test_a_case_without_any_contact_records_that_no_message_could_go(signs):
    ctx = signs.extensions["aftersales"]
    case_id = open_case(signs, {"customer_name": "匿名", "customer_phone": " "})
    assert send_customer_messages(ctx) == 0
    events = _api(signs, "admin").get(f"/instances/{case_id}/events").json
    (failed,) = [e for e in events if e["type"] == "customer_message_failed"]
    assert "no phone, e-mail or WeChat" in failed["data"]["reason"]
