"""Timers are rows with due times; they fire on time, once, and after a restart."""

from __future__ import annotations

import threading
from datetime import timedelta

from app.domain.principal import Principal
from app.services.cases.opening import start_case
from app.services.signals import case_events_committed
from app.services.timing.timer_firing import fire_due_timers
from tests.conftest import make_app

AGENT = Principal("agent", frozenset({"cs_agent"}))


def timers_of(ctx, instance_id):
    with ctx.uow() as uow:
        return [(t.element_id, t.status, t.due_at) for t in uow.timers.for_instance(instance_id)]


def ready_elements(ctx, instance_id):
    with ctx.uow() as uow:
        return sorted(t.element_id for t in uow.tasks.for_instance(instance_id, status="ready"))


def test_a_boundary_timer_is_stored_with_its_due_time_and_fires_only_when_due(tiny, clock):
    ctx = tiny.extensions["aftersales"]
    instance = start_case(ctx, "tiny", None, AGENT)
    due = clock.now() + timedelta(hours=24)
    assert timers_of(ctx, instance.id) == [("late", "waiting", due)]
    assert instance.next_timer_at == due
    with ctx.uow() as uow:
        [task] = uow.tasks.for_instance(instance.id, status="ready")
        assert task.due_at == due

    clock.advance(timedelta(hours=23, minutes=59))
    assert fire_due_timers(ctx).timers == 0
    assert ready_elements(ctx, instance.id) == ["do_it"]

    clock.advance(timedelta(minutes=1, seconds=1))
    report = fire_due_timers(ctx)
    assert (report.instances, report.timers) == (1, 1)
    assert timers_of(ctx, instance.id) == [("late", "fired", due)]
    assert ready_elements(ctx, instance.id) == ["chase", "do_it"]  # non-interrupting: both open
    with ctx.uow() as uow:
        types = [e.type for e in uow.events.for_instance(instance.id)]
    assert "timer_fired" in types and "escalation" in types
    assert fire_due_timers(ctx).timers == 0  # fires once


def test_timers_due_while_the_service_was_down_fire_at_start_up(tiny, clock, database_url, tmp_path):
    ctx = tiny.extensions["aftersales"]
    instance = start_case(ctx, "tiny", None, AGENT)
    tiny.extensions["aftersales.db"].dispose()  # the service stops

    clock.advance(timedelta(days=3))  # ... and is down for three days
    restarted = make_app(database_url, clock, tmp_path / "processes")
    report = fire_due_timers(restarted.extensions["aftersales"])  # what the scheduler's first sweep does
    assert report.timers == 1
    assert ready_elements(restarted.extensions["aftersales"], instance.id) == ["chase", "do_it"]
    restarted.extensions["aftersales.db"].dispose()


def test_two_workers_firing_at_once_fire_each_timer_once(tiny, clock, database_url, tmp_path):
    ctx = tiny.extensions["aftersales"]
    ids = [start_case(ctx, "tiny", None, AGENT).id for _ in range(6)]
    clock.advance(timedelta(hours=25))
    other = make_app(database_url, clock, tmp_path / "processes")
    reports, barrier = [], threading.Barrier(2)

    def worker(context):
        barrier.wait()
        reports.append(fire_due_timers(context))

    threads = [threading.Thread(target=worker, args=(c,)) for c in (ctx, other.extensions["aftersales"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.timers for r in reports) == 6
    for instance_id in ids:
        assert [s for _, s, _ in timers_of(ctx, instance_id)] == ["fired"]
        with ctx.uow() as uow:
            fired = [e for e in uow.events.for_instance(instance_id) if e.type == "timer_fired"]
        assert len(fired) == 1
    other.extensions["aftersales.db"].dispose()


def test_one_broken_case_does_not_hold_up_the_others_fired_with_it(tiny, clock, monkeypatch):
    ctx = tiny.extensions["aftersales"]
    agent = Principal("agent", frozenset({"cs_agent"}))
    cases = [start_case(ctx, "tiny", None, agent) for _ in range(3)]
    clock.advance(timedelta(hours=25))
    real_fire = ctx.engine.fire_timers
    broken = cases[1].id
    with ctx.uow() as uow:
        broken_state = uow.instances.get(broken).state

    def fire(process, state):
        if state == broken_state:
            raise RuntimeError("corrupt state")
        return real_fire(process, state)

    monkeypatch.setattr(ctx.engine, "fire_timers", fire)
    observed = []

    def observe(_ctx, process_key, events):
        observed.extend(e.instance_id for e in events)

    case_events_committed.connect(observe, sender=ctx)
    report = fire_due_timers(ctx, chunk=10)  # all three in one transaction
    assert (report.instances, report.timers) == (2, 2)
    with ctx.uow() as uow:
        assert [[t.status for t in uow.timers.for_instance(c.id)] for c in cases] == [["fired"], ["waiting"], ["fired"]]
    assert broken not in observed and {cases[0].id, cases[2].id} <= set(observed)
