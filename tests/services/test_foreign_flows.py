"""Flows other modelers draw that the house conventions would not: an activity without an outgoing
flow ends its path, and an event subprocess with a timer start runs when its timer fires."""

from __future__ import annotations

from datetime import timedelta

from app.domain.principal import Principal
from app.services.cases.opening import start_case
from app.services.tasks.work import complete_task
from app.services.timing.timer_firing import fire_due_timers
from tests.diagrams import TINY

AGENT = Principal("agent", frozenset({"cs_agent"}))
# compute ends its path: no flow out of it, no end event after it.
IMPLICIT_END = (
    TINY.replace('<bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="finish"/>', "")
    .replace('<bpmn:endEvent id="finish" name="结束 / Finish"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>', "")
    .replace("<bpmn:flowNodeRef>finish</bpmn:flowNodeRef>", "")
    .replace("<bpmn:outgoing>f3</bpmn:outgoing>", "")
)
# A non-interrupting event subprocess: after 2 h it runs beside the work (an interrupting one runs
# too, but in SpiffWorkflow 3.2.0 here it does not cancel the work: see README, Supported BPMN).
EVENT_SUBPROCESS = TINY.replace(
    '    <bpmn:endEvent id="finish"',
    '    <bpmn:subProcess id="overtime" name="超时 / Overtime" triggeredByEvent="true">'
    '<bpmn:startEvent id="overtime_start" name="两小时 / Two hours" isInterrupting="false">'
    "<bpmn:outgoing>o1</bpmn:outgoing>"
    '<bpmn:timerEventDefinition id="overtime_timer"><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">'
    "PT2H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>"
    '<bpmn:endEvent id="overtime_end" name="放弃 / Dropped"><bpmn:incoming>o1</bpmn:incoming></bpmn:endEvent>'
    '<bpmn:sequenceFlow id="o1" sourceRef="overtime_start" targetRef="overtime_end"/></bpmn:subProcess>\n'
    '    <bpmn:endEvent id="finish"',
)


def _status(ctx, instance_id):
    with ctx.uow() as uow:
        return uow.instances.get(instance_id).status


def _ready(ctx, instance_id):
    with ctx.uow() as uow:
        return [t for t in uow.tasks.for_instance(instance_id, status="ready")]


def test_an_activity_without_an_outgoing_flow_ends_its_path(app_with_diagram):
    assert IMPLICIT_END.count('targetRef="finish"') == 0
    ctx = app_with_diagram(IMPLICIT_END, ("agent",)).extensions["aftersales"]
    case = start_case(ctx, "tiny", None, AGENT)
    [task] = _ready(ctx, case.id)
    complete_task(ctx, task.id, {"ok": True}, AGENT)
    assert _status(ctx, case.id) == "completed"


def test_an_event_subprocess_with_a_timer_start_runs_when_it_fires(app_with_diagram, clock):
    assert EVENT_SUBPROCESS != TINY
    ctx = app_with_diagram(EVENT_SUBPROCESS, ("agent",)).extensions["aftersales"]
    case = start_case(ctx, "tiny", None, AGENT)
    assert _status(ctx, case.id) == "running"
    clock.advance(timedelta(hours=2, seconds=1))
    assert fire_due_timers(ctx).timers == 1
    with ctx.uow() as uow:
        done = [e.element_id for e in uow.events.for_instance(case.id) if e.type == "element_completed"]
    assert done[-2:] == ["overtime_end", "overtime"]
    [task] = _ready(ctx, case.id)
    complete_task(ctx, task.id, {"ok": True}, AGENT)
    assert _status(ctx, case.id) == "completed"
