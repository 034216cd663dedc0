"""The lint of a diagram's code at deploy, so nothing of this kind fails only at run time.

Scripts (and pre/post scripts), gateway conditions and timer expressions are compiled by the
sandbox, from SpiffWorkflow's specs; a timer expression that is a literal is parsed as ISO 8601
the way SpiffWorkflow will (a bare ISO 8601 value was quoted by ``timer_values``), and a text that
is neither a valid ISO 8601 value nor an expression (``P3X``) is refused.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from ..domain.diagram_problems import problem
from ..errors import Problem
from .definitions import ElementInfo
from .scripting import ScriptRejected
from .scripting import compile_sandboxed
from .scripting import parse_sandboxed
from .timer_values import ISO_LOOKALIKE
from .timer_values import is_iso_literal

# A date someone meant as a timer value (2027-13-01): not Python, and not to be reported as such.
DATE_LOOKALIKE = re.compile(r"^\d{4}-\d")
# A message's code and parameters (domain/diagram_problems.py), before it is placed on an element.
Fault = tuple[str, dict[str, str]]


def task_specs(specs: list[Any]) -> Iterator[Any]:
    for spec in specs:
        yield from spec.task_specs.values()


def where(task_spec: Any, elements: dict[str, ElementInfo]) -> tuple[str, int | None]:
    element_id = getattr(task_spec, "bpmn_id", None) or task_spec.name
    info = elements.get(element_id)
    return element_id, info.line if info else None


def code_of(task_spec: Any) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(code, compile mode, what it is: the ``what`` and ``snippet`` of a message) for each piece of
    Python ``task_spec`` runs."""
    for attr in ("script", "prescript", "postscript"):
        if getattr(task_spec, attr, None):
            yield getattr(task_spec, attr), "exec", {"what": attr}
    for condition, _target in getattr(task_spec, "cond_task_specs", []) or []:
        if condition is not None:
            yield condition.args[0], "eval", {"what": "condition-code", "snippet": quoted(condition.args[0])}
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition) and not _iso_lookalike(definition.expression):
        yield definition.expression, "eval", {"what": "timer-code", "snippet": quoted(definition.expression)}


def quoted(code: str, limit: int = 80) -> str:
    """Code quoted in a problem's reason, cut short if it is long (a 5 000-term expression)."""
    return repr(code if len(code) <= limit else code[: limit - 1] + "…")


def sandbox_problems(filename: str, specs: list[Any], elements: dict[str, ElementInfo]) -> list[Problem]:
    """A problem for each script, condition or timer expression the sandbox refuses or cannot parse."""
    problems = []
    for ts in task_specs(specs):
        for code, mode, what in code_of(ts):
            fault = _sandbox_fault(code, mode, what)
            if fault:
                problems.append(problem(filename, fault[0], *where(ts, elements), **fault[1]))
    return problems


def _sandbox_fault(code: str, mode: str, what: dict[str, str]) -> Fault | None:
    if code.strip().startswith(("${", "#{")):
        return "code-juel", what
    try:
        compile_sandboxed(code, mode)
    except ScriptRejected as exc:
        return "code-refused", {**what, "detail": str(exc)}
    except SyntaxError as exc:
        return "code-syntax", {**what, "detail": str(exc.msg)}
    return None


def lint_one(code: str, mode: str, what: dict[str, str], timer: bool = False) -> list[Fault]:
    """What the deploy's lint says of one piece of code typed in the workbench (``timer``: a timer's
    value, where an ISO 8601 literal, quoted or not, is allowed and checked)."""
    if timer:
        fault = _timer_literal_fault(code, None)
        if fault or _iso_lookalike(code):
            return [fault] if fault else []
    elif not code.strip():
        return [("code-empty", what)]
    fault = _sandbox_fault(code, mode, what)
    return [fault] if fault else []


def timer_literal_problems(filename: str, specs: list[Any], elements: dict[str, ElementInfo]) -> list[Problem]:
    """A problem for each timer whose literal value is not ISO 8601, or looks like it but is unquoted.
    SpiffWorkflow's spec of a timer caught after an event-based gateway carries no timer definition,
    so those timers are read from the diagram's catalogue (the expression the application arms)."""
    problems = []
    checked = set()
    for ts in task_specs(specs):
        definition = getattr(ts, "event_definition", None)
        if isinstance(definition, TimerEventDefinition):
            checked.add(getattr(ts, "bpmn_id", None) or ts.name)
            fault = _timer_literal_fault(definition.expression, isinstance(definition, CycleTimerEventDefinition))
            if fault:
                problems.append(problem(filename, fault[0], *where(ts, elements), **fault[1]))
    for info in elements.values():
        if info.timer and info.id not in checked:
            fault = _timer_literal_fault(info.timer, None)
            if fault:
                problems.append(problem(filename, fault[0], info.id, info.line, **fault[1]))
    return problems


def _iso_lookalike(expression: str) -> bool:
    text = (expression or "").strip()
    return bool(ISO_LOOKALIKE.match(text) or DATE_LOOKALIKE.match(text))


def _timer_literal_fault(expression: str, cycle: bool | None) -> Fault | None:
    """``cycle`` None: a timer read from the diagram itself (caught after an event-based gateway), where
    a literal starting with R is taken for a cycle."""
    if not (expression or "").strip():
        return "timer-empty", {}
    if cycle is None and is_iso_literal(expression, expression.strip().upper().startswith("R")):
        return None  # a bare ISO 8601 value, quoted by timer_values like every other
    if _iso_lookalike(expression):
        return "timer-not-iso-or-code", {"value": quoted(expression)}
    try:
        tree = parse_sandboxed(expression, "eval")
    except (SyntaxError, ScriptRejected):
        return None  # reported by the sandbox compile
    try:
        value = ast.literal_eval(tree)
    except (ValueError, TypeError):
        return None  # computed at run time from case data
    if cycle is None:
        cycle = str(value).upper().startswith("R")
    try:
        if cycle:
            TimerEventDefinition.parse_iso_recurring_interval(value)
        elif str(value).upper().startswith("P"):
            TimerEventDefinition.parse_iso_duration(value)
        else:
            TimerEventDefinition.parse_time_or_duration(value)
    except Exception as exc:  # noqa: BLE001 - SpiffWorkflow raises assorted errors for bad literals
        return "timer-not-iso", {"value": repr(value), "detail": str(exc)}
    return None
