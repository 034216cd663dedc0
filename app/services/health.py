"""Liveness and readiness: is the database there, the schema current, a process deployed,
and is the timer queue being worked off?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from .context import ServiceContext

# Timers due longer than this mean no worker is firing them.
STALE_TIMER = timedelta(minutes=2)


@dataclass(frozen=True)
class Backlog:
    due_timers: int
    stale_timers: int
    open_tasks: int


def database_answers(ctx: ServiceContext) -> None:
    """Liveness: a read the database must answer (raises what the database raises)."""
    with ctx.uow() as uow:
        uow.settings.get("health")


def backlog(ctx: ServiceContext) -> Backlog:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        return Backlog(uow.timers.count_due(now), uow.timers.count_due(now - STALE_TIMER), uow.tasks.count_ready())


def readiness(ctx: ServiceContext) -> tuple[bool, dict]:
    """(ready, details): ready to serve when the schema is current and a process is deployed."""
    schema_current = ctx.schema_current()
    with ctx.uow() as uow:
        deployed = sorted(v.process_key for v in uow.versions.latest_all())
    queue = backlog(ctx)
    checks = {"database": True, "schema_current": schema_current, "processes_deployed": bool(deployed)}
    ready = all(checks.values())
    return ready, {
        "status": "ready" if ready else "not ready",
        "checks": checks,
        "processes": deployed,
        "due_timers": queue.due_timers,
        "stale_timers": queue.stale_timers,
        "open_tasks": queue.open_tasks,
    }
