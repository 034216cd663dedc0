"""Replaying a recorded path through a shadow instance, for conformance checking.

The shadow runs the exact diagram version with the same sandbox, so gateways, boundary timers
and subprocesses behave as they did for real. Recorded user-task completions are re-applied with
their data; recorded timer firings are forced (the shadow never waits and never reads the clock:
its timers see ``SHADOW_NOW``, long before any real due time, so only the forced ones fire — with
the application's clock a replay made after a deadline fired every timer due by then at once).
A step the model does not allow at that point is a deviation; tasks the model still demands when
the recorded case had ended are missing steps.

    fitness = matched steps / (recorded steps + missing steps)
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from .scripting import step_budget
from .timeclock import frozen_at

LONG_AGO = "1970-01-01T00:00:00+00:00"  # a forced firing's due time
SHADOW_NOW = datetime(1970, 1, 2, tzinfo=UTC)  # what the shadow's timers see as now: after LONG_AGO only


@dataclass(frozen=True)
class RecordedStep:
    kind: str  # task (completed), timer (fired), skip (completed by an administrator), repeat (token moved back)
    element_id: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Deviation:
    # inserted (not allowed there), missing (the model still expected it), error, and the manual
    # interventions skipped (a step completed by an administrator) and repeated (token moved back)
    kind: str
    element_id: str | None
    position: int | None  # index of the recorded step, None for missing steps
    detail: str = ""


@dataclass(frozen=True)
class ReplayResult:
    steps: int
    matched: int
    deviations: list[Deviation]
    model_completed: bool

    @property
    def fitness(self) -> float:
        missing = sum(1 for d in self.deviations if d.kind == "missing")
        total = self.steps + missing
        return round(self.matched / total, 4) if total else 1.0


def replay(
    workflow: BpmnWorkflow,
    steps: Sequence[RecordedStep],
    *,
    recorded_completed: bool,
    message: str | None = None,
    payload: Any = None,
) -> ReplayResult:
    """Run ``steps`` against a fresh ``workflow`` (already holding its start data)."""
    with frozen_at(SHADOW_NOW):
        return _replay(workflow, steps, recorded_completed=recorded_completed, message=message, payload=payload)


def _replay(
    workflow: BpmnWorkflow,
    steps: Sequence[RecordedStep],
    *,
    recorded_completed: bool,
    message: str | None,
    payload: Any,
) -> ReplayResult:
    deviations: list[Deviation] = []
    matched = 0
    try:
        if message is None:
            _step(workflow)
        else:
            with step_budget():
                workflow.do_engine_steps()
                workflow.send_event(BpmnEvent(MessageEventDefinition(message), payload))
            _step(workflow)
    except SpiffWorkflowException as exc:
        return ReplayResult(len(steps), 0, [Deviation("error", None, None, str(exc).splitlines()[0])], False)
    for position, step in enumerate(steps):
        if step.kind == "repeat":
            done = [
                t
                for t in workflow.get_tasks(state=TaskState.COMPLETED)
                if t.task_spec.bpmn_id == step.element_id and t.task_spec.manual
            ]
            if not done:
                deviations.append(Deviation("inserted", step.element_id, position, "repeat of a step never done"))
                continue
            reset_to(workflow, max(done, key=lambda t: t.last_state_change or 0).id)
            deviations.append(Deviation("repeated", step.element_id, position, "token moved back by hand"))
            _step(workflow)
            continue
        task = _find(workflow, step)
        if task is None:
            deviations.append(
                Deviation(
                    "inserted",
                    step.element_id,
                    position,
                    f"{step.kind} {step.element_id} is not possible at this point",
                )
            )
            continue
        try:
            if step.kind == "timer":
                task.internal_data["event_value"] = LONG_AGO
            else:
                task.data.update(step.data)
                with step_budget():
                    task.run()
            _step(workflow)
            if step.kind == "skip":
                deviations.append(Deviation("skipped", step.element_id, position, "completed by hand"))
            else:
                matched += 1
        except SpiffWorkflowException as exc:
            deviations.append(Deviation("error", step.element_id, position, str(exc).splitlines()[0]))
            break
    if recorded_completed:
        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            deviations.append(
                Deviation(
                    "missing", task.task_spec.bpmn_id, None, "the model still expects this step; the case had ended"
                )
            )
    return ReplayResult(len(steps), matched, deviations, workflow.completed)


def reset_to(workflow: BpmnWorkflow, task_id) -> None:
    """Make a finished task ready again, undoing what came after it.

    SpiffWorkflow 3.2.0 leaves the removed tasks' catching events in the workflow's event
    manager (a later refresh then trips over their missing parents); they are dropped here.
    """
    for removed in workflow.reset_from_task_id(task_id):
        workflow.event_manager.remove_task(removed)


def _step(workflow: BpmnWorkflow) -> None:
    with step_budget():  # each recorded step has the budget of a step of the real case
        workflow.refresh_timers()
        workflow.do_engine_steps()


def _timer_branch_id(task) -> str | None:
    """The element id of the timer an event-based gateway waits for (SpiffWorkflow moves its branches'
    events onto the gateway, so the gateway's task waits, and the engine records the branch's id)."""
    spec = task.task_spec
    if not isinstance(spec, EventBasedGateway):
        return None
    for index, definition in enumerate(spec.event_definition.event_definitions):
        if isinstance(definition, TimerEventDefinition):
            return spec.outputs[index].bpmn_id
    return None


def _find(workflow: BpmnWorkflow, step: RecordedStep):
    if step.kind == "timer":
        waiting = workflow.get_tasks(state=TaskState.WAITING, spec_class=CatchingEvent)
        gateway = next((t for t in waiting if _timer_branch_id(t) == step.element_id), None)
        if gateway is not None:
            return gateway  # forcing its timer takes the timer's branch
        candidates = waiting
    elif step.kind == "repeat":
        return None
    else:
        candidates = workflow.get_tasks(state=TaskState.READY, manual=True)
    return next((t for t in candidates if t.task_spec.bpmn_id == step.element_id), None)
