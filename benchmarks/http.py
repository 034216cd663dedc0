"""Repair cases end to end through HTTP against `aftersales serve` with 1 and 2 gunicorn workers.

    python -m benchmarks.http [--db postgres|sqlite] [--cases 60] [--clients 4]

Starts the real server (gunicorn, threads, the alarm clock) on a free loopback port, opens cases
and completes every task of the happy path with concurrent HTTP clients (HTTP Basic), and prints
one JSON line per figure. Traffic goes to 127.0.0.1 only, bounded in count and time.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from benchmarks.run import PATH
from benchmarks.run import emit
from benchmarks.run import postgres_url
from benchmarks.run import step_data

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(url: str) -> None:
    env = {**os.environ, "AFTERSALES_DATABASE_URL": url, "AFTERSALES_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    from sqlalchemy import create_engine

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
    for command in (["init-db"], ["deploy"], ["demo"]):
        subprocess.run([str(BIN / "aftersales"), *command], env=env, check=True, capture_output=True, timeout=600)


def serve(url: str, workers: int, clock: str = "simulated") -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "AFTERSALES_DATABASE_URL": url,
        "AFTERSALES_CLOCK": clock,
        "AFTERSALES_SECRET_KEY": secrets.token_urlsafe(48),
    }
    process = subprocess.Popen(
        [str(BIN / "aftersales"), "serve", "--port", str(port), "--workers", str(workers), "--threads", "8"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not become ready")


def run_case(base: str, data: dict) -> None:
    with httpx.Client(base_url=base + "/api/v1", auth=("admin", "admin"), timeout=30) as client:
        case = client.post("/processes/repair/instances").json()
        for element_id in PATH:
            tasks = client.get("/tasks", params={"instance_id": case["id"]}).json()
            task = next(t for t in tasks if t["element_id"] == element_id)
            params = {"on_behalf": "true"} if task["candidate_roles"][:1] == ["customer"] else {}
            response = client.post(f"/tasks/{task['id']}/complete", json=data[element_id], params=params)
            response.raise_for_status()


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children), from /proc."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master_pid:  # fields[1]: the parent's pid
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
        rss_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        sizes.append(rss_kb / 1024)
    return sizes


def measure(url: str, workers: int, cases: int, clients: int) -> tuple[float, list[float]]:
    """Cases per second, and each worker's resident memory after the load."""
    process, base = serve(url, workers)
    try:
        data = step_data()
        run_case(base, data)  # warm-up: specs parsed, caches filled
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(lambda _: run_case(base, data), range(cases)))
        return cases / (time.perf_counter() - started), worker_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    url = postgres_url() if args.db == "postgres" else f"sqlite:///{tempfile.mkdtemp()}/http.db"
    if url is None:
        return
    rates = {}
    for workers in (1, 2):
        prepare(url)
        rates[workers], memory = measure(url, workers, args.cases, args.clients)
        emit(f"http.{args.db}.workers_{workers}.cases", rates[workers], "per_s", clients=args.clients)
        emit(f"http.{args.db}.workers_{workers}.memory_per_worker", max(memory), "MiB", each=[round(m) for m in memory])
    emit(f"http.{args.db}.scaling_2_vs_1", rates[2] / rates[1], "ratio")


if __name__ == "__main__":
    main()
