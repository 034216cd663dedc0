"""SpiffWorkflow's specs of a diagram, from its own parser (which checks the BPMN 2.0 + spiffworkflow XSD).

Bare ISO 8601 timer values are quoted here (``timer_values``), so deploy and run time read them alike.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.spiff.parser import VALIDATOR
from SpiffWorkflow.spiff.parser import SpiffBpmnParser

from .timer_values import quote_iso_timers


def parse_specs(xml: bytes, key: str, filename: str) -> tuple[Any, dict[str, Any]]:
    """SpiffWorkflow specs for a diagram; a fresh parser each time (3.2.0 lane-cache bug)."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(xml, filename=filename)
    spec, subprocess_specs = parser.get_spec(key), parser.get_subprocess_specs(key)
    quote_iso_timers([spec, *subprocess_specs.values()])
    return spec, subprocess_specs
