"""A worker that dies while holding timer claims (PostgreSQL row locks) loses nothing: its
transaction rolls back with its connection, and another worker fires those timers, once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from app.domain.principal import Principal
from app.services.cases.opening import start_case
from app.services.timing.timer_firing import fire_due_timers
from tests.conftest import DB_CHOICE
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(DB_CHOICE == "sqlite", reason="row claims (FOR UPDATE SKIP LOCKED) are PostgreSQL's")

CLAIMING_WORKER = """
import sys, time
from datetime import datetime
from app import create_app
app = create_app({"DATABASE_URL": sys.argv[1]}, serves_http=False)
ctx = app.extensions["aftersales"]
with ctx.uow() as uow:
    claimed = uow.instances.lock_due([int(i) for i in sys.argv[3].split(",")], datetime.fromisoformat(sys.argv[2]))
    print(len(claimed), flush=True)
    time.sleep(120)  # killed long before this ends, in the middle of its transaction
"""


def test_timers_claimed_by_a_worker_killed_with_sigkill_are_fired_by_another_exactly_once(tiny, clock, database_url):
    ctx = tiny.extensions["aftersales"]
    ids = [start_case(ctx, "tiny", None, Principal("agent", frozenset({"cs_agent"}))).id for _ in range(3)]
    clock.advance(timedelta(hours=25))
    worker = subprocess.Popen(
        [sys.executable, "-c", CLAIMING_WORKER, database_url, clock.now().isoformat(), ",".join(map(str, ids))],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert worker.stdout.readline().strip() == "3"  # it holds all three cases
        assert fire_due_timers(ctx).timers == 0  # skipped, not waited for: they are someone else's
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
        worker.stdout.close()
    fired = 0
    deadline = time.monotonic() + 10
    while fired < 3 and time.monotonic() < deadline:  # PostgreSQL ends the dead worker's session
        fired += fire_due_timers(ctx).timers
    assert fired == 3
    with ctx.uow() as uow:
        for instance_id in ids:
            assert [t.status for t in uow.timers.for_instance(instance_id)] == ["fired"]
            assert sum(e.type == "timer_fired" for e in uow.events.for_instance(instance_id)) == 1
