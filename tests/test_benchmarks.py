"""The benchmark script keeps working (figures are measured by `make bench`, never asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
