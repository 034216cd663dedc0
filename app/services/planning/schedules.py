"""Recurring starts: schedule rows fired by the same alarm as timers.

Each due schedule is handled in its own transaction with its row locked (``SKIP LOCKED`` on
PostgreSQL), and the cases it opens are written in that transaction too: a period starts its
case exactly once, even with two processes firing. After downtime every missed occurrence
is started (each with its own ``scheduled_for``), up to ``MAX_CATCH_UP`` per round. Each case's
start data is checked against its process's start form (start_data.py), when the schedule is
written and again when it runs: a refusal then pauses the schedule and says why (``_refused``).
"""

from __future__ import annotations

import logging
from datetime import UTC
from datetime import datetime
from typing import Any

from ...domain.iso8601 import parse_rule
from ...domain.principal import Principal
from ...domain.roles import Role
from ...errors import Forbidden
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.orm import Instance
from ...persistence.orm import Schedule
from ...persistence.unit_of_work import Busy
from ...persistence.unit_of_work import UnitOfWork
from .. import revisions
from ..cases.journal import open_case
from ..cases.journal import record
from ..cases.start_form import checked_start_data
from ..context import ServiceContext
from .schedule_admin import add_schedule
from .schedule_admin import first_run
from .start_figures import start_data

log = logging.getLogger(__name__)
MAX_CATCH_UP = 60
ACTOR = "system:schedule"
VIEW_ROLES = frozenset({Role.ADMIN, Role.PROCESS_OWNER, Role.AUDITOR})


def create_schedule(
    ctx: ServiceContext, name: str, process_key: str, rule: str, data: dict[str, Any] | None, actor: Principal
) -> Schedule:
    _require_admin(actor)
    with ctx.uow() as uow:
        if uow.versions.latest(process_key) is None:
            raise InvalidInput(f"no deployed process {process_key!r}", errors={"process_key": ["unknown process"]})
        _check_data(ctx, uow, process_key, data)
        schedule = add_schedule(
            uow, name=name, process_key=process_key, rule=rule, data=data, now=ctx.clock.now(), actor=actor.username
        )
        uow.commit()
    ctx.announce_timers(schedule.next_run_at)
    return schedule


def update_schedule(
    ctx: ServiceContext,
    schedule_id: int,
    actor: Principal,
    *,
    rule: str | None = None,
    enabled: bool | None = None,
    data: dict[str, Any] | None = None,
) -> Schedule:
    """Change the rule (next run recomputed from now), pause or resume, or change the start data."""
    _require_admin(actor)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        schedule = uow.schedules.get(schedule_id)
        if schedule is None:
            raise NotFound(f"no schedule with id {schedule_id}")
        revisions.require(revisions.of_schedule(schedule), "schedule")
        if rule is not None:
            schedule.rule = rule
            schedule.next_index, schedule.next_run_at = first_run(rule, now)
        if data is not None:
            _check_data(ctx, uow, schedule.process_key, data)
            schedule.data = data
        if enabled is not None:
            schedule.enabled = enabled and schedule.next_run_at is not None
        schedule.updated_by = actor.username
        uow.commit()
    ctx.announce_timers(schedule.next_run_at)
    return schedule


def list_schedules(ctx: ServiceContext, actor: Principal) -> list[Schedule]:
    if not actor.roles & VIEW_ROLES:
        raise Forbidden("schedules are for administrators, process owners and auditors")
    with ctx.uow() as uow:
        return uow.schedules.list()


def _require_admin(actor: Principal) -> None:
    if not actor.is_admin:
        raise Forbidden("only an administrator may change schedules")


def fire_due_schedules(ctx: ServiceContext, *, batch: int = 100) -> int:
    """Open the cases of every schedule occurrence due before now; returns how many."""
    calendar = ctx.calendar.ensure_fresh()
    now = ctx.clock.now()
    opened = 0
    with ctx.uow() as uow:
        due = uow.schedules.due_ids(now, batch)
    for schedule_id in due:
        try:
            with ctx.uow() as uow:
                schedule = uow.schedules.lock(schedule_id)
                if schedule is None or not schedule.enabled or not schedule.next_run_at or schedule.next_run_at >= now:
                    continue  # another worker has it, or it already ran
                opened += _run(ctx, uow, schedule, now, calendar)
                uow.commit()
        except Busy as exc:
            log.warning("schedule %s deferred: %s", schedule_id, exc)
        except Exception:  # noqa: BLE001 - one broken schedule must not hold up the others
            log.exception("schedule %s failed", schedule_id)
    return opened


def _run(ctx: ServiceContext, uow: UnitOfWork, schedule: Schedule, now: datetime, calendar) -> int:
    rule = parse_rule(schedule.rule)
    latest = uow.versions.latest(schedule.process_key)
    if latest is None:
        log.error("schedule %s: process %r is not deployed; paused", schedule.name, schedule.process_key)
        schedule.enabled = False
        return 0
    process = ctx.versions.get(uow, latest.id)
    origin = uow.instances.get(schedule.origin_instance_id) if schedule.origin_instance_id else None
    opened = 0
    index, at = schedule.next_index, schedule.next_run_at
    while at is not None and at < now and opened < MAX_CATCH_UP:
        occurrence = {"scheduled_for": at.astimezone(calendar.tz).isoformat(), "schedule": schedule.name}
        try:
            instance = open_case(
                ctx,
                uow,
                process,
                start_data(uow, calendar.tz, schedule.data, at),
                actor=ACTOR,
                calendar=calendar,
                now=now,
                parent=origin,
                by_user=False,
                system_data=occurrence,
            )
        except InvalidInput as refused:
            _refused(uow, schedule, origin, refused, occurrence, now)
            break  # this occurrence stays the next one: resuming the schedule tries it again
        if origin is not None:
            opened_data = {
                "schedule": schedule.name,
                "case_no": instance.case_no,
                "scheduled_for": occurrence["scheduled_for"],
            }
            record(uow, origin, now, ACTOR, "scheduled_case_opened", data=opened_data)
        opened += 1
        index += 1
        at = rule.occurrence(index)
    schedule.next_index, schedule.next_run_at = index, at.astimezone(UTC) if at else None
    schedule.last_run_at, schedule.runs = now, schedule.runs + opened
    if at is None:
        schedule.enabled = False  # a one-off, or the last repetition
    return opened


def _refused(
    uow: UnitOfWork,
    schedule: Schedule,
    origin: Instance | None,
    refused: InvalidInput,
    occurrence: dict[str, Any],
    now: datetime,
) -> None:
    """The start form refused the schedule's data: no case, the schedule paused at this occurrence
    (so it neither retries every round nor skips a period unseen), and the reason on record — in
    the audit trail of the case that planned it, if any, and in the log."""
    schedule.enabled, schedule.updated_by = False, ACTOR
    log.error(
        "schedule %s paused: %s refused its start data for %s: %s",
        schedule.name,
        schedule.process_key,
        occurrence["scheduled_for"],
        refused.errors,
    )
    if origin is not None:
        data = {**occurrence, "process_key": schedule.process_key, "reason": refused.message, "errors": refused.errors}
        record(uow, origin, now, ACTOR, "scheduled_case_refused", data=data)


def _check_data(ctx: ServiceContext, uow: UnitOfWork, process_key: str, data: dict[str, Any] | None) -> None:
    """A schedule's data (with what its provider computes now) must suit the start form today."""
    latest = uow.versions.latest(process_key)
    if latest is None:
        return
    computed = start_data(uow, ctx.calendar.tz, data or {}, ctx.clock.now())
    checked_start_data(ctx, ctx.versions.get(uow, latest.id), computed, by_user=False, prefix="data.")
