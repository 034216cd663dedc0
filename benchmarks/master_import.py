"""The spreadsheet import at scale: customers, then units (two per customer) from XLSX workbooks.

    python -m benchmarks.master_import [--db sqlite|postgres|both] [--customers 10000] [--units-each 2] [--pg-url URL]

Figures per database and table, rows per second: reading the workbook (python-calamine), the dry
run (``plan_import``), the apply (``apply_import``, one transaction) and the same file applied again
(every row unchanged). Peak memory: the Python heap's peak (tracemalloc) while the units file is
read and applied, in a pass of its own on a fresh database (tracemalloc slows Python down), and the
process's maximum resident set size at the end (getrusage).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc

from app.domain.principal import Principal
from app.domain.roles import Role
from benchmarks.run import T0
from benchmarks.run import emit
from benchmarks.run import postgres_url

BENCH_ADMIN = Principal("bench", frozenset({Role.ADMIN}))


def build(url: str):
    from app import create_app
    from app.clock import SimulatedClock
    from app.persistence.db import create_schema
    from app.persistence.db import drop_schema

    app = create_app(
        {
            "DATABASE_URL": url,
            "CLOCK_OBJECT": SimulatedClock(T0, frozen=True),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        },
        serves_http=False,
    )
    db = app.extensions["aftersales.db"]
    drop_schema(db)
    create_schema(db)
    return app.extensions["aftersales"], db


def workbooks(customers: int, units_each: int) -> dict[str, bytes]:
    """The two files, made with XlsxWriter as the tests make them (numbers, dates, Chinese text)."""
    from tests.api.test_master_import import customer_rows
    from tests.api.test_master_import import unit_rows
    from tests.api.test_master_import import xlsx

    return {"customers": xlsx(*customer_rows(customers)), "units": xlsx(*unit_rows(customers, units_each))}


def bench(url: str, name: str, files: dict[str, bytes]) -> None:
    from app.services.master_data import imports

    ctx, db = build(url)
    for table, content in files.items():
        t0 = time.perf_counter()
        sheet = imports.read_upload(f"{table}.xlsx", content)
        rows = len(sheet.rows)
        emit(f"import.{name}.{table}.read", rows / (time.perf_counter() - t0), "rows_per_s", rows=rows)
        t0 = time.perf_counter()
        plan = imports.plan_import(ctx, BENCH_ADMIN, table, sheet)
        emit(f"import.{name}.{table}.dry_run", rows / (time.perf_counter() - t0), "rows_per_s", rows=rows)
        assert plan.counts["create"] == rows, plan.counts
        t0 = time.perf_counter()
        imports.apply_import(ctx, BENCH_ADMIN, table, sheet)
        emit(f"import.{name}.{table}.apply", rows / (time.perf_counter() - t0), "rows_per_s", rows=rows)
        t0 = time.perf_counter()
        again = imports.apply_import(ctx, BENCH_ADMIN, table, sheet)
        emit(f"import.{name}.{table}.again_unchanged", rows / (time.perf_counter() - t0), "rows_per_s", rows=rows)
        assert again.counts["unchanged"] == rows, again.counts
    db.dispose()


def peak_heap(url: str, name: str, files: dict[str, bytes]) -> None:
    """The heap's peak while the units are applied (a pass of its own: tracemalloc slows Python down)."""
    from app.services.master_data import imports

    ctx, db = build(url)
    imports.apply_import(ctx, BENCH_ADMIN, "customers", imports.read_upload("customers.xlsx", files["customers"]))
    tracemalloc.start()
    sheet = imports.read_upload("units.xlsx", files["units"])
    imports.apply_import(ctx, BENCH_ADMIN, "units", sheet)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    emit(f"import.{name}.units.apply_peak_heap", peak / 2**20, "MiB", rows=len(sheet.rows))
    db.dispose()


def max_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--units-each", type=int, default=2)
    parser.add_argument("--pg-url", default=None, help="a PostgreSQL database of your own (default: aftersales_bench)")
    args = parser.parse_args()
    files = workbooks(args.customers, args.units_each)
    targets = []
    if args.db in ("sqlite", "both"):
        targets.append(("sqlite", f"sqlite:///{tempfile.mkdtemp()}/bench.db"))
    if args.db in ("postgres", "both") and (url := args.pg_url or postgres_url()):
        targets.append(("postgres", url))
    for name, url in targets:
        bench(url, name, files)
        peak_heap(url, name, files)
    emit("import.max_rss", max_rss_mib(), "MiB")


if __name__ == "__main__":
    main()
