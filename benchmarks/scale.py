"""At scale: the inbox query with 100 000 open tasks beside 1 000 000 finished cases.

    python -m benchmarks.scale [--db postgres|sqlite] [--open-tasks 100000] [--finished 1000000]

Rows are bulk-inserted (the inbox reads rows, not engine state): open tasks across as many
running cases, spread over roles; finished cases with three completed tasks each, written by
the database itself (generate_series / a recursive CTE). The figure is the latency of one user's
inbox (``list_tasks``, first page of 50) p50/p95. Timer catch-up is in benchmarks/timers.py.
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
from benchmarks.run import running_case_row

ROLES = ["cs_agent", "dispatcher", "technician", "supervisor", "qa", "finance", "mis"]


def build(url: str):
    from app import create_app
    from app.clock import SimulatedClock
    from app.demo.loader import load_master_data
    from app.persistence.db import create_schema
    from app.persistence.db import drop_schema
    from app.services.processes.deployments import deploy_directory

    clock = SimulatedClock(T0, frozen=True)
    app = create_app(
        {"DATABASE_URL": url, "CLOCK_OBJECT": clock, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}, serves_http=False
    )
    db = app.extensions["aftersales.db"]
    drop_schema(db)
    create_schema(db)
    ctx = app.extensions["aftersales"]
    deploy_directory(ctx)
    load_master_data(ctx)
    return app, ctx, clock, db


def insert_finished(db, version_id: int, first: int, count: int, at) -> None:
    """``count`` completed cases from id ``first`` on, three completed tasks each, written in SQL."""
    from sqlalchemy import text

    last = first + count - 1
    if db.dialect.name == "postgresql":
        series = f"generate_series({first}, {last}) AS s(g)"
        uuid = "lpad(to_hex(s.g), 8, '0') || '-0000-4000-a000-' || lpad(to_hex(k.n), 12, '0')"
        steps = "(VALUES (1), (2), (3)) AS k(n)"
    else:
        numbers = f"WITH RECURSIVE r(g) AS (SELECT {first} UNION ALL SELECT g + 1 FROM r WHERE g < {last})"
        series = f"({numbers} SELECT g FROM r) AS s"
        uuid = "printf('%08x-0000-4000-a000-%012x', s.g, k.n)"
        steps = "(SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) AS k"
    params = {"v": version_id, "at": at}
    with db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO instances (id, case_no, process_key, version_id, version, status, state,"
                " serializer_version, data, created_at, updated_at, completed_at, lock_version)"
                f" SELECT s.g, 'SR-D-' || s.g, 'repair', :v, 1, 'completed', '', '', '{{}}', :at, :at, :at, 1"
                f" FROM {series}"
            ),
            params,
        )
        conn.execute(
            text(
                "INSERT INTO tasks (id, instance_id, process_key, version_id, element_id, name, role, status,"
                " due_estimated, created_at, completed_at, completed_by)"
                f" SELECT {uuid}, s.g, 'repair', :v, 'contact_customer', '联系客户', 'cs_agent', 'completed',"
                f" false, :at, :at, 'agent' FROM {series} CROSS JOIN {steps}"
            ),
            params,
        )


def bench_inbox(url: str, open_tasks: int, finished: int, samples: int = 200) -> None:
    from sqlalchemy import insert

    from app.domain.principal import Principal
    from app.persistence.orm import Instance
    from app.persistence.orm import Task
    from app.services.tasks.work import list_tasks

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
                [running_case_row(i, version.id, now, "X", {"customer_name": f"客户 {i % 997}"}) for i in ids],
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
    insert_finished(db, version.id, open_tasks + 1, finished, now)
    if db.dialect.name == "postgresql":
        with db.connect() as conn:
            conn.exec_driver_sql("ANALYZE")  # as autovacuum would after such a load
    agent = Principal("agent", frozenset({"cs_agent"}))
    list_tasks(ctx, agent)  # warm-up
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        rows = list_tasks(ctx, agent, limit=50)
        timings.append(time.perf_counter() - started)
    assert len(rows) == 50
    name = "postgres" if url.startswith("postgresql") else "sqlite"
    extra = {"open_tasks": open_tasks, "finished_cases": finished}
    emit(f"scale.{name}.inbox_p50", statistics.median(timings) * 1e3, "ms", **extra)
    emit(f"scale.{name}.inbox_p95", statistics.quantiles(timings, n=20)[18] * 1e3, "ms", **extra)
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--open-tasks", type=int, default=100_000)
    parser.add_argument("--finished", type=int, default=1_000_000)
    args = parser.parse_args()
    url = postgres_url() if args.db == "postgres" else f"sqlite:///{tempfile.mkdtemp()}/scale.db"
    if url is None:
        return
    bench_inbox(url, args.open_tasks, args.finished)


if __name__ == "__main__":
    main()
