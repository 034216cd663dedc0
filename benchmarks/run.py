"""Hot-path benchmarks: start case, complete task, fire timer — persisted vs the bare engine.

Prints one JSON line per figure: {"name": ..., "value": ..., "unit": ...}.

    python -m benchmarks.run                       # SQLite and PostgreSQL, 200 cases each
    python -m benchmarks.run --db sqlite --cases 50

The bare engine runs the same repair.bpmn path in memory with SpiffWorkflow and the same
sandboxed script engine, no database and no serialization; "persisted" goes through the
service layer (validation, engine, state + task/timer/event rows, one transaction per step).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy import text

from app.demo.repairs import ON_SITE
from app.demo.repairs import UNPAID_TAIL

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("AFTERSALES_BENCH_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_BENCH_DB = "aftersales_bench"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

# The happy path of repair.bpmn: on-site repair of an out-of-warranty unit (fee type A).
PATH = ["register_request", *ON_SITE, "payment_invoice", *UNPAID_TAIL]


def running_case_row(instance_id: int, version_id: int, at: datetime, prefix: str, data: dict | None = None) -> dict:
    """A bulk-inserted running repair case (the rows the inbox and the timer service read, no engine state)."""
    return dict(
        id=instance_id,
        case_no=f"SR-{prefix}-{instance_id:08d}",
        process_key="repair",
        version_id=version_id,
        version=1,
        status="running",
        state="",
        serializer_version="",
        data=data or {},
        created_at=at,
        updated_at=at,
        lock_version=1,
    )


def emit(name: str, value: float, unit: str, **extra) -> None:
    print(json.dumps({"name": name, "value": round(value, 2), "unit": unit, **extra}), flush=True)


def _register_form() -> dict:
    return {
        "channel": "phone",
        "customer_name": "张伟",
        "customer_phone": "13800000001",
        "address": "北京市朝阳区建国路 88 号",
        "region": "urban",
        "product_category": "refrigeration",
        "product_model": "BCD-520W",
        "serial_no": "SN-BENCH",
        "purchase_date": "2024-01-10",
        "warranty_evidence": "invoice",
        "tampered": False,
        "contract_no": "",
        "fault_description": "不制冷",
        "service_category": "repair",
        "urgency": "medium",
    }


def step_data() -> dict[str, dict]:
    from app.demo.repairs import step_data as demo_steps

    data = demo_steps(T0)
    data["register_request"] = _register_form()
    return data


def bench_bare(cases: int, data: dict[str, dict]) -> dict[str, float]:
    """SpiffWorkflow alone, in memory, same diagram, same scripts, same data."""
    from datetime import time as day_time
    from zoneinfo import ZoneInfo

    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    from app.clock import SimulatedClock
    from app.domain.scripting_helpers import make_helpers
    from app.domain.workcalendar import WorkCalendar
    from app.engine.loader import parse_specs
    from app.engine.scripting import make_script_engine
    from app.engine.timeclock import install_clock

    clock = SimulatedClock(T0, frozen=True)
    install_clock(clock)
    spec, subs = parse_specs((ROOT / "processes" / "repair.bpmn").read_bytes(), "repair", "repair.bpmn")
    tz = ZoneInfo("Asia/Shanghai")
    calendar = WorkCalendar({}, tz, day_time(8, 30), day_time(17, 30))
    engine = make_script_engine(make_helpers(clock.now, lambda: calendar, tz))

    def start():
        wf = BpmnWorkflow(spec, subs, script_engine=engine)
        # the start form's defaults, which the service fills in (not a recall's case)
        wf.get_next_task(state=TaskState.READY).data.update(received_at=clock.now().isoformat(), recall_case_no="")
        wf.refresh_timers()
        wf.do_engine_steps()
        return wf

    def complete(wf, element_id):
        [task] = [t for t in wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == element_id]
        task.data.update(data[element_id])
        if element_id == "register_request":  # what the service adds from the master data (none here)
            task.data["on_record"] = {"unit": None, "contract": None, "customer": None}
        task.run()
        wf.refresh_timers()
        wf.do_engine_steps()

    t0 = time.perf_counter()
    flows = [start() for _ in range(cases)]
    t_start = time.perf_counter() - t0
    t0 = time.perf_counter()
    for wf in flows:
        for element_id in PATH:
            complete(wf, element_id)
        assert wf.completed
    t_complete = time.perf_counter() - t0
    waiting = [start() for _ in range(cases)]
    for wf in waiting:
        complete(wf, "register_request")
    clock.advance(timedelta(hours=25))
    t0 = time.perf_counter()
    for wf in waiting:
        wf.refresh_timers()
        wf.do_engine_steps()
        assert any(
            t.task_spec.bpmn_id == "supervisor_contact_followup"
            for t in wf.get_tasks(state=TaskState.READY, manual=True)
        )
    t_fire = time.perf_counter() - t0
    return {
        "start": cases / t_start,
        "complete": cases * len(PATH) / t_complete,
        "case": cases / (t_start + t_complete),
        "fire": cases / t_fire,
    }


def bench_persisted(url: str, cases: int) -> dict[str, float]:
    from app import create_app
    from app.clock import SimulatedClock
    from app.demo.loader import load_master_data
    from app.domain.principal import Principal
    from app.persistence.db import create_schema
    from app.persistence.db import drop_schema
    from app.services.cases.opening import start_case
    from app.services.processes.deployments import deploy_directory
    from app.services.tasks.work import complete_task
    from app.services.tasks.work import list_tasks
    from app.services.timing.timer_firing import fire_due_timers

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
    data = step_data()
    admin = Principal("admin", frozenset({"admin"}))

    t0 = time.perf_counter()
    ids = [start_case(ctx, "repair", None, admin).id for _ in range(cases)]
    t_start = time.perf_counter() - t0
    latencies = []
    for instance_id in ids:
        for element_id in PATH:
            [task] = [t for t, _ in list_tasks(ctx, admin, instance_id=instance_id) if t.element_id == element_id]
            s = time.perf_counter()
            complete_task(ctx, task.id, data[element_id], admin, on_behalf=task.role == "customer")
            latencies.append(time.perf_counter() - s)
    waiting = [start_case(ctx, "repair", None, admin).id for _ in range(cases)]
    for instance_id in waiting:
        [task] = [t for t, _ in list_tasks(ctx, admin, instance_id=instance_id)]
        complete_task(ctx, task.id, data["register_request"], admin)
    clock.advance(timedelta(hours=25))
    t0 = time.perf_counter()
    report = fire_due_timers(ctx)
    t_fire = time.perf_counter() - t0
    assert report.timers == 2 * cases, report  # each case's first contact and arrival promise
    db.dispose()
    return {
        "start": cases / t_start,
        "complete": len(latencies) / sum(latencies),
        "complete_p50_ms": statistics.median(latencies) * 1e3,
        "complete_p95_ms": statistics.quantiles(latencies, n=20)[18] * 1e3,
        "case": cases / (t_start + sum(latencies)),
        "fire": cases / t_fire,
    }


def postgres_url() -> str | None:
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_BENCH_DB})
            if not exists:
                conn.execute(text(f"CREATE DATABASE {PG_BENCH_DB}"))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - report and carry on with SQLite
        print(json.dumps({"name": "postgres_unavailable", "value": 0, "unit": "", "error": str(exc)[:200]}))
        return None
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_BENCH_DB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    emit(
        "machine",
        os.cpu_count() or 0,
        "cpus",
        python=platform.python_version(),
        date=datetime.now(UTC).date().isoformat(),
    )

    bare = bench_bare(args.cases, step_data())
    for key in ("start", "complete", "case", "fire"):
        emit(f"bare_engine.{key}", bare[key], "per_s")
    targets = []
    if args.db in ("sqlite", "both"):
        targets.append(("sqlite", f"sqlite:///{tempfile.mkdtemp()}/bench.db"))
    if args.db in ("postgres", "both") and (url := postgres_url()):
        targets.append(("postgres", url))
    for name, url in targets:
        persisted = bench_persisted(url, args.cases)
        for key in ("start", "complete", "case", "fire"):
            emit(f"persisted.{name}.{key}", persisted[key], "per_s")
        emit(f"persisted.{name}.complete_p50", persisted["complete_p50_ms"], "ms")
        emit(f"persisted.{name}.complete_p95", persisted["complete_p95_ms"], "ms")
        emit(f"ratio.{name}.case_persisted_vs_bare", persisted["case"] / bare["case"], "ratio")


if __name__ == "__main__":
    main()
