"""The timer service at scale, against the real server (`aftersales serve`, wall clock):

- lateness: 100 000 pending timers, of which 1 000 fall due within one minute (``--window``) while
  the server runs; lateness = when the firing transaction stamped the timer minus its due time, p50/p99/max;
- catch-up: 10 000 timers overdue when the server starts (it was down); the figure is the time
  from starting the server until no timer is due any more, with 1 and 2 workers.

    python -m benchmarks.timers [--db postgres|sqlite] [--pending 100000] [--due 1000] [--overdue 10000]

Real repair cases wait on their 24 h first-contact timer (created here through the service layer
with a clock set back so that the timers fall due when wanted); the other pending timers are
bulk-inserted rows due in 30 days (the service reads the table, never those cases' state).
Every fired timer is checked to have fired exactly once.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from benchmarks.http import serve
from benchmarks.run import emit
from benchmarks.run import postgres_url
from benchmarks.run import running_case_row
from benchmarks.run import step_data

CONTACT_DEADLINE = timedelta(hours=24)  # repair.bpmn: first contact within 24 h of registration


def build(url: str, start: datetime):
    from app import create_app
    from app.clock import SimulatedClock
    from app.demo.loader import load_master_data
    from app.persistence.db import drop_schema
    from app.persistence.schema import upgrade
    from app.services.processes.deployments import deploy_directory

    clock = SimulatedClock(start, frozen=True)
    app = create_app(
        {"DATABASE_URL": url, "CLOCK_OBJECT": clock, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}, serves_http=False
    )
    db = app.extensions["aftersales.db"]
    drop_schema(db)
    upgrade(db)
    ctx = app.extensions["aftersales"]
    deploy_directory(ctx)
    load_master_data(ctx)
    return ctx, clock, db


def open_waiting_cases(ctx, clock, count: int, spacing: timedelta) -> list[int]:
    """``count`` repair cases registered ``spacing`` apart, each waiting on its first-contact timer."""
    from app.domain.principal import Principal
    from app.services.cases.opening import start_case
    from app.services.tasks.work import complete_task
    from app.services.tasks.work import list_tasks

    admin = Principal("admin", frozenset({"admin"}))
    data = step_data()["register_request"]
    ids = []
    for _ in range(count):
        case = start_case(ctx, "repair", None, admin)
        [(task, _)] = list_tasks(ctx, admin, instance_id=case.id)
        complete_task(ctx, task.id, data, admin)
        ids.append(case.id)
        clock.advance(spacing)
    return ids


def insert_far_timers(db, count: int, version_id: int, due: datetime, batch: int = 5000) -> None:
    from sqlalchemy import func
    from sqlalchemy import insert
    from sqlalchemy import select

    from app.persistence.orm import Instance
    from app.persistence.orm import Timer

    with db.begin() as conn:
        first = (conn.scalar(select(func.max(Instance.id))) or 0) + 1_000_000
        for start in range(first, first + count, batch):
            ids = range(start, min(start + batch, first + count))
            conn.execute(insert(Instance), [running_case_row(i, version_id, due, "F") for i in ids])
            conn.execute(
                insert(Timer),
                [
                    dict(
                        id=f"00000000-0000-4000-9000-{i:012d}",
                        instance_id=i,
                        element_id="contact_deadline",
                        name="filler",
                        status="waiting",
                        due_at=due + timedelta(seconds=i % 86400),
                        created_at=due,
                    )
                    for i in ids
                ],
            )


def timer_rows(db, instance_ids: list[int]):
    from sqlalchemy import select

    from app.persistence.orm import Timer

    with db.connect() as conn:
        return list(conn.execute(select(Timer).where(Timer.instance_id.in_(instance_ids))))


def fired_once(db, instance_ids: list[int]) -> bool:
    from sqlalchemy import func
    from sqlalchemy import select

    from app.persistence.orm import Event

    with db.connect() as conn:
        counts = conn.execute(
            select(Event.task_id, func.count())
            .where(Event.type == "timer_fired", Event.instance_id.in_(instance_ids))
            .group_by(Event.task_id)
        ).all()
    return all(n == 1 for _, n in counts)


def count_due(db, now: datetime) -> int:
    from sqlalchemy import func
    from sqlalchemy import select

    from app.persistence.orm import Timer

    with db.connect() as conn:
        return conn.scalar(select(func.count()).where(Timer.status == "waiting", Timer.due_at < now)) or 0


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def bench_lateness(url: str, name: str, pending: int, due: int, workers: int, window: timedelta) -> None:
    from app.services.timing.timer_firing import fire_due_timers

    ctx, clock, db = build(url, datetime.now(UTC) - timedelta(days=2))
    with ctx.uow() as uow:
        version_id = uow.versions.latest("repair").id
    insert_far_timers(db, pending - due, version_id, datetime.now(UTC) + timedelta(days=30))
    # The cases are set up before the first of them falls due: about 100 cases a second on a quiet machine, a
    # fixed second and three times that allowance for a busy one (the suite runs this beside other tests).
    first_due = datetime.now(UTC) + timedelta(seconds=5 + 1 + due * 0.06)
    clock.advance(first_due - CONTACT_DEADLINE - clock.now())
    ids = open_waiting_cases(ctx, clock, due, window / due)
    # Each case also waits on its arrival promise (6 working hours, long past): only the contact deadlines
    # falling due in the window are measured; the server fires the overdue arrival timers as it starts.
    waiting = [
        r
        for r in timer_rows(db, ids)
        if r.status == "waiting" and r.element_id == "contact_overdue" and r.due_at <= first_due + window
    ]
    assert len(waiting) == due, len(waiting)
    # Their arrival promises (6 working hours) have passed by now: escalate them during the set-up, so
    # that only the contact deadlines fall due while the server is measured.
    clock.advance(max(timedelta(0), datetime.now(UTC) - clock.now()))
    fire_due_timers(ctx)
    if datetime.now(UTC) >= first_due - timedelta(seconds=5):
        raise RuntimeError("setting up took longer than the lead time; raise it")
    process, _ = serve(url, workers, clock="system")
    try:
        deadline = first_due + window + timedelta(seconds=60)
        while datetime.now(UTC) < deadline:
            fired = [r for r in timer_rows(db, ids) if r.status == "fired" and r.element_id == "contact_overdue"]
            if len(fired) == due:
                break
            time.sleep(1)
    finally:
        stop(process)
    rows = {r.id: r for r in timer_rows(db, ids)}
    late = sorted((rows[w.id].fired_at - w.due_at).total_seconds() * 1e3 for w in waiting if rows[w.id].fired_at)
    assert len(late) == due, f"{len(late)} of {due} fired"
    assert fired_once(db, ids)
    extra = {"pending": pending, "due": due, "within_s": window.total_seconds(), "workers": workers}
    emit(f"timers.{name}.lateness_p50", statistics.median(late), "ms", **extra)
    emit(f"timers.{name}.lateness_p99", statistics.quantiles(late, n=100)[98], "ms", **extra)
    emit(f"timers.{name}.lateness_max", late[-1], "ms", **extra)
    db.dispose()


def bench_catch_up(url: str, name: str, overdue: int, workers: int) -> None:
    ctx, clock, db = build(url, datetime.now(UTC) - CONTACT_DEADLINE - timedelta(hours=1))
    started = time.perf_counter()
    ids = open_waiting_cases(ctx, clock, overdue, timedelta(0))
    setup = time.perf_counter() - started
    timers = count_due(db, datetime.now(UTC))
    assert timers == 2 * overdue  # each case's first contact and arrival promise
    started = time.perf_counter()
    process, _ = serve(url, workers, clock="system")
    ready = time.perf_counter() - started
    try:
        while count_due(db, datetime.now(UTC)) and time.perf_counter() - started < 600:
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
    finally:
        stop(process)
    assert count_due(db, datetime.now(UTC)) == 0, "not all fired within 10 minutes"
    assert fired_once(db, ids)
    extra = {"timers": timers, "workers": workers, "server_ready_s": round(ready, 1), "setup_s": round(setup, 1)}
    emit(f"timers.{name}.catch_up_workers_{workers}", elapsed, "s", **extra)
    emit(f"timers.{name}.catch_up_rate_workers_{workers}", timers / elapsed, "per_s", **extra)
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--overdue", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--window", type=float, default=60, help="seconds over which the --due timers fall due")
    args = parser.parse_args()
    url = postgres_url() if args.db == "postgres" else f"sqlite:///{tempfile.mkdtemp()}/timers.db"
    if url is None:
        return
    bench_lateness(url, args.db, args.pending, args.due, max(args.workers), timedelta(seconds=args.window))
    for workers in args.workers:
        bench_catch_up(url, args.db, args.overdue, workers)


if __name__ == "__main__":
    main()
