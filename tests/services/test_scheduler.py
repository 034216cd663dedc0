"""The alarm clock arms itself for the earliest timer; the table stays the truth."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from app.domain.principal import Principal
from app.scheduler import AlarmClock
from app.services.cases.opening import start_case
from app.services.signals import timers_changed


def test_starting_a_case_arms_the_alarm_for_its_first_timer(tiny, clock):
    ctx = tiny.extensions["aftersales"]
    alarm = AlarmClock(ctx, sweep_seconds=3600)
    alarm.scheduler.start(paused=True)
    timers_changed.connect(alarm.on_timers_changed, sender=ctx)
    try:
        before = datetime.now(UTC)
        start_case(ctx, "tiny", None, Principal("agent", frozenset({"cs_agent"})))
        job = alarm.scheduler.get_job("alarm")
        # The timer is due 24 h of application time from now: the alarm rings 24 h of wall time later.
        assert before + timedelta(hours=24) <= job.next_run_time <= datetime.now(UTC) + timedelta(hours=24)
        clock.advance(timedelta(hours=23))
        alarm.arm(clock.now() + timedelta(hours=1))  # a later timer does not push the alarm back
        assert alarm.scheduler.get_job("alarm").next_run_time == job.next_run_time
    finally:
        alarm.shutdown()


def test_a_round_fires_what_is_due_and_survives_a_failure(tiny, clock, monkeypatch):
    ctx = tiny.extensions["aftersales"]
    case = start_case(ctx, "tiny", None, Principal("agent", frozenset({"cs_agent"})))
    alarm = AlarmClock(ctx, sweep_seconds=3600)
    clock.advance(timedelta(hours=25))
    monkeypatch.setattr(ctx.engine, "fire_timers", lambda *a: (_ for _ in ()).throw(RuntimeError("disk full")))
    alarm.fire()  # logs, does not raise; the timer stays due
    with ctx.uow() as uow:
        assert [t.status for t in uow.timers.for_instance(case.id)] == ["waiting"]
    monkeypatch.undo()
    alarm.fire()
    with ctx.uow() as uow:
        assert [t.status for t in uow.timers.for_instance(case.id)] == ["fired"]


def test_a_round_arms_the_alarm_for_a_timer_another_worker_wrote(tiny, clock):
    ctx = tiny.extensions["aftersales"]
    start_case(ctx, "tiny", None, Principal("agent", frozenset({"cs_agent"})))  # written "elsewhere": no alarm
    alarm = AlarmClock(ctx, sweep_seconds=3600)
    alarm.scheduler.start(paused=True)
    timers_changed.connect(alarm.on_timers_changed, sender=ctx)
    try:
        assert alarm.scheduler.get_job("alarm") is None
        before = datetime.now(UTC)
        alarm.fire()  # nothing is due yet, but the round learns of the timer from the table
        job = alarm.scheduler.get_job("alarm")
        assert before + timedelta(hours=24) <= job.next_run_time <= datetime.now(UTC) + timedelta(hours=24)
    finally:
        alarm.shutdown()
