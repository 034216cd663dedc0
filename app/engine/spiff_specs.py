"""SpiffWorkflow's specs of a diagram, from its own parser (which checks the BPMN 2.0 + spiffworkflow XSD)."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.spiff.parser import VALIDATOR
from SpiffWorkflow.spiff.parser import SpiffBpmnParser


def parse_specs(xml: bytes, key: str, filename: str) -> tuple[Any, dict[str, Any]]:
    """SpiffWorkflow specs for a diagram; a fresh parser each time (3.2.0 lane-cache bug)."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(xml, filename=filename)
    return parser.get_spec(key), parser.get_subprocess_specs(key)
