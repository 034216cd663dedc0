"""At scale: the inbox query with many open tasks, and catching up timers overdue at start-up.

    python -m benchmarks.scale [--db postgres|sqlite] [--open-tasks 100000] [--overdue 10000]

Inbox: open task rows are bulk-inserted (the inbox reads rows, not engine state) across as many
cases, spread over roles; the figure is the latency of one user's inbox (``list_tasks``) p50/p95.
Catch-up: real repair cases wait on their 24 h contact timer, the clock jumps past it as after
downtime, and one ``fire_due`` round must fire them all; the figure is its duration and lateness.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import timedelta

from benchmarks.run import T0
from benchmarks.run import emit
from benchmarks.run import postgres_url
from benchmarks.run import step_data

ROLES = ["cs_agent", "dispatcher", "technician", "supervisor", "qa", "finance", "mis"]


def build(url: str):
    from app import create_app
    from app.clock import SimulatedClock
    from app.persistence.db import create_schema
    from app.persistence.db import drop_schema
    from app.services.demo import load_master_data
    from app.services.deployments import deploy_directory

    clock = SimulatedClock(T0, frozen=True)
    app = create_app({"DATABASE_URL": url, "CLOCK_OBJECT": clock, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    db = app.extensions["aftersales.db"]
    drop_schema(db)
    create_schema(db)
    ctx = app.extensions["aftersales"]
    deploy_directory(ctx)
    load_master_data(ctx)
    return app, ctx, clock, db


def bench_inbox(url: str, open_tasks: int, samples: int = 200) -> None:
    from sqlalchemy import insert

    from app.domain.principal import Principal
    from app.persistence.orm import Instance
    from app.persistence.orm import Task
    from app.services.tasks import list_tasks

    app, ctx, clock, db = build(url)
    with ctx.uow() as uow:
        version = uow.versions.latest("repair")
    now = clock.now()
    batch = 5000
    with db.begin() as conn:
        for start in range(0, open_tasks, batch):
            ids = range(start + 1, min(start + batch, open_tasks) + 1)
            conn.execute(
                insert(Instance),
                [
                    dict(
                        id=i,
                        case_no=f"SR-X-{i:07d}",
                        process_key="repair",
                        version_id=version.id,
                        version=1,
                        status="running",
                        state="",
                        serializer_version="",
                        data={"customer_name": f"客户 {i % 997}"},
                        created_at=now,
                        updated_at=now,
                        lock_version=1,
                    )
                    for i in ids
                ],
            )
            conn.execute(
                insert(Task),
                [
                    dict(
                        id=f"00000000-0000-4000-8000-{i:012d}",
                        instance_id=i,
                        process_key="repair",
                        version_id=version.id,
                        element_id="contact_customer",
                        name="联系客户确认预约 / Contact customer",
                        role=ROLES[i % len(ROLES)],
                        status="ready",
                        due_at=now + timedelta(minutes=i % 5000),
                        created_at=now,
                    )
                    for i in ids
                ],
            )
    agent = Principal("agent", frozenset({"cs_agent"}))
    list_tasks(ctx, agent)  # warm-up
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        rows = list_tasks(ctx, agent, limit=50)
        timings.append(time.perf_counter() - started)
    assert len(rows) == 50
    name = "postgres" if url.startswith("postgresql") else "sqlite"
    emit(f"scale.{name}.inbox_p50", statistics.median(timings) * 1e3, "ms", open_tasks=open_tasks)
    emit(f"scale.{name}.inbox_p95", statistics.quantiles(timings, n=20)[18] * 1e3, "ms", open_tasks=open_tasks)
    db.dispose()


def bench_catch_up(url: str, overdue: int) -> None:
    from app.domain.principal import Principal
    from app.services.cases import start_case
    from app.services.tasks import complete_task
    from app.services.tasks import list_tasks
    from app.services.timers import fire_due

    app, ctx, clock, db = build(url)
    admin = Principal("admin", frozenset({"admin"}))
    data = step_data()["register_request"]
    started = time.perf_counter()
    for _ in range(overdue):
        case = start_case(ctx, "repair", None, admin)
        [(task, _)] = list_tasks(ctx, admin, instance_id=case.id)
        complete_task(ctx, task.id, data, admin)
    setup = time.perf_counter() - started
    clock.advance(timedelta(hours=25))  # the service was down while they all fell due
    started = time.perf_counter()
    report = fire_due(ctx)
    elapsed = time.perf_counter() - started
    assert report.timers == overdue, report
    name = "postgres" if url.startswith("postgresql") else "sqlite"
    emit(f"scale.{name}.catch_up", elapsed, "s", timers=overdue, setup_s=round(setup, 1))
    emit(f"scale.{name}.catch_up_rate", overdue / elapsed, "per_s", timers=overdue)
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--open-tasks", type=int, default=100_000)
    parser.add_argument("--overdue", type=int, default=10_000)
    args = parser.parse_args()
    url = postgres_url() if args.db == "postgres" else f"sqlite:///{tempfile.mkdtemp()}/scale.db"
    if url is None:
        return
    bench_inbox(url, args.open_tasks)
    bench_catch_up(url, args.overdue)


if __name__ == "__main__":
    main()
