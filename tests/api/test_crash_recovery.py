"""kill -9 in the middle of a load of completions: nothing half-written, nothing acknowledged lost.

The real server (gunicorn, 2 workers) serves repair cases to client threads over HTTP; one worker
is killed with SIGKILL while completions are in flight, later the whole server. After a restart:
every completion that got a 2xx is there exactly once, every unanswered one is either fully there
or fully absent, each case's engine state agrees with its task, timer and event rows, and every
case goes on to its next task.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from app.persistence.orm import Event
from app.persistence.orm import Instance
from app.persistence.orm import Task
from app.persistence.orm import Timer
from tests.conftest import DB_CHOICE
from tests.conftest import PROCESSES
from tests.live_server import LiveServer
from tests.repair_driver import FORMS
from tests.repair_driver import register

pytestmark = pytest.mark.skipif(
    DB_CHOICE == "sqlite",
    reason="kills a multi-worker server mid-write: PostgreSQL only (SQLite is the embedded single-host mode)",
)

CLIENTS = 8
CASES_PER_CLIENT = 2
KILL_WORKER_AFTER = 30  # acknowledged completions
KILL_SERVER_AFTER = 70
STEPS = {**FORMS, "register_request": register()}


def complete(api, task: dict):
    """Complete ``task`` with its step's form; a customer's step on the customer's behalf (the admin's)."""
    on_behalf = {"on_behalf": "true"} if task["candidate_roles"][:1] == ["customer"] else None
    return api.post(f"/tasks/{task['id']}/complete", json=STEPS[task["element_id"]], params=on_behalf)


@dataclass
class Attempt:
    case_id: int
    task_id: str
    element_id: str
    status: int | None  # None: no response (connection reset or refused)


class Load:
    """Client threads each working their own cases forward; every completion attempt is recorded."""

    def __init__(self, server: LiveServer, case_ids: list[int]) -> None:
        self.server, self.case_ids = server, case_ids
        self.attempts: list[Attempt] = []
        self.acknowledged = 0
        self.changed = threading.Condition()
        self.stop = threading.Event()

    def _record(self, attempt: Attempt) -> None:
        with self.changed:
            self.attempts.append(attempt)
            if attempt.status is not None and 200 <= attempt.status < 300:
                self.acknowledged += 1
            self.changed.notify_all()

    def wait_for(self, acknowledged: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.acknowledged >= acknowledged, timeout=120), (
                f"only {self.acknowledged} completions acknowledged:\n{self.server.log_tail()}"
            )

    def drive(self, cases: list[int]) -> None:
        with self.server.client("admin", timeout=20) as api:
            open_cases = list(cases)
            while open_cases and not self.stop.is_set():
                for case_id in list(open_cases):
                    if self.stop.is_set():
                        return
                    try:
                        listed = api.get("/tasks", params={"instance_id": case_id})
                    except httpx.HTTPError:
                        continue  # a killed worker: read again on the next round
                    if listed.status_code != 200:
                        continue
                    ready = listed.json()
                    task = next((t for t in ready if t["element_id"] in STEPS), None)
                    if task is None:
                        open_cases.remove(case_id)  # done (or waiting for nothing we drive)
                        continue
                    try:
                        status = complete(api, task).status_code
                    except httpx.HTTPError:
                        status = None
                    self._record(Attempt(case_id, task["id"], task["element_id"], status))

    def run(self) -> list[threading.Thread]:
        threads = []
        for n in range(CLIENTS):
            cases = self.case_ids[n * CASES_PER_CLIENT : (n + 1) * CASES_PER_CLIENT]
            threads.append(threading.Thread(target=self.drive, args=(cases,), daemon=True))
        for t in threads:
            t.start()
        return threads


@pytest.fixture
def servers(app, database_url, tmp_path):
    made: list[LiveServer] = []

    def start() -> LiveServer:
        server = LiveServer(database_url, PROCESSES, tmp_path, workers=2, threads=8).start()
        made.append(server)
        return server

    yield start
    for server in made:
        server.stop()


def rows(ctx):
    with ctx.uow() as uow:
        s = uow.session
        return (
            {i.id: i for i in s.scalars(select(Instance))},
            {t.id: t for t in s.scalars(select(Task))},
            list(s.scalars(select(Timer))),
            list(s.scalars(select(Event).order_by(Event.id))),
        )


def test_kill_9_mid_load_loses_no_acknowledged_completion_and_half_writes_nothing(ctx, servers):
    server = servers()
    with server.client("agent") as agent:
        case_ids = [agent.post("/processes/repair/instances").json()["id"] for _ in range(CLIENTS * CASES_PER_CLIENT)]
    load = Load(server, case_ids)
    threads = load.run()

    load.wait_for(KILL_WORKER_AFTER)
    server.kill_worker(server.worker_pids()[0])  # the master starts a new one; the other serves meanwhile
    load.wait_for(KILL_SERVER_AFTER)
    server.kill_all()  # the whole service, mid-request
    load.stop.set()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)

    instances, tasks, timers, events = rows(ctx)
    completions = Counter(e.task_id for e in events if e.type == "task_completed")
    unanswered = [a for a in load.attempts if a.status is None]
    for attempt in load.attempts:
        task = tasks[attempt.task_id]
        if attempt.status is not None and 200 <= attempt.status < 300:
            assert (task.status, completions[task.id]) == ("completed", 1), attempt
        elif attempt.status is None:  # may or may not have landed, but never half
            assert (task.status, completions[task.id]) in (("completed", 1), ("ready", 0)), attempt
        else:
            assert attempt.status == 409, attempt  # only a completion that had landed before may be refused
    # Every row agrees with every other: one completion event per completed task row, and back.
    assert max(completions.values()) == 1
    assert {t.id for t in tasks.values() if t.status == "completed"} == set(completions)
    for e in events:
        if e.type == "task_completed":
            assert e.data or not STEPS[e.element_id], e  # the form data went with it (the check-in has none)
    # ... and with the engine state of the case (what SpiffWorkflow restores from the instance row).
    with ctx.uow() as uow:
        for instance in instances.values():
            process = ctx.versions.get(uow, instance.version_id)
            snapshot = ctx.engine.fire_timers(process, instance.state)  # none due at the test clock
            assert snapshot.events == [], (instance.id, snapshot.events)  # nothing left undone in the state
            ready_rows = {t.id for t in tasks.values() if t.instance_id == instance.id and t.status == "ready"}
            assert {t.id for t in snapshot.ready_tasks} == ready_rows, instance.id
            waiting = {t.id for t in timers if t.instance_id == instance.id and t.status == "waiting"}
            assert {t.task_id for t in snapshot.timers} == waiting, instance.id
            assert instance.status == snapshot.status == "running"
            assert instance.lock_version >= 1 + sum(
                1 for t in tasks.values() if t.instance_id == instance.id and t.status == "completed"
            )

    # After a restart every case goes on where it stopped.
    server = servers()
    with server.client("admin") as api:
        for case_id in case_ids:
            assert api.get(f"/instances/{case_id}").json()["status"] == "running"
            [task] = [t for t in api.get("/tasks", params={"instance_id": case_id}).json() if t["element_id"] in STEPS]
            done = complete(api, task)
            assert done.status_code == 200, (case_id, done.text)
            after = {t["id"] for t in api.get("/tasks", params={"instance_id": case_id}).json()}
            finished = api.get(f"/instances/{case_id}").json()["status"] == "completed"
            assert task["id"] not in after and (after or finished), case_id  # moved on to its next task
    print(
        f"\n{len(load.attempts)} completions tried, {load.acknowledged} acknowledged, "
        f"{len(unanswered)} unanswered ({sum(1 for a in unanswered if tasks[a.task_id].status == 'completed')} landed)"
    )
