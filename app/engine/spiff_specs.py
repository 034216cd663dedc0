"""SpiffWorkflow's specs of a diagram, from its own parser (which checks the BPMN 2.0 + spiffworkflow XSD).

Bare ISO 8601 timer values are quoted here (``timer_values``), and an activity without an outgoing
flow is led to its scope's end (SpiffWorkflow 3.2.0 would leave the case running for ever: BPMN says
such a path simply ends), so deploy and run time read a diagram alike. A service task with a topic is an external task
(``external_tasks``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.spiff.parser import VALIDATOR
from SpiffWorkflow.spiff.parser import SpiffBpmnParser

from .external_tasks import ServiceOrExternalTaskParser
from .timer_values import quote_iso_timers


class Parser(SpiffBpmnParser):
    """SpiffWorkflow's parser, but a service task with a topic waits for an outside worker."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (
            ServiceOrExternalTaskParser,
            SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag("serviceTask")][1],
        ),
    }


def parse_specs(
    xml: bytes, key: str, filename: str, calls: Mapping[str, bytes] | None = None
) -> tuple[Any, dict[str, Any]]:
    """SpiffWorkflow specs for a diagram and the files its call activities reach (``calls``, by file
    name); a fresh parser each time (3.2.0 lane-cache bug)."""
    parser = Parser(validator=VALIDATOR)
    parser.add_bpmn_str(xml, filename=filename)
    for name, called in (calls or {}).items():
        parser.add_bpmn_str(called, filename=name)
    spec, subprocess_specs = parser.get_spec(key), parser.get_subprocess_specs(key)
    quote_iso_timers([spec, *subprocess_specs.values()])
    for each in (spec, *subprocess_specs.values()):
        _end_open_paths(each)
    return spec, subprocess_specs


def _end_open_paths(spec: Any) -> None:
    """Connect each flow node with no outgoing flow (an implicit end) to the scope's end join."""
    end = spec.task_specs.get(f"{spec.name}.EndJoin")
    if end is None:
        return
    for task_spec in list(spec.task_specs.values()):
        bpmn_id = getattr(task_spec, "bpmn_id", None)
        if bpmn_id and not task_spec.outputs and not isinstance(task_spec, (EndEvent, BoundaryEventJoin)):
            task_spec.connect(end)
