"""The event feed and webhooks: an outside system reads every case's events with a cursor (nothing
missed, nothing repeated, only the cases it may read), or subscribes a URL and gets each event posted,
signed, until its receiver answers — with the receiver down, then up, nothing is lost and nothing comes
twice; a delivery whose every attempt failed is on the dead-letter list and can be replayed."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import pytest
from sqlalchemy import text

from app.domain.webhooks import DELIVERY_HEADER
from app.domain.webhooks import MAX_ATTEMPTS
from app.domain.webhooks import SIGNATURE_HEADER
from app.domain.webhooks import verify
from app.services.cases import journal
from app.services.integration import webhooks
from tests.conftest import DB_CHOICE
from tests.repair_driver import RepairCase


class Receiver:
    """An outside system's endpoint on localhost: down until ``up()``; records what it was sent."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks"
        self._thread: threading.Thread | None = None
        self._server.socket.close()  # down: the port refuses connections until up()

    def up(self) -> None:
        self._server = ThreadingHTTPServer(self._server.server_address, self._server.RequestHandlerClass)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


def subscribe(as_user, url: str, **body) -> dict:
    made = as_user("admin").post("/webhooks", json={"name": "ERP", "url": url, **body})
    assert made.status_code == 201, made.json
    return made.json


def feed(as_user, user: str, after: str = "0.0", **params) -> dict:
    query = "&".join([f"after={after}", *(f"{k}={v}" for k, v in params.items())])
    response = as_user(user).get(f"/events?{query}")
    assert response.status_code == 200, response.json
    return response.json


def test_the_feed_pages_with_a_cursor_and_shows_only_the_callers_cases(as_user):
    case = RepairCase(as_user)
    everything = feed(as_user, "auditor", limit=500)["events"]
    mine = [e for e in everything if e["instance_id"] == case.id]
    assert mine[0]["type"] == "instance_started" and "task_completed" in {e["type"] for e in mine}
    assert {e["case_no"] for e in mine} == {case.body["case_no"]}
    # page by page with the cursor gives the same events, none twice
    seen, after = [], "0.0"
    while page := feed(as_user, "auditor", after=after, limit=2)["events"]:
        seen += [e["id"] for e in page]
        after = page[-1]["cursor"]
    assert seen == [e["id"] for e in everything]
    assert feed(as_user, "auditor", after=after)["next"] == after  # nothing new: the same cursor
    # filtered by type; a technician who has nothing to do with the case reads none of its events
    completed = feed(as_user, "auditor", type="task_completed")["events"]
    assert completed and {e["type"] for e in completed} == {"task_completed"}
    assert [e for e in feed(as_user, "tech_suburb1")["events"] if e["instance_id"] == case.id] == []
    refused = as_user("auditor").get("/events?after=yesterday")
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "after"


@pytest.mark.skipif(DB_CHOICE == "sqlite", reason="SQLite's writers take turns: commit order is id order")
def test_an_event_committed_late_by_a_slow_transaction_is_not_skipped(as_user, app, ctx):
    case = RepairCase(as_user)
    instance = _instance(ctx, case.id)
    cursor = feed(as_user, "auditor", limit=500)["next"]
    slow = app.extensions["aftersales.db"].connect()
    slow_tx = slow.begin()
    slow.execute(text("SELECT pg_current_xact_id()"))  # the slow transaction starts first
    with ctx.uow() as uow:  # a later transaction commits at once
        journal.record(uow, instance, ctx.clock.now(), "agent", "reminder", element_id="fast")
        uow.commit()
    # the fast event is held back while the slow transaction may still write before it
    assert [e["element_id"] for e in feed(as_user, "auditor", after=cursor)["events"]] == []
    slow.execute(
        text(
            "INSERT INTO events (instance_id, at, type, element_id, data, txid) VALUES "
            "(:i, now(), 'reminder', 'slow', '{}', pg_current_xact_id()::text::bigint)"
        ),
        {"i": case.id},
    )
    slow_tx.commit()
    slow.close()
    assert [e["element_id"] for e in feed(as_user, "auditor", after=cursor)["events"]] == ["slow", "fast"]


def _instance(ctx, instance_id: int):
    with ctx.uow() as uow:
        return uow.instances.get(instance_id)


def test_a_receiver_down_then_up_gets_every_event_once_signed(as_user, ctx, clock, receiver):
    made = subscribe(as_user, receiver.url, event_types=["task_completed"], process_keys=["repair"])
    assert "secret" not in as_user("admin").get("/webhooks").json[0]
    case = RepairCase(as_user)  # register_request completed: one event for the subscription
    assert webhooks.deliver(ctx) == 0  # the receiver is down
    [pending] = as_user("admin").get("/webhooks/deliveries").json
    assert pending["state"] == "pending" and pending["attempts"] == 1 and pending["last_status"] is None
    receiver.up()
    assert webhooks.deliver(ctx) == 0  # not before its back-off
    clock.advance(timedelta(minutes=1))
    assert webhooks.deliver(ctx) == 1
    clock.advance(timedelta(hours=1))
    assert webhooks.deliver(ctx) == 0  # delivered: never again
    [(headers, body)] = receiver.received
    assert verify(made["secret"], headers[SIGNATURE_HEADER], body, clock.now() - timedelta(hours=1))
    assert not verify("whsec_other", headers[SIGNATURE_HEADER], body, clock.now() - timedelta(hours=1))
    sent = json.loads(body)
    assert sent["type"] == "task_completed" and sent["element_id"] == "register_request"
    assert sent["instance_id"] == case.id and headers[DELIVERY_HEADER] == str(pending["id"])
    [delivered] = as_user("admin").get("/webhooks/deliveries?state=delivered").json
    assert delivered["attempts"] == 2 and delivered["last_status"] == 204


def test_a_delivery_that_always_fails_is_dead_and_can_be_replayed(as_user, ctx, clock, receiver):
    subscribe(as_user, receiver.url, event_types=["instance_started"])
    RepairCase(as_user)
    for _ in range(MAX_ATTEMPTS):
        webhooks.deliver(ctx)
        clock.advance(timedelta(hours=13))  # beyond the longest back-off
    [dead] = as_user("admin").get("/webhooks/deliveries?state=dead").json
    assert dead["attempts"] == MAX_ATTEMPTS and "Connect" in dead["last_error"]
    receiver.up()
    replayed = as_user("admin").post(f"/webhooks/deliveries/{dead['id']}/replay")
    assert replayed.status_code == 200 and replayed.json["state"] == "pending"
    assert webhooks.deliver(ctx) == 1 and len(receiver.received) == 1
    again = as_user("admin").post(f"/webhooks/deliveries/{dead['id']}/replay")
    assert again.status_code == 200  # a delivered one may be sent again on purpose


def test_a_subscription_is_checked_admin_only_and_revocable(as_user, ctx, receiver):
    refused = as_user("admin").post("/webhooks", json={"name": "x", "url": "file:///etc/passwd"})
    assert refused.status_code == 422 and refused.json["fields"]["url"]
    unknown = as_user("admin").post("/webhooks", json={"name": "x", "url": receiver.url, "event_types": ["nope"]})
    assert unknown.status_code == 422
    assert as_user("process_owner").get("/webhooks").status_code == 403
    made = subscribe(as_user, receiver.url)
    revoked = as_user("admin").post(f"/webhooks/{made['subscription']['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    RepairCase(as_user)
    receiver.up()
    assert webhooks.deliver(ctx) == 0 and receiver.received == []
