"""Timer values as modelers write them: a bare ISO 8601 value (``P7D``, ``R6/P1D``, a date and time)
is a literal, anything else an expression of the sandbox.

Camunda, bpmn.io and the interchange suite write ISO 8601 unquoted; SpiffWorkflow evaluates every
timer text as Python, so ``P7D`` would be an unknown name and ``R6/P1D`` a division. After its
parser has read a diagram, a timer text that is a well-formed ISO 8601 value of its kind is quoted
(``literal_of``), the same at deploy and at run time; quoted values and expressions are left alone.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

_DURATION = r"P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?"
_MOMENT = r"\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?"
DURATION = re.compile(rf"^{_DURATION}$")
MOMENT = re.compile(rf"^{_MOMENT}$")
CYCLE = re.compile(rf"^R\d*/({_DURATION}|{_MOMENT})(/({_DURATION}|{_MOMENT}))?$")
# What only a mistyped ISO 8601 value looks like (P3X, PT, R3): not a name anyone gives a variable.
ISO_LOOKALIKE = re.compile(r"^(P[0-9T][0-9A-Z.,]*|R\d*(/.*)?)$")


def _moment_ok(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_iso_literal(text: str, cycle: bool) -> bool:
    """Is ``text`` (unquoted) a well-formed ISO 8601 value of a timer of this kind?"""
    text = text.strip()
    if cycle:
        if not CYCLE.match(text):
            return False
        try:
            TimerEventDefinition.parse_iso_recurring_interval(text)
        except Exception:  # noqa: BLE001 - SpiffWorkflow raises assorted errors for bad values
            return False
        return True
    if DURATION.match(text):
        return True
    return bool(MOMENT.match(text)) and _moment_ok(text)


def literal_of(definition: TimerEventDefinition) -> str | None:
    """The quoted form of the definition's text if it is a bare ISO 8601 value, else None."""
    expression = definition.expression or ""
    if is_iso_literal(expression, isinstance(definition, CycleTimerEventDefinition)):
        return repr(expression.strip())
    return None


def quote_iso_timers(specs: list[Any]) -> None:
    """Quote, in SpiffWorkflow's specs, each timer text that is a bare ISO 8601 value."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            # An event-based gateway holds the timers of the events after it as one multiple definition.
            for timer in getattr(definition, "event_definitions", None) or [definition]:
                if isinstance(timer, TimerEventDefinition):
                    quoted = literal_of(timer)
                    if quoted is not None:
                        timer.expression = quoted
