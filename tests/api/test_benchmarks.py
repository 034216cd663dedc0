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
