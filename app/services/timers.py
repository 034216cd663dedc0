"""Firing due timers: the timers table is the truth, the scheduler only says when to look.

Each instance with a due timer is handled in its own transaction with its row locked
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never fire the same case; SQLite
serialises writers). A worker dying mid-way rolls back and the rows stay due for the next sweep.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..domain.cases import CaseStatus
from ..persistence.unit_of_work import Busy
from .context import ServiceContext
from .progress import advance
from .schedules import fire_due_schedules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FireReport:
    instances: int  # instances moved on
    timers: int  # timers that fired
    opened: int = 0  # cases opened by schedules


def fire_due(ctx: ServiceContext) -> FireReport:
    """What the alarm clock does each time it rings: due schedules, then due timers."""
    opened = fire_due_schedules(ctx)
    report = fire_due_timers(ctx)
    return FireReport(report.instances, report.timers, opened)


def fire_due_timers(ctx: ServiceContext, *, batch: int = 200) -> FireReport:
    """Fire every timer due before the clock's now; returns what moved."""
    calendar = ctx.calendar.ensure_fresh()
    now = ctx.clock.now()
    instances = timers = 0
    with ctx.uow() as uow:
        due_ids = uow.timers.due_instance_ids(now, batch)
    for instance_id in due_ids:
        try:
            with ctx.uow() as uow:
                instance = uow.instances.lock(instance_id, skip_locked=True)
                if instance is None or instance.status != CaseStatus.RUNNING:
                    continue  # another worker has it, or it ended
                process = ctx.versions.get(uow, instance.version_id)
                snapshot = ctx.engine.fire_timers(process, instance.state)
                fired = sum(1 for e in snapshot.events if e.type == "timer_fired")
                if fired == 0 and snapshot.status == instance.status:
                    continue  # already fired by someone else between our query and the lock
                advance(ctx, uow, instance, process, snapshot, calendar=calendar, now=now)
                uow.commit()
                instances += 1
                timers += fired
        except Busy as exc:
            log.warning("timer firing for instance %s deferred: %s", instance_id, exc)
        except Exception:  # noqa: BLE001 - one broken case must not hold up the others; its rows stay due
            log.exception("timer firing for instance %s failed", instance_id)
    if due_ids:
        with ctx.uow() as uow:
            next_due = min(filter(None, (uow.timers.next_due(), uow.schedules.next_due())), default=None)
        ctx.on_timers_changed(next_due)
    if len(due_ids) == batch and instances:  # more may be waiting; keep going while making progress
        more = fire_due_timers(ctx, batch=batch)
        return FireReport(instances + more.instances, timers + more.timers)
    return FireReport(instances, timers)
