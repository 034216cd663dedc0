"""Engine edge cases: date timers computed from case data, intermediate timers, failing scripts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.principal import Principal
from app.services.cases.opening import start_case
from app.services.tasks.work import complete_task
from app.services.tasks.work import list_tasks
from app.services.timing.timer_firing import fire_due_timers
from tests.diagrams import TINY

AGENT = Principal("agent", frozenset({"cs_agent"}))

# After "do it", wait until 3 calendar days after the case was received (a timeDate computed
# by a whitelisted helper from case data), then divide by the submitted number.
WAIT_THEN_DIVIDE = (
    TINY.replace(
        "<bpmn:flowNodeRef>compute</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>compute</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>wait_3d</bpmn:flowNodeRef>",
    )
    .replace(
        '<bpmn:sequenceFlow id="f2" sourceRef="do_it" targetRef="compute"/>',
        '<bpmn:sequenceFlow id="f2" sourceRef="do_it" targetRef="wait_3d"/>\n'
        '    <bpmn:sequenceFlow id="f2b" sourceRef="wait_3d" targetRef="compute"/>',
    )
    .replace(
        "<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>",
        "<bpmn:incoming>f2b</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>",
    )
    .replace(
        '<bpmn:endEvent id="finish"',
        '<bpmn:intermediateCatchEvent id="wait_3d" name="等三天 / Wait 3 days">\n'
        "      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f2b</bpmn:outgoing>\n"
        '      <bpmn:timerEventDefinition id="wait_3d_timer">\n'
        '        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">add_days(received_at, 3)</bpmn:timeDate>\n'
        "      </bpmn:timerEventDefinition>\n"
        "    </bpmn:intermediateCatchEvent>\n"
        '    <bpmn:endEvent id="finish"',
    )
    .replace('result = "yes" if ok else "no"', "result = 100 / (1 if ok else 0)")
)


@pytest.fixture
def waiting_app(app_with_diagram):
    return app_with_diagram(WAIT_THEN_DIVIDE).extensions["aftersales"]


def finish_first_task(ctx, instance_id, ok: bool):
    [(task, _)] = list_tasks(ctx, AGENT, instance_id=instance_id)
    complete_task(ctx, task.id, {"ok": ok}, AGENT)


def case_of(ctx, instance_id):
    with ctx.uow() as uow:
        instance = uow.instances.get(instance_id)
        return instance, uow.timers.for_instance(instance_id), uow.events.for_instance(instance_id)


def test_an_intermediate_date_timer_computed_from_case_data_fires_on_that_date(waiting_app, clock):
    ctx = waiting_app
    instance = start_case(ctx, "tiny", None, AGENT)
    clock.advance(timedelta(hours=5))
    finish_first_task(ctx, instance.id, ok=True)
    case, timers, _ = case_of(ctx, instance.id)
    wait = next(t for t in timers if t.element_id == "wait_3d")
    assert wait.status == "waiting" and wait.due_at == instance.created_at + timedelta(days=3)
    clock.advance(timedelta(days=2, hours=18, minutes=59))
    assert fire_due_timers(ctx).timers == 0
    clock.advance(timedelta(minutes=2))
    assert fire_due_timers(ctx).timers == 1
    case, _, _ = case_of(ctx, instance.id)
    assert case.status == "completed" and case.data["result"] == 100


def test_a_failing_script_puts_the_case_in_error_and_keeps_the_submitted_data(waiting_app, clock):
    ctx = waiting_app
    instance = start_case(ctx, "tiny", None, AGENT)
    finish_first_task(ctx, instance.id, ok=False)
    clock.advance(timedelta(days=4))
    fire_due_timers(ctx)
    case, _, events = case_of(ctx, instance.id)
    assert case.status == "error" and "ZeroDivisionError" in case.error
    [error] = [e for e in events if e.type == "error"]
    assert error.element_id == "compute" and error.element_name == "计算 / Compute"
    [completed] = [e for e in events if e.type == "task_completed"]
    assert completed.data == {"ok": False} and completed.actor == "agent"
    assert fire_due_timers(ctx).timers == 0  # an errored case is not retried by the timer service
