"""The names diagram code uses, checked at deploy against what defines them.

A script, pre/post script, gateway condition or timer expression reads names: the case data (a form
field of some step, a name a script of the diagram assigns, a data object or multi-instance item,
a message payload variable, the start data the application gives every case) or the diagram
helpers and builtins of the sandbox. ``undefined_names`` reports a name nothing defines (a typo, or
data the diagram expects from outside: advice, a warning); ``helper_call_problems`` reports a call
of a function that does not exist (``add_workingdays(...)``: every case reaching it would fail) and
a helper called with the wrong number of arguments or a literal of the wrong type
(``add_working_days(now(), "two")``).
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from ..domain.cases import APPLICATION_KEYS
from ..domain.diagram_problems import problem
from ..domain.scripting_helpers import make_helpers
from ..domain.workcalendar import WorkCalendar
from ..errors import Problem
from .definitions import ElementInfo
from .script_lint import code_of
from .script_lint import quoted
from .script_lint import task_specs
from .script_lint import where
from .scripting import BUILTIN_NAMES
from .scripting import ScriptRejected
from .scripting import parse_sandboxed
from .timer_values import ISO_LOOKALIKE


# The helpers a diagram may call: their names and signatures (bound to a clock that is never read here).
def _unread_calendar() -> WorkCalendar:
    raise RuntimeError("the deploy lint never runs a helper")


HELPERS: dict[str, Callable[..., Any]] = make_helpers(lambda: datetime.now(UTC), _unread_calendar, ZoneInfo("UTC"))
# Extension attributes that name a case variable an element writes (a payload, a result).
VARIABLE_ATTRIBUTES = frozenset({"messageVariable", "resultVariable", "result_variable", "variable"})
LITERAL_TYPES = {"str": (str,), "int": (int, float), "float": (int, float), "bool": (bool,)}


def _parsed(code: str, mode: str) -> ast.AST | None:
    try:
        return parse_sandboxed(code, mode)
    except (SyntaxError, ScriptRejected, ValueError):
        return None  # the sandbox rule reports it


def _code(
    specs: list[Any], elements: dict[str, ElementInfo]
) -> Iterator[tuple[tuple[str, int | None], ast.AST, dict[str, str]]]:
    """((element id, line), syntax tree, what it is) for each piece of diagram code that parses. A timer
    caught after an event-based gateway has no definition in SpiffWorkflow's spec: it is read from the
    diagram's catalogue (the expression the application arms)."""
    timers = set()
    for ts in task_specs(specs):
        definition = getattr(ts, "event_definition", None)
        if isinstance(definition, TimerEventDefinition):
            timers.add(getattr(ts, "bpmn_id", None) or ts.name)
        for code, mode, what in code_of(ts):
            if code.strip().startswith(("${", "#{")):
                continue  # JUEL: refused by the sandbox rule
            tree = _parsed(code, mode)
            if tree is not None:
                yield where(ts, elements), tree, what
    for info in elements.values():
        if info.timer and info.id not in timers and not ISO_LOOKALIKE.match(info.timer.strip()):
            tree = _parsed(info.timer, "eval")
            if tree is not None:
                yield (info.id, info.line), tree, {"what": "timer-code", "snippet": quoted(info.timer)}


def _assigned(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
            names.update(a.arg for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs])
            if isinstance(node, ast.FunctionDef):
                names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):  # refused by the sandbox rule, not unknown
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _diagram_names(root: etree._Element, forms: dict[str, dict[str, Any]]) -> set[str]:
    """What the diagram defines besides its scripts: form fields, data objects and items, variables."""
    names = {field for form in forms.values() for field in (form.get("properties") or {})}
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        local = etree.QName(node).localname
        if local in ("dataObject", "dataObjectReference", "dataInput", "dataOutput", "inputDataItem", "outputDataItem"):
            names.update(v for v in (node.get("id"), node.get("name")) if v)
        elif local in ("loopDataInputRef", "loopDataOutputRef", "messageVariable") and node.text:
            names.add(node.text.strip())
        elif local in ("inputParameter", "outputParameter") and node.get("name"):
            names.add(node.get("name"))
        elif local == "formField" and node.get("id"):
            names.add(node.get("id"))
        names.update(v for k, v in node.attrib.items() if etree.QName(k).localname in VARIABLE_ATTRIBUTES and v)
    return names


def undefined_names(
    filename: str,
    specs: list[Any],
    elements: dict[str, ElementInfo],
    root: etree._Element,
    forms: dict[str, dict[str, Any]],
) -> list[Problem]:
    """A problem for each name diagram code reads that nothing defines (called names are the helper check's)."""
    pieces = list(_code(specs, elements))
    defined = set(HELPERS) | set(BUILTIN_NAMES) | APPLICATION_KEYS | _diagram_names(root, forms)
    for _where, tree, _what in pieces:
        defined |= _assigned(tree)
    problems = []
    for at, tree, what in pieces:
        called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        unknown = sorted(read - defined - {n.id for n in ast.walk(tree) if id(n) in called and isinstance(n, ast.Name)})
        for name in unknown:
            problems.append(problem(filename, "name-undefined", *at, **what, name=repr(name)))
    return problems


def _literal(node: ast.expr) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _argument_fault(name: str, call: ast.Call) -> tuple[str, dict[str, str]] | None:
    helper = HELPERS[name]
    try:
        signature = inspect.signature(helper)
    except (TypeError, ValueError):
        return None
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in signature.parameters.values()):
        return None  # takes anything: checked when it runs
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    try:
        bound = signature.bind(*call.args, **{k.arg: k.value for k in call.keywords if k.arg})
    except TypeError as exc:
        return "helper-arguments", {"name": name, "detail": str(exc), "signature": _shown(signature)}
    for parameter, node in bound.arguments.items():
        wanted = LITERAL_TYPES.get(str(signature.parameters[parameter].annotation))
        known, value = _literal(node)
        if wanted and known and (not isinstance(value, wanted) or (bool not in wanted and isinstance(value, bool))):
            return "helper-argument-type", {
                "name": name,
                "parameter": parameter,
                "wanted": str(signature.parameters[parameter].annotation),
                "got": type(value).__name__,
                "value": repr(value),
                "signature": _shown(signature),
            }
    return None


def _shown(signature: inspect.Signature) -> str:
    return "(" + ", ".join(signature.parameters) + ")"


def helper_call_problems(filename: str, specs: list[Any], elements: dict[str, ElementInfo]) -> list[Problem]:
    """A problem for each call of a function no helper, builtin or script defines, and each helper
    call whose arguments do not fit the helper."""
    pieces = list(_code(specs, elements))
    callable_names = set(HELPERS) | set(BUILTIN_NAMES)
    for _where, tree, _what in pieces:
        callable_names |= _assigned(tree)
    problems = []
    for at, tree, what in pieces:
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)):
            name = call.func.id
            fault = None
            if name not in callable_names:
                fault = "helper-unknown", {"name": name, "helpers": ", ".join(sorted(HELPERS))}
            elif name in HELPERS:
                fault = _argument_fault(name, call)
            if fault:
                problems.append(problem(filename, fault[0], *at, **what, **fault[1]))
    return list(dict.fromkeys(problems))
