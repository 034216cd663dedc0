"""The benchmark script keeps working (figures are measured by `make bench`, never asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DB_CHOICE

ROOT = Path(__file__).resolve().parents[2]


def test_the_hot_path_benchmark_runs_and_prints_one_json_line_per_figure():
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--db", "sqlite", "--cases", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures = {json.loads(line)["name"] for line in result.stdout.splitlines()}
    assert {
        "bare_engine.case",
        "persisted.sqlite.complete",
        "persisted.sqlite.fire",
        "ratio.sqlite.case_persisted_vs_bare",
    } <= figures


def figures_of(*command: str) -> dict[str, dict]:
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    return {line["name"]: line for line in map(json.loads, result.stdout.splitlines())}


@pytest.mark.skipif(DB_CHOICE != "sqlite", reason="the benchmarks choose their own database; run once")
def test_the_scale_and_timer_benchmarks_run_against_the_real_server():
    figures = figures_of("benchmarks.scale", "--db", "sqlite", "--open-tasks", "700", "--finished", "300")
    assert {"scale.sqlite.inbox_p50", "scale.sqlite.inbox_p95"} <= set(figures)
    figures = figures_of(
        "benchmarks.timers", "--db", "sqlite", "--pending", "60", "--due", "10", "--window", "1", "--overdue", "10",
        "--workers", "1",
    )  # fmt: skip
    assert {"timers.sqlite.lateness_p99", "timers.sqlite.catch_up_workers_1"} <= set(figures)
    assert figures["timers.sqlite.catch_up_workers_1"]["timers"] == 20  # 10 cases: first contact and arrival each


@pytest.mark.skipif(DB_CHOICE != "sqlite", reason="the benchmarks choose their own database; run once")
def test_the_import_benchmark_runs_and_prints_rows_per_second_and_peak_memory():
    figures = figures_of("benchmarks.master_import", "--db", "sqlite", "--customers", "50")
    for table, rows in (("customers", 50), ("units", 100)):
        for step in ("read", "dry_run", "apply", "again_unchanged"):
            figure = figures[f"import.sqlite.{table}.{step}"]
            assert figure["unit"] == "rows_per_s" and figure["rows"] == rows and figure["value"] > 0
    assert figures["import.sqlite.units.apply_peak_heap"]["unit"] == "MiB"
    assert figures["import.max_rss"]["value"] > 0
