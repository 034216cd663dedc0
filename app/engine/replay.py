"""Replaying a recorded path through a shadow instance, for conformance checking.

The shadow runs the exact diagram version with the same sandbox, so gateways, boundary timers
and subprocesses behave as they did for real. Recorded user-task completions are re-applied with
their data; recorded timer firings are forced (the shadow never waits and never reads the clock).
A step the model does not allow at that point is a deviation; tasks the model still demands when
the recorded case had ended are missing steps.

    fitness = matched steps / (recorded steps + missing steps)
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

LONG_AGO = "1970-01-01T00:00:00+00:00"


@dataclass(frozen=True)
class RecordedStep:
    kind: str  # task (a user task completed) or timer (a timer fired)
    element_id: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Deviation:
    kind: str  # inserted (not allowed there), missing (the model still expected it), error
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
    deviations: list[Deviation] = []
    matched = 0
    try:
        if message is None:
            _step(workflow)
        else:
            workflow.do_engine_steps()
            workflow.send_event(BpmnEvent(MessageEventDefinition(message), payload))
            _step(workflow)
    except SpiffWorkflowException as exc:
        return ReplayResult(len(steps), 0, [Deviation("error", None, None, str(exc).splitlines()[0])], False)
    for position, step in enumerate(steps):
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
                task.run()
            _step(workflow)
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


def _step(workflow: BpmnWorkflow) -> None:
    workflow.refresh_timers()
    workflow.do_engine_steps()


def _find(workflow: BpmnWorkflow, step: RecordedStep):
    if step.kind == "timer":
        candidates = workflow.get_tasks(state=TaskState.WAITING, spec_class=CatchingEvent)
    else:
        candidates = workflow.get_tasks(state=TaskState.READY, manual=True)
    return next((t for t in candidates if t.task_spec.bpmn_id == step.element_id), None)
