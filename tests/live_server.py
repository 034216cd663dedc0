"""The real server (`aftersales serve`: gunicorn, its workers, the alarm clock) as a subprocess on a
free loopback port, for the tests that need true concurrency or a crash.

The server gets its own session (process group), so that a test can kill it with SIGKILL — one
worker, or the whole group — and its teardown never leaves a process behind. Readiness is
polled on /readyz; nothing waits for time to pass.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
READY_WITHIN = 90  # seconds for gunicorn, the imports and create_app on a busy 2-core machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """``aftersales serve`` against ``database_url`` (already holding the schema, diagrams and users)."""

    def __init__(self, database_url: str, processes_dir: Path, log_dir: Path, *, workers: int = 2, threads: int = 8):
        self.database_url, self.processes_dir, self.log_dir = database_url, processes_dir, log_dir
        self.workers, self.threads = workers, threads
        self.process: subprocess.Popen | None = None
        self.base = ""
        self.starts = 0

    def start(self) -> LiveServer:
        assert self.process is None, "already running"
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            AFTERSALES_DATABASE_URL=self.database_url,
            AFTERSALES_CLOCK="simulated",
            AFTERSALES_PROCESSES_DIR=str(self.processes_dir),
            AFTERSALES_SECRET_KEY="live-server-test-key-" + "x" * 32,
        )
        self.starts += 1
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [
                    str(BIN / "aftersales"),
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(self.workers),
                    "--threads",
                    str(self.threads),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill -9 reaches the master and every worker
            )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + READY_WITHIN
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(self.base + "/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)  # polling readiness of a subprocess, not waiting for the app's time
        self.stop()
        raise RuntimeError(f"the server did not become ready in {READY_WITHIN} s:\n{self.log_tail()}")

    @property
    def log_path(self) -> Path:
        return self.log_dir / "server.log"

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the master's children (read from /proc)."""
        assert self.process is not None
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid:
                children.append(int(entry.name))
        return sorted(children)

    def kill_worker(self, pid: int) -> None:
        """kill -9 one worker; the master starts another."""
        assert pid in self.worker_pids()
        os.kill(pid, signal.SIGKILL)

    def kill_all(self) -> None:
        """kill -9 the master and every worker at once: a crash of the whole service."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        """A clean stop (SIGTERM to the group), then SIGKILL for anything left."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            pass
        self.kill_all()

    def client(self, username: str, timeout: float = 30) -> httpx.Client:
        return httpx.Client(base_url=self.base + "/api/v1", auth=(username, username), timeout=timeout)
