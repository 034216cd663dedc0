"""Firing due timers: the timers table is the truth, the scheduler only says when to look.

Due cases are fired a chunk per transaction with their rows locked (``FOR UPDATE SKIP LOCKED``
on PostgreSQL, so two workers never fire the same case; SQLite serialises writers); a chunk with a
broken case is fired again case by case, so that it does not hold up the others. A worker dying
mid-way rolls back and the rows stay due for the next sweep.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from ...domain.cases import CaseStatus
from ...domain.workcalendar import WorkCalendar
from ...persistence.orm import Instance
from ...persistence.unit_of_work import Busy
from ...persistence.unit_of_work import UnitOfWork
from ..cases.step import CaseStep
from ..context import ServiceContext
from ..people.certificate_notices import notify_certificates
from ..planning.schedules import fire_due_schedules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FireReport:
    instances: int  # instances moved on
    timers: int  # timers that fired
    opened: int = 0  # cases opened by schedules


def fire_due(ctx: ServiceContext) -> FireReport:
    """What the alarm clock does each time it rings: due schedules, then due timers, then what is due
    about technicians' certificates (each told once: the check is cheap to repeat)."""
    opened = fire_due_schedules(ctx)
    report = fire_due_timers(ctx)
    notify_certificates(ctx)
    return FireReport(report.instances, report.timers, opened)


def fire_due_timers(ctx: ServiceContext, *, batch: int = 200, chunk: int = 25) -> FireReport:
    """Fire every timer due before the clock's now; returns what moved.

    :param chunk: cases fired per transaction (one commit for many)
    """
    calendar = ctx.calendar.ensure_fresh()
    now = ctx.clock.now()
    instances = timers = 0
    with ctx.uow() as uow:
        due_ids = uow.timers.due_instance_ids(now, batch)
    for first in range(0, len(due_ids), chunk):
        moved, fired = _fire_chunk(ctx, due_ids[first : first + chunk], calendar)
        instances, timers = instances + moved, timers + fired
    # Every round re-arms the alarm: timers written by other workers are known only to the table.
    with ctx.uow() as uow:
        next_due = min(filter(None, (uow.timers.next_due(), uow.schedules.next_due())), default=None)
    ctx.announce_timers(next_due)
    if len(due_ids) == batch and instances:  # more may be waiting; keep going while making progress
        more = fire_due_timers(ctx, batch=batch, chunk=chunk)
        return FireReport(instances + more.instances, timers + more.timers)
    return FireReport(instances, timers)


def _fire_chunk(ctx: ServiceContext, instance_ids: list[int], calendar: WorkCalendar) -> tuple[int, int]:
    """Fire the due timers of those of ``instance_ids`` no other worker holds, in one transaction; if
    one case fails, the chunk is rolled back and fired again a case per transaction, so that the
    broken case does not hold up the others."""
    try:
        return _fire_together(ctx, instance_ids, calendar)
    except Busy as exc:
        log.warning("timer firing for instances %s deferred: %s", instance_ids, exc)
        return 0, 0
    except Exception:  # noqa: BLE001 - find the broken case below
        log.info("a case in %s failed; firing them one by one", instance_ids)
    moved = timers = 0
    for instance_id in instance_ids:
        try:
            one_moved, one_fired = _fire_together(ctx, [instance_id], calendar)
        except Busy as exc:
            log.warning("timer firing for instance %s deferred: %s", instance_id, exc)
            continue
        except Exception:  # noqa: BLE001 - one broken case must not hold up the others; its rows stay due
            log.exception("timer firing for instance %s failed", instance_id)
            continue
        moved, timers = moved + one_moved, timers + one_fired
    return moved, timers


def _fire_together(ctx: ServiceContext, instance_ids: list[int], calendar: WorkCalendar) -> tuple[int, int]:
    now = ctx.clock.now()  # per chunk: a long catch-up stamps each firing with its own time
    moved = timers = 0
    with ctx.uow() as uow:
        for instance in uow.instances.lock_due(instance_ids, now):
            if instance.status != CaseStatus.RUNNING:
                continue  # it ended meanwhile
            fired = _fire_instance(ctx, uow, instance, calendar, now)
            if fired is not None:
                moved, timers = moved + 1, timers + fired
        uow.commit()
    return moved, timers


def _fire_instance(
    ctx: ServiceContext, uow: UnitOfWork, instance: Instance, calendar: WorkCalendar, now: datetime
) -> int | None:
    """How many timers fired on ``instance`` (None: nothing was due any more)."""
    step = CaseStep.joined(ctx, uow, instance, calendar, now)
    snapshot = ctx.engine.fire_timers(step.process, instance.state)
    fired = sum(1 for e in snapshot.events if e.type == "timer_fired")
    if fired == 0 and snapshot.status == instance.status:
        return None  # already fired by someone else between our query and the lock
    step.advance(snapshot)
    return fired
