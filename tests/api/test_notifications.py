"""People are told: tasks handed to them, reminders, escalations — in the app and by e-mail."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from app.integrations.smtp import MailSettings
from app.services.people.mail_outbox import send_pending
from app.services.people.users import create_user
from app.services.timing.timer_firing import fire_due
from tests.api.test_web import login
from tests.repair_driver import RepairCase


class Inbox:
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def test_an_assigned_task_and_an_escalation_notify_the_right_people(app, ctx, clock, as_user):
    create_user(ctx, "supervisor", "supervisor", ["supervisor"], email="chen.wei@aftersales.example")
    case = RepairCase(as_user)
    case.walk(
        "contact_customer", "dispatch_notice", "agree_appointment", "record_arrival"
    )  # the service notice names tech_urban1
    mine = as_user("tech_urban1").get("/notifications?unread=true").json  # the check-in's is cleared: it is done
    assert [(n["kind"], n["task_id"]) for n in mine] == [("assigned", case.ready()["diagnose_on_site"]["id"])]
    other = RepairCase(as_user)
    clock.advance(timedelta(hours=24, seconds=1))
    fire_due(ctx)
    escalations = as_user("supervisor").get("/notifications?unread=true").json
    assert [n["kind"] for n in escalations] == ["escalation", "escalation"]  # late arrival, late contact
    assert all(other.body["case_no"] in n["title"] for n in escalations)
    read = as_user("supervisor").post(f"/notifications/{escalations[0]['id']}/read")
    assert read.status_code == 200
    assert [n["id"] for n in as_user("supervisor").get("/notifications?unread=true").json] == [escalations[1]["id"]]
    assert as_user("agent").post(f"/notifications/{escalations[0]['id']}/read").status_code == 403


def test_notification_mail_goes_out_once_through_smtp(app, ctx, clock, as_user, smtp):
    inbox, port = smtp
    create_user(ctx, "supervisor", "supervisor", ["supervisor"], email="chen.wei@aftersales.example")
    RepairCase(as_user)
    clock.advance(timedelta(hours=25))
    fire_due(ctx)
    settings = MailSettings("127.0.0.1", port, "aftersales@aftersales.example")
    assert send_pending(ctx, settings) == 2  # the late contact and the late arrival
    assert send_pending(ctx, settings) == 0  # sent once
    assert [m.rcpt_tos for m in inbox.messages] == [["chen.wei@aftersales.example"]] * 2
    message = inbox.messages[0]
    assert b"Subject:" in message.content and b"aftersales@aftersales.example" in message.content


def test_mail_waits_while_the_server_is_down(app, ctx, clock, as_user):
    create_user(ctx, "supervisor", "supervisor", ["supervisor"], email="chen.wei@aftersales.example")
    RepairCase(as_user)
    clock.advance(timedelta(hours=25))
    fire_due(ctx)
    assert send_pending(ctx, MailSettings("127.0.0.1", 1, timeout=1)) == 0  # nothing listens on port 1
    rows = as_user("supervisor").get("/notifications").json
    assert len(rows) == 2 and all(row["emailed_at"] is None for row in rows)  # kept for the next round


def test_the_header_counts_unread_notifications_and_opening_one_leads_to_the_task(app, ctx, as_user):
    import re

    case = RepairCase(as_user)
    case.walk(
        "contact_customer", "dispatch_notice", "agree_appointment", "record_arrival"
    )  # tech_urban1 is assigned the diagnosis
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "tech_urban1", "password": "tech_urban1", "csrf_token": token})
    page = client.get("/notifications").get_data(as_text=True)
    assert 'id="notifications-link"' in page and '<span class="badge">1</span>' in page
    # The title in one language, the user's (not "新任务 / New task: 现场诊断 / On-site diagnosis").
    assert f"<td>新任务：现场诊断与方案确认（{case.body['case_no']}）</td>" in page and "New task" not in page
    [row] = as_user("tech_urban1").get("/notifications?unread=true").json
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # a new session after logging in
    opened = client.post(f"/notifications/{row['id']}/open", data={"csrf_token": token})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/tasks/{row['task_id']}")
    assert '<span class="badge">' not in client.get("/notifications").get_data(as_text=True)


def test_a_done_task_clears_its_notification_and_all_can_be_marked_read(app, ctx, clock, as_user):
    create_user(ctx, "supervisor", "supervisor", ["supervisor"])
    cases = [RepairCase(as_user) for _ in range(3)]
    clock.advance(timedelta(hours=24, seconds=1))
    fire_due(ctx)  # a late contact and a late arrival in each: the supervisors are told of each follow-up task
    unread = as_user("supervisor").get("/notifications?unread=true").json
    assert len(unread) == 6
    cases[0].walk("supervisor_contact_followup", "supervisor_late_arrival")  # the first case's follow-ups are done
    unread = as_user("supervisor").get("/notifications?unread=true").json
    assert len(unread) == 4 and cases[0].body["case_no"] not in " ".join(n["title"] for n in unread)

    page = as_user("supervisor").get("/notifications?per_page=1&page=2").json
    assert len(page) == 1
    browser = app.test_client()
    login(browser, "supervisor")
    html = browser.get("/notifications").get_data(as_text=True)
    assert html.count('class="unread"') == 4 and html.count('class="read"') == 2  # unread ones in bold
    assert as_user("supervisor").post("/notifications/read-all").json == {"marked": 4}
    assert as_user("supervisor").get("/notifications?unread=true").json == []
    assert len(as_user("supervisor").get("/notifications").json) == 6  # read, not gone
