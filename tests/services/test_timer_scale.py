"""Two schedulers over thousands of due timers: each timer fires exactly once, none is left due.

Thousands of waiting cases are made cheaply: one tiny case is started through the service layer,
then cloned row by row (its engine state with fresh task ids, its ready task, its waiting timer) in
bulk. The clock moves past every due time and two worker *processes* (so the firing really runs
in parallel) call the timer service's ``fire_due`` until nothing is due. The suite fires 1 000;
``make soak`` fires 10 000.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
import uuid
from collections import Counter
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text

from app.domain.principal import Principal
from app.persistence.orm import Event
from app.persistence.orm import Instance
from app.persistence.orm import Task
from app.persistence.orm import Timer
from app.services.cases.opening import start_case
from tests.conftest import DB_CHOICE

pytestmark = pytest.mark.skipif(
    DB_CHOICE == "sqlite",
    reason="two firing processes at once (FOR UPDATE SKIP LOCKED): PostgreSQL only; SQLite serialises writers",
)

AGENT = Principal("agent", frozenset({"cs_agent"}))
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SOAK = bool(os.environ.get("AFTERSALES_SOAK"))


def clone_cases(ctx, template_id: int, count: int) -> list[int]:
    """``count`` copies of a waiting case: same diagram version and data, fresh ids everywhere."""
    with ctx.uow() as uow:
        s = uow.session
        template = s.get(Instance, template_id)
        [task] = s.scalars(select(Task).where(Task.instance_id == template_id)).all()
        [timer] = s.scalars(select(Timer).where(Timer.instance_id == template_id)).all()
        first = (s.scalar(select(func.max(Instance.id))) or 0) + 1
        columns = [c.key for c in Instance.__table__.columns]
        instances, tasks, timers = [], [], []
        for n in range(count):
            ids = {old: str(uuid.uuid4()) for old in set(UUID_RE.findall(template.state))}
            state = UUID_RE.sub(lambda m, ids=ids: ids[m.group(0)], template.state)
            instance_id = first + n
            row = {c: getattr(template, c) for c in columns}
            row.update(id=instance_id, case_no=f"TIN-BULK-{instance_id:07d}", state=state)
            instances.append(row)
            task_row = {c.key: getattr(task, c.key) for c in Task.__table__.columns}
            task_row.update(id=ids[task.id], instance_id=instance_id)
            tasks.append(task_row)
            timer_row = {c.key: getattr(timer, c.key) for c in Timer.__table__.columns}
            timer_row.update(id=ids[timer.id], instance_id=instance_id)
            timers.append(timer_row)
        for table, rows in ((Instance, instances), (Task, tasks), (Timer, timers)):
            for start in range(0, len(rows), 1000):
                s.execute(insert(table), rows[start : start + 1000])
        s.execute(text("SELECT setval(pg_get_serial_sequence('instances', 'id'), (SELECT max(id) FROM instances))"))
        uow.commit()
    return [first + n for n in range(count)]


def fire_until_nothing_is_due(database_url: str, processes_dir: str, now: datetime, barrier, results) -> None:
    """One scheduler process: its own app and connections; fires until no timer is due."""
    from app.clock import SimulatedClock
    from app.services.timing.timer_firing import fire_due
    from tests.conftest import make_app

    app = make_app(database_url, SimulatedClock(now, frozen=True), Path(processes_dir), create=False)
    ctx = app.extensions["aftersales"]
    fired = rounds = 0
    barrier.wait()
    started = time.perf_counter()
    while rounds < 10_000:
        rounds += 1
        fired += fire_due(ctx).timers
        with ctx.uow() as uow:
            if uow.timers.count_due(now) == 0:
                break
    results.put((os.getpid(), fired, rounds, time.perf_counter() - started))
    app.extensions["aftersales.db"].dispose()


@pytest.mark.parametrize(
    "count",
    [
        1_000,
        pytest.param(
            10_000,
            marks=[
                pytest.mark.soak,
                pytest.mark.skipif(not SOAK, reason="soak test: `make soak` (AFTERSALES_SOAK=1) runs it"),
            ],
        ),
    ],
)
def test_two_schedulers_fire_each_of_thousands_of_timers_exactly_once(tiny, clock, database_url, tmp_path, count):
    ctx = tiny.extensions["aftersales"]
    template = start_case(ctx, "tiny", None, AGENT)
    ids = [template.id, *clone_cases(ctx, template.id, count - 1)]
    with ctx.uow() as uow:
        waiting = {t.id for t in uow.session.scalars(select(Timer).where(Timer.status == "waiting"))}
    assert len(waiting) == count

    now = clock.advance(timedelta(hours=25))
    spawn = multiprocessing.get_context("spawn")  # fresh interpreters: no inherited connections or locks
    barrier, results = spawn.Barrier(2), spawn.Queue()
    workers = [
        spawn.Process(
            target=fire_until_nothing_is_due, args=(database_url, str(tmp_path / "processes"), now, barrier, results)
        )
        for _ in range(2)
    ]
    for w in workers:
        w.start()
    try:
        reports = [results.get(timeout=600) for _ in workers]
    finally:
        for w in workers:
            w.join(timeout=60)
            if w.is_alive():
                w.kill()
    assert all(w.exitcode == 0 for w in workers)
    print(f"\n{count} timers: " + "; ".join(f"pid {p} fired {f} in {r} rounds, {s:.1f} s" for p, f, r, s in reports))

    assert sum(fired for _, fired, _, _ in reports) == count
    assert all(fired > 0 for _, fired, _, _ in reports), reports  # both schedulers really took part
    with ctx.uow() as uow:
        s = uow.session
        fired_events = Counter(s.scalars(select(Event.task_id).where(Event.type == "timer_fired")))
        statuses = Counter(s.scalars(select(Timer.status).where(Timer.id.in_(waiting))))
        due_left = uow.timers.count_due(now)
        escalated = s.scalar(select(func.count()).select_from(Task).where(Task.element_id == "chase"))
        running = s.scalar(
            select(func.count()).select_from(Instance).where(Instance.id.in_(ids), Instance.status == "running")
        )
    assert set(fired_events) == waiting and set(fired_events.values()) == {1}  # each exactly once
    assert statuses == {"fired": count} and due_left == 0
    assert escalated == count and running == count  # each escalation task opened once; the cases go on
