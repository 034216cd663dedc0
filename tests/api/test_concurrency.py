"""50 clients complete the same task at the same moment over the real server: one 200, 49 × 409.

tests/api/test_api.py has the in-process version (6 clients, both databases); this one runs the real
gunicorn server with 2 workers × 25 threads so that all 50 requests are in the database at once.
"""

from __future__ import annotations

import threading
from contextlib import ExitStack

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.persistence.orm import Event
from tests.conftest import DB_CHOICE
from tests.conftest import PROCESSES
from tests.live_server import LiveServer
from tests.repair_driver import register

pytestmark = pytest.mark.skipif(
    DB_CHOICE == "sqlite",
    reason="50 concurrent writers through a multi-worker server: PostgreSQL only (row locks; SQLite serialises)",
)

CLIENTS = 50


@pytest.fixture
def server(app, database_url, tmp_path):
    live = LiveServer(database_url, PROCESSES, tmp_path, workers=2, threads=CLIENTS // 2).start()
    yield live
    live.stop()


def test_fifty_concurrent_completions_of_one_task_give_one_200_and_49_409s(ctx, server):
    with server.client("agent") as agent:
        case = agent.post("/processes/repair/instances").json()
        [task] = agent.get("/tasks", params={"instance_id": case["id"]}).json()
    form = register()
    barrier, codes, lock = threading.Barrier(CLIENTS), [], threading.Lock()
    # Each client its own connection, opened before the barrier, so the requests leave together.
    with ExitStack() as stack:
        clients = [
            stack.enter_context(httpx.Client(base_url=server.base + "/api/v1", auth=("agent", "agent"), timeout=60))
            for _ in range(CLIENTS)
        ]
        for c in clients:
            assert c.get("/me").status_code == 200

        def complete(client: httpx.Client) -> None:
            barrier.wait()
            response = client.post(f"/tasks/{task['id']}/complete", json=form)
            with lock:
                codes.append((response.status_code, response.json().get("message", "")))

        threads = [threading.Thread(target=complete, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    statuses = sorted(code for code, _ in codes)
    assert statuses == [200] + [409] * (CLIENTS - 1), codes
    assert all("no longer" in message or "completed" in message for code, message in codes if code == 409), codes

    with ctx.uow() as uow:
        completed = uow.session.scalar(
            select(func.count()).where(Event.task_id == task["id"], Event.type == "task_completed")
        )
        ready = [t.element_id for t in uow.tasks.for_instance(case["id"], status="ready")]
    assert completed == 1
    assert ready == ["contact_customer"]  # the case moved on once
