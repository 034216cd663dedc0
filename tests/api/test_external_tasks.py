"""External tasks: an outside worker (the ERP) fetches and locks the service tasks of its topic,
completes them with variables, fails them (an incident when no retries are left, which the retry
operation clears), extends its lock, reports a business error a boundary error event catches.
Two workers race over many cases and a third dies holding locks: each task is completed exactly
once, the dead worker's tasks go to the others when its locks expire by the clock.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta

import pytest

from app.domain.principal import Principal
from app.services.cases.opening import start_case
from tests.conftest import Api
from tests.external_task_diagrams import CAMUNDA_INVOICING
from tests.external_task_diagrams import INVOICING

MINUTE = 60_000  # ms
SOAK = os.environ.get("AFTERSALES_SOAK") == "1"
FINANCE = Principal("finance", frozenset({"finance"}), "finance")


@pytest.fixture
def invoicing(app_with_diagram):
    app = app_with_diagram(INVOICING, ("admin", "finance", "agent", "auditor"))
    return app, (lambda username: Api(app.test_client(), username))


def start(api, n: int) -> dict:
    started = api("finance").post("/processes/invoicing/instances", json={"note": str(n)})
    assert started.status_code == 201, started.json
    return started.json


def fetch(api, worker: str, max_tasks: int = 10, lock: int = MINUTE, user: str = "finance") -> list[dict]:
    body = {"worker_id": worker, "topics": [{"name": "erp_invoice", "lock_duration": lock}], "max_tasks": max_tasks}
    answer = api(user).post("/external-tasks/fetch-and-lock", json=body)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_a_worker_fetches_locks_and_completes_a_service_task_into_the_case_data(invoicing, clock):
    _, api = invoicing
    case = start(api, 1)
    assert api("finance").get(f"/tasks?instance_id={case['id']}").json == []  # not a person's task
    assert fetch(api, "erp-1", user="agent") == []  # another role's topic: not the agent's to fetch
    [ready] = [e for e in api("finance").get(f"/instances/{case['id']}/events").json if e["type"] == "task_ready"]
    assert ready["data"]["topic"] == "erp_invoice"
    [task] = fetch(api, "erp-1")
    assert (task["topic"], task["element_id"], int(task["variables"]["note"])) == ("erp_invoice", "issue_invoice", 1)
    assert fetch(api, "erp-2") == []  # locked
    assert api("finance").post(f"/tasks/{task['id']}/complete", json={"ok": True}).status_code == 409
    other = api("finance").post(f"/external-tasks/{task['id']}/complete", json={"worker_id": "erp-2"})
    assert other.status_code == 409 and "locked by erp-1" in other.json["detail"]

    done = api("finance").post(
        f"/external-tasks/{task['id']}/complete", json={"worker_id": "erp-1", "variables": {"invoice_no": "INV-1"}}
    )
    assert done.status_code == 200, done.json
    shown = api("finance").get(f"/instances/{case['id']}").json
    assert (shown["status"], shown["data"]["invoice_no"], shown["incidents"]) == ("completed", "INV-1", [])
    again = api("finance").post(f"/external-tasks/{task['id']}/complete", json={"worker_id": "erp-1"})
    assert again.status_code == 409


def test_a_lock_expires_by_the_clock_unless_extended(app_with_diagram, clock):
    app = app_with_diagram(CAMUNDA_INVOICING, ("finance",))  # camunda:type="external" camunda:topic
    api = lambda username: Api(app.test_client(), username)  # noqa: E731
    start(api, 2)
    [task] = fetch(api, "erp-1", lock=MINUTE)
    clock.advance(timedelta(seconds=50))
    extended = api("finance").post(
        f"/external-tasks/{task['id']}/extend-lock", json={"worker_id": "erp-1", "new_duration": MINUTE}
    )
    assert extended.status_code == 200, extended.json
    clock.advance(timedelta(seconds=50))  # 100 s after the fetch: still locked (extended to 110 s)
    assert fetch(api, "erp-2") == []
    clock.advance(timedelta(seconds=11))
    [taken] = fetch(api, "erp-2")
    assert taken["id"] == task["id"]
    late = api("finance").post(f"/external-tasks/{task['id']}/complete", json={"worker_id": "erp-1"})
    assert late.status_code == 409 and "locked by erp-2" in late.json["detail"]


def test_retries_run_out_into_an_incident_that_the_retry_operation_clears(invoicing, clock):
    _, api = invoicing
    case = start(api, 3)
    [task] = fetch(api, "erp-1")
    failed = {"worker_id": "erp-1", "error_message": "ERP down", "retries": 1, "retry_timeout": MINUTE}
    assert api("finance").post(f"/external-tasks/{task['id']}/failure", json=failed).status_code == 200
    assert fetch(api, "erp-1") == []  # backing off
    clock.advance(timedelta(minutes=1))
    [again] = fetch(api, "erp-1")
    assert (again["retries"], again["error_message"]) == (1, "ERP down")
    last = {**failed, "retries": 0, "error_message": "ERP still down"}
    assert api("finance").post(f"/external-tasks/{task['id']}/failure", json=last).status_code == 200
    clock.advance(timedelta(hours=1))
    assert fetch(api, "erp-1") == []  # an incident: no worker gets it
    shown = api("finance").get(f"/instances/{case['id']}").json
    assert shown["status"] == "running"
    assert [(i["element_id"], i["message"]) for i in shown["incidents"]] == [("issue_invoice", "ERP still down")]
    types = [e["type"] for e in api("finance").get(f"/instances/{case['id']}/events").json]
    assert types.count("external_task_failed") == 1 and types.count("incident_opened") == 1

    assert api("finance").post(f"/instances/{case['id']}/retry", json={}).status_code == 403
    retried = api("admin").post(f"/instances/{case['id']}/retry", json={})
    assert retried.status_code == 200, retried.json
    assert api("finance").get(f"/instances/{case['id']}").json["incidents"] == []
    [back] = fetch(api, "erp-1")
    assert back["retries"] == 1
    ok = api("finance").post(f"/external-tasks/{task['id']}/complete", json={"worker_id": "erp-1"})
    assert ok.status_code == 200 and api("finance").get(f"/instances/{case['id']}").json["status"] == "completed"


def test_a_business_error_is_caught_by_the_boundary_error_event(invoicing):
    _, api = invoicing
    case = start(api, 4)
    [task] = fetch(api, "erp-1")
    wrong = {"worker_id": "erp-1", "error_code": "OUT_OF_PAPER"}
    refused = api("finance").post(f"/external-tasks/{task['id']}/bpmn-error", json=wrong)
    assert refused.status_code == 409 and "OUT_OF_PAPER" in refused.json["detail"]
    reported = api("finance").post(
        f"/external-tasks/{task['id']}/bpmn-error",
        json={"worker_id": "erp-1", "error_code": "NO_CUSTOMER", "variables": {"erp_reason": "unknown tax id"}},
    )
    assert reported.status_code == 200, reported.json
    [fix] = api("finance").get(f"/tasks?instance_id={case['id']}").json
    assert fix["element_id"] == "fix_customer"
    shown = api("finance").get(f"/instances/{case['id']}").json
    assert shown["status"] == "running" and shown["data"]["erp_reason"] == "unknown tax id"
    assert api("finance").post(f"/external-tasks/{task['id']}/complete", json={"worker_id": "erp-1"}).status_code == 409


@pytest.mark.parametrize(
    "count",
    [
        100,
        pytest.param(
            1_000,
            marks=[
                pytest.mark.soak,
                pytest.mark.skipif(not SOAK, reason="soak test: `make soak` (AFTERSALES_SOAK=1) runs it"),
            ],
        ),
    ],
)
def test_two_racing_workers_and_a_killed_one_complete_each_task_exactly_once(invoicing, clock, ctx_of, count):
    app, api = invoicing
    began = time.monotonic()
    cases = [start_case(ctx_of(app), "invoicing", {"note": str(n)}, FINANCE).id for n in range(count)]
    started = time.monotonic() - began
    killed = fetch(api, "killed", max_tasks=10)  # locks ten, then dies
    completions: dict[str, list[str]] = {}
    guard = threading.Lock()
    refused: list[int] = []

    def work(worker: str) -> None:
        client = Api(app.test_client(), "finance")
        while tasks := fetch(lambda _: client, worker, max_tasks=5):
            for task in tasks:
                url = f"/external-tasks/{task['id']}"
                if int(task["variables"]["note"]) % 10 == 7:  # the ERP refuses these: fail until no retries are left
                    left = 1 if task["retries"] is None else task["retries"] - 1
                    body = {"worker_id": worker, "error_message": "ERP refused", "retries": left}
                    assert client.post(f"{url}/failure", json=body).status_code == 200
                    continue
                done = client.post(f"{url}/complete", json={"worker_id": worker, "variables": {"by": worker}})
                assert done.status_code == 200, done.json
                with guard:
                    completions.setdefault(task["id"], []).append(worker)
                refused.append(client.post(f"{url}/complete", json={"worker_id": worker}).status_code)

    def race() -> None:
        threads = [threading.Thread(target=work, args=(w,)) for w in ("erp-a", "erp-b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    began = time.monotonic()
    race()
    assert not set(completions) & {t["id"] for t in killed}  # still locked by the dead worker
    clock.advance(timedelta(minutes=1, seconds=1))  # its locks expire
    race()
    worked = time.monotonic() - began
    print(f"\n{count} external tasks: {started:.1f} s to start, {worked:.1f} s for two workers")

    assert all(len(by) == 1 for by in completions.values())  # exactly once each
    assert set(refused) == {409}
    failing = {n for n in range(count) if n % 10 == 7}
    assert len(completions) == count - len(failing)
    assert {w for by in completions.values() for w in by} == {"erp-a", "erp-b"}
    late = api("finance").post(f"/external-tasks/{killed[0]['id']}/complete", json={"worker_id": "killed"})
    assert late.status_code == 409
    with ctx_of(app).uow() as uow:
        statuses = {i.id: i.status for i in uow.instances.list(ids=set(cases), visible_to=None, limit=count)}
        incidents = {i for i in cases if uow.external_tasks.incidents(i)}
        completed_events = uow.events.of_instances(set(cases), ["task_completed"])
    assert {n for n, i in enumerate(cases) if i in incidents} == failing
    assert {i for i in cases if statuses[i] == "completed"} == set(cases) - incidents
    assert len(completed_events) == len(completions)


@pytest.fixture
def ctx_of():
    return lambda app: app.extensions["aftersales"]


def test_a_long_poll_started_before_there_is_work_gets_the_task_made_ready_meanwhile(invoicing):
    _, api = invoicing
    answers = []
    body = {
        "worker_id": "erp-1",
        "topics": [{"name": "erp_invoice", "lock_duration": MINUTE}],
        "async_response_timeout": 30_000,
    }
    waiting = threading.Thread(
        target=lambda: answers.append(api("finance").post("/external-tasks/fetch-and-lock", json=body))
    )
    waiting.start()
    case = start(api, 7)  # the poll is (most likely) waiting now; the commit rings its bell
    waiting.join(timeout=40)
    [answer] = answers
    assert answer.status_code == 200 and [t["instance_id"] for t in answer.json] == [case["id"]]
    too_long = api("finance").post("/external-tasks/fetch-and-lock", json={**body, "async_response_timeout": 3_600_000})
    assert too_long.status_code == 422
