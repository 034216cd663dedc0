"""A repeating (cycle) boundary timer fires once per period, each firing audited, and stops after its count."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.principal import Principal
from app.services.cases.opening import start_case
from app.services.timing.timer_firing import fire_due_timers
from tests.diagrams import TINY

AGENT = Principal("agent", frozenset({"cs_agent"}))
CYCLE = TINY.replace(
    '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT24H"</bpmn:timeDuration>',
    '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">"R3/PT24H"</bpmn:timeCycle>',
)


def _state(ctx, instance_id):
    with ctx.uow() as uow:
        chases = sum(1 for t in uow.tasks.for_instance(instance_id, status="ready") if t.element_id == "chase")
        fired = sum(1 for e in uow.events.for_instance(instance_id) if e.type == "timer_fired")
        timers = [(t.status, t.due_at) for t in uow.timers.for_instance(instance_id)]
    return chases, fired, timers


# As Camunda, bpmn.io and the interchange suite write it: ISO 8601 without Python quotes.
UNQUOTED = CYCLE.replace('"R3/PT24H"', "R3/PT24H")


@pytest.mark.parametrize("diagram", [CYCLE, UNQUOTED], ids=["quoted", "unquoted"])
def test_a_cycle_timer_fires_every_period_until_its_count_is_spent(app_with_diagram, clock, diagram):
    assert CYCLE != TINY and UNQUOTED != CYCLE
    app = app_with_diagram(diagram, ("admin", "agent", "supervisor"))
    ctx = app.extensions["aftersales"]
    instance = start_case(ctx, "tiny", None, AGENT)
    start = clock.now()
    for day in (1, 2, 3):
        clock.advance(timedelta(hours=24, seconds=1))
        report = fire_due_timers(ctx)
        chases, fired, timers = _state(ctx, instance.id)
        assert (report.timers, chases, fired) == (1, day, day), f"day {day}: {timers}"
    clock.advance(timedelta(days=5))
    assert fire_due_timers(ctx).timers == 0
    assert _state(ctx, instance.id)[:2] == (3, 3)
    assert start < clock.now()
