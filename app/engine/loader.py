"""Reading and validating diagrams: a bad diagram is refused whole, with file, element, line, reason.

Four layers, each reported as ``Problem`` rows:
1. safe XML (no DTD or entities, size limit) and the BPMN 2.0 + spiffworkflow XSD;
2. SpiffWorkflow's parser (unsupported constructs, broken references);
3. the project's conventions (docs/diagram-conventions.md): one lane per node with a known
   role, names, forms that exist and are valid JSON Schema (a start form only on the process's
   start event, refusing unknown fields), default flows on gateways, and no active content: no
   XHTML/SVG/MathML markup or style sheet in the XML (a browser opening it would run its
   scripts), no markup in the texts of a form (they are shown as plain text);
4. a lint of scripts, conditions and timer expressions compiled by the sandbox, and literal
   ISO 8601 timer values parsed, so nothing of this kind fails only at run time.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.parser import VALIDATOR
from SpiffWorkflow.spiff.parser import SpiffBpmnParser

from ..domain.roles import role_of_lane
from ..errors import DiagramError
from ..errors import Problem
from .definitions import FORM_PROPERTY
from .definitions import ElementInfo
from .definitions import ProcessDefinition
from .safe_xml import DTD_REFUSED
from .safe_xml import UnsafeXml
from .safe_xml import parse_untrusted
from .scripting import ScriptRejected
from .scripting import compile_sandboxed
from .scripting import parse_sandboxed

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
MAX_DIAGRAM_BYTES = 2 * 1024 * 1024
RESERVED_IDS = frozenset({"Start", "End", "Root"})
FLOW_NODES = frozenset(
    {
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "task",
        "userTask",
        "manualTask",
        "scriptTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
        "callActivity",
        "subProcess",
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
    }
)
UNSUPPORTED = {  # parse fine in SpiffWorkflow 3.2.0 but misbehave at run time
    "linkEventDefinition": "link events are accepted by SpiffWorkflow 3.2.0 but leave the case stuck",
    "compensateEventDefinition": "compensation is not supported by SpiffWorkflow 3.2.0",
    "complexGateway": "complex gateways are not supported",
}

# Namespaces whose elements a browser renders and runs (an <html:script> in extensionElements).
ACTIVE_NAMESPACES = {
    "http://www.w3.org/1999/xhtml": "XHTML",
    "http://www.w3.org/2000/svg": "SVG",
    "http://www.w3.org/1998/Math/MathML": "MathML",
}
# The start of a tag, a closing tag, a comment or a processing instruction ("a < b" is text).
MARKUP = re.compile(r"<[A-Za-z!/?]")
FORM_TEXTS = ("title", "description")

FormReader = Callable[[str], bytes]
# A bare name that is really an ISO 8601 duration or repetition someone forgot to quote (PT24H, P3D, R3).
ISO_LOOKALIKE = re.compile(r"^(P(\d+[YMWD])*(T(\d+[HMS])+)?|R\d*)$")


def _q(tag: str) -> str:
    return f"{{{BPMN}}}{tag}"


def _safe_parse(xml: bytes, filename: str) -> etree._Element:
    if len(xml) > MAX_DIAGRAM_BYTES:
        raise DiagramError([Problem(filename, f"diagram is {len(xml)} bytes; the limit is {MAX_DIAGRAM_BYTES}")])
    try:
        root = parse_untrusted(xml)
    except UnsafeXml as exc:
        reason = f"{exc.message} in a diagram" if exc.message == DTD_REFUSED else exc.message
        raise DiagramError([Problem(filename, reason, line=exc.line)]) from None
    if root.tag != _q("definitions"):
        raise DiagramError([Problem(filename, f"root element is {root.tag}, expected bpmn:definitions")])
    return root


def _properties(node: etree._Element) -> dict[str, str]:
    props = {}
    ext = node.find(_q("extensionElements"))
    if ext is not None:
        for prop in ext.iter(f"{{{SPIFF}}}property"):
            if prop.get("name"):
                props[prop.get("name")] = prop.get("value", "")
    return props


def _instructions(node: etree._Element) -> str | None:
    ext = node.find(_q("extensionElements"))
    found = ext.find(f"{{{SPIFF}}}instructionsForEndUser") if ext is not None else None
    return found.text.strip() if found is not None and found.text else None


def _timer_expression(node: etree._Element) -> str | None:
    timer = node.find(_q("timerEventDefinition"))
    if timer is None:
        return None
    for kind in ("timeDuration", "timeDate", "timeCycle"):
        expr = timer.find(_q(kind))
        if expr is not None:
            return (expr.text or "").strip()
    return ""


WORKING_TIME_HELPERS = frozenset({"add_working_days", "add_working_hours"})


def _calls_working_time(tree: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in WORKING_TIME_HELPERS
        for n in ast.walk(tree)
    )


def _working_time_variables(process: etree._Element) -> set[str]:
    """Case variables that some script of the process computes with the work calendar."""
    names: set[str] = set()
    sources = [n.text for n in process.iter(_q("script"))]
    sources += [n.text for tag in ("preScript", "postScript") for n in process.iter(f"{{{SPIFF}}}{tag}")]
    for source in filter(None, sources):
        try:
            tree = parse_sandboxed(source, "exec")
        except (SyntaxError, ScriptRejected):
            continue  # reported by the lint
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and _calls_working_time(node.value):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _timer_uses_working_time(expression: str | None, variables: set[str]) -> bool:
    if not expression:
        return False
    try:
        tree = parse_sandboxed(expression, "eval")
    except (SyntaxError, ScriptRejected):
        return False
    return _calls_working_time(tree) or any(isinstance(n, ast.Name) and n.id in variables for n in ast.walk(tree))


def _message_name(node: etree._Element, messages: dict[str, str]) -> str | None:
    definition = node.find(_q("messageEventDefinition"))
    if definition is None:
        return None
    ref = definition.get("messageRef")
    return messages.get(ref, ref)


def _catalogue(process: etree._Element) -> tuple[dict[str, ElementInfo], dict[str, list[str]]]:
    lanes_of: dict[str, list[str]] = {}
    for lane in process.iter(_q("lane")):
        for ref in lane.findall(_q("flowNodeRef")):
            lanes_of.setdefault((ref.text or "").strip(), []).append(lane.get("id"))
    working_variables = _working_time_variables(process)
    root = process.getroottree().getroot()
    messages = {m.get("id"): m.get("name") or m.get("id") for m in root.iter(_q("message"))}
    elements = {}
    for node in process.iter():
        if not isinstance(node.tag, str):
            continue
        local = etree.QName(node).localname
        if etree.QName(node).namespace != BPMN or local not in FLOW_NODES:
            continue
        lanes = lanes_of.get(node.get("id"), [])
        lane = lanes[0] if len(lanes) == 1 else None
        timer = _timer_expression(node)
        elements[node.get("id")] = ElementInfo(
            id=node.get("id"),
            type=local,
            name=(node.get("name") or "").strip(),
            line=node.sourceline,
            lane=lane,
            role=role_of_lane(lane),
            properties=_properties(node),
            attached_to=node.get("attachedToRef"),
            cancel_activity=node.get("cancelActivity", "true") != "false",
            timer=timer,
            working_time=_timer_uses_working_time(timer, working_variables),
            message=_message_name(node, messages),
            instructions=_instructions(node),
        )
    return elements, lanes_of


def _unsupported_constructs(filename: str, process: etree._Element) -> list[Problem]:
    """What SpiffWorkflow 3.2.0 cannot run, named plainly. Checked before its parser, which refuses a
    compensation or a complex gateway with a message that names neither (and accepts link events)."""
    problems = []
    for tag, reason in UNSUPPORTED.items():
        for node in process.iter(_q(tag)):
            owner = node.getparent() if tag.endswith("EventDefinition") else node
            problems.append(Problem(filename, reason, owner.get("id") if owner is not None else None, node.sourceline))
    return problems


def _check_conventions(
    filename: str, process: etree._Element, elements: dict[str, ElementInfo], lanes_of: dict[str, list[str]]
) -> list[Problem]:
    problems = []
    has_lanes = process.find(f".//{_q('lane')}") is not None
    for lane in process.iter(_q("lane")):
        if role_of_lane(lane.get("id")) is None:
            problems.append(
                Problem(
                    filename,
                    f"lane id {lane.get('id')!r} does not name a role (lane_<role>)",
                    lane.get("id"),
                    lane.sourceline,
                )
            )
    for info in elements.values():

        def problem(reason: str, info: ElementInfo = info) -> None:
            problems.append(Problem(filename, reason, info.id, info.line))

        if info.id in RESERVED_IDS:
            problem(f"element id {info.id!r} collides with SpiffWorkflow internals; rename it")
        if not info.name:
            problem(f"{info.type} has no name; every element needs a readable name (中文 / English)")
        if has_lanes and len(lanes_of.get(info.id, [])) != 1:
            problem(f"{info.type} must sit in exactly one lane (found {len(lanes_of.get(info.id, []))})")
        if info.type == "userTask" and not info.form:
            problem(f"user task has no {FORM_PROPERTY} property naming its form")
        if info.type == "userTask" and has_lanes and info.role is None:
            problem("user task is not in a lane named after a role, so nobody could work it")
        if info.type in UNSUPPORTED:
            problem(UNSUPPORTED[info.type])
    targets = {f.get("targetRef") for f in process.iter(_q("sequenceFlow"))}
    sources = {f.get("sourceRef") for f in process.iter(_q("sequenceFlow"))}
    for info in elements.values():
        if info.type not in ("startEvent", "boundaryEvent") and info.id not in targets:
            problems.append(
                Problem(filename, f"{info.type} has no incoming flow, so it can never be reached", info.id, info.line)
            )
        if info.type != "endEvent" and info.id not in sources:
            problems.append(
                Problem(filename, f"{info.type} has no outgoing flow, so the case would stop there", info.id, info.line)
            )
    problems += _check_paths(filename, process, elements, targets, sources)
    for gateway in list(process.iter(_q("exclusiveGateway"))) + list(process.iter(_q("inclusiveGateway"))):
        outgoing = gateway.findall(_q("outgoing"))
        if len(outgoing) > 1 and not gateway.get("default"):
            problems.append(
                Problem(
                    filename,
                    "gateway with several outgoing flows needs a default flow",
                    gateway.get("id"),
                    gateway.sourceline,
                )
            )
    return problems


def _check_paths(
    filename: str,
    process: etree._Element,
    elements: dict[str, ElementInfo],
    targets: set[str | None],
    sources: set[str | None],
) -> list[Problem]:
    """Every element can be reached from a start event and can reach an end event, scope by scope
    (the process, each subprocess): an island of tasks, or a loop without a way out, is refused."""
    problems = []
    scopes = [process, *process.iter(_q("subProcess"))]
    for scope in scopes:
        nodes = [
            c.get("id")
            for c in scope
            if isinstance(c.tag, str) and etree.QName(c).namespace == BPMN and etree.QName(c).localname in FLOW_NODES
        ]
        flows = [(f.get("sourceRef"), f.get("targetRef")) for f in scope.findall(_q("sequenceFlow"))]
        after: dict[str, set[str]] = {n: set() for n in nodes}
        for source, target in flows:
            after.setdefault(source, set()).add(target)
        boundaries: dict[str, list[ElementInfo]] = {}
        for n in nodes:
            info = elements.get(n)
            if info is not None and info.type == "boundaryEvent" and info.attached_to:
                boundaries.setdefault(info.attached_to, []).append(info)
        for attached, events in boundaries.items():
            after.setdefault(attached, set()).update(e.id for e in events)
        reached = _closure([n for n in nodes if elements[n].type == "startEvent"], after)
        before: dict[str, set[str]] = {n: set() for n in nodes}
        for source, target in flows:
            before.setdefault(target, set()).add(source)
        for attached, events in boundaries.items():
            for event in events:
                if event.cancel_activity:  # an interrupting event is a way out of the activity it sits on
                    before.setdefault(event.id, set()).add(attached)
        finishing = _closure([n for n in nodes if elements[n].type == "endEvent"], before)
        for n in nodes:
            info = elements[n]
            if n not in reached and (n in targets or info.type == "boundaryEvent"):
                problems.append(Problem(filename, f"{info.type} cannot be reached from a start event", n, info.line))
            elif n in reached and n not in finishing and (n in sources or info.type == "endEvent"):
                problems.append(
                    Problem(
                        filename,
                        f"{info.type} has no path to an end event, so a case reaching it could never finish"
                        " (a loop without a way out?)",
                        n,
                        info.line,
                    )
                )
    return problems


def _closure(start: list[str], graph: dict[str, set[str]]) -> set[str]:
    seen, todo = set(start), list(start)
    while todo:
        for n in graph.get(todo.pop(), ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def _load_forms(
    filename: str, elements: dict[str, ElementInfo], read_form: FormReader
) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    forms, problems = {}, []
    for info in elements.values():
        if not info.form or info.form in forms:
            continue
        try:
            schema = json.loads(read_form(info.form))
            Draft202012Validator.check_schema(schema)
            if schema.get("type") != "object":
                raise SchemaError('a form schema must have "type": "object"')
            forms[info.form] = schema
        except FileNotFoundError:
            problems.append(Problem(filename, f"form {info.form!r} not found", info.id, info.line))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(Problem(filename, f"form {info.form!r} is not valid JSON: {exc}", info.id, info.line))
        except SchemaError as exc:
            problems.append(
                Problem(filename, f"form {info.form!r} is not a valid JSON Schema: {exc.message}", info.id, info.line)
            )
    return forms, problems


def _owner_id(node: etree._Element) -> str | None:
    """The id of the nearest element around ``node`` that has one (the BPMN element it sits in)."""
    for ancestor in node.iterancestors():
        if ancestor.get("id"):
            return ancestor.get("id")
    return None


def _form_markup(schema: Any, pointer: str = "") -> list[tuple[str, str]]:
    """(JSON pointer, text) of each text of a form that holds markup: titles, descriptions, enumNames."""
    found = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            here = f"{pointer}/{key}"
            if key in FORM_TEXTS and isinstance(value, str) and MARKUP.search(value):
                found.append((here, value))
            elif key == "enumNames" and isinstance(value, list):
                found += [(f"{here}/{i}", t) for i, t in enumerate(value) if isinstance(t, str) and MARKUP.search(t)]
            else:
                found += _form_markup(value, here)
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found += _form_markup(value, f"{pointer}/{i}")
    return found


def _active_content(
    filename: str, root: etree._Element, elements: dict[str, ElementInfo], forms: dict[str, dict[str, Any]]
) -> list[Problem]:
    """Markup a browser would run or render, refused at deploy (the pages show diagrams and forms
    safely anyway: this keeps a diagram what it says it is, and its author told)."""
    problems = []
    for node in root.iter():
        if isinstance(node.tag, str) and etree.QName(node).namespace in ACTIVE_NAMESPACES:
            kind = ACTIVE_NAMESPACES[etree.QName(node).namespace]
            problems.append(
                Problem(
                    filename,
                    f"{kind} element <{etree.QName(node).localname}> in the diagram: a diagram holds BPMN,"
                    " not web markup a browser would run",
                    _owner_id(node),
                    node.sourceline,
                )
            )
    for pi in [*root.itersiblings(etree.PI, preceding=True), *root.iter(etree.PI)]:
        if pi.target == "xml-stylesheet":
            problems.append(
                Problem(filename, "xml-stylesheet instruction: a diagram has no style sheet", line=pi.sourceline)
            )
    for path, schema in forms.items():
        task = next((info for info in elements.values() if info.form == path), None)
        for pointer, text in _form_markup(schema):
            problems.append(
                Problem(
                    filename,
                    f"form {path!r}: {pointer} holds markup ({text[:60]!r}); a form's texts are shown as plain"
                    ' text, so write them without tags ("a < b" is fine)',
                    task.id if task else None,
                    task.line if task else None,
                )
            )
    return problems


def _check_start_form(
    filename: str, process: etree._Element, elements: dict[str, ElementInfo], forms: dict[str, dict[str, Any]]
) -> list[Problem]:
    """A start form (the start data a case may be opened with) sits on the process's own start
    event, one per process, and refuses fields it does not name."""
    problems = []
    top_level = {node.get("id") for node in process.findall(_q("startEvent"))}
    with_form = [e for e in elements.values() if e.type == "startEvent" and e.form]
    for info in with_form:
        if info.id not in top_level:
            problems.append(
                Problem(
                    filename,
                    "only the process's own start event takes a start form, not a subprocess's",
                    info.id,
                    info.line,
                )
            )
        schema = forms.get(info.form)
        if schema is not None and schema.get("additionalProperties") is not False:
            problems.append(
                Problem(
                    filename,
                    f'start form {info.form!r} must refuse fields it does not name: "additionalProperties": false',
                    info.id,
                    info.line,
                )
            )
    if len(with_form) > 1:
        problems.append(Problem(filename, "a process has at most one start form", with_form[1].id, with_form[1].line))
    return problems


def _lint_code(filename: str, spec_list: list, elements: dict[str, ElementInfo]) -> list[Problem]:
    problems = []

    def where(task_spec) -> tuple[str, int | None]:
        element_id = getattr(task_spec, "bpmn_id", None) or task_spec.name
        info = elements.get(element_id)
        return element_id, info.line if info else None

    def check(code: str, mode: str, task_spec, what: str) -> None:
        try:
            compile_sandboxed(code, mode)
        except ScriptRejected as exc:
            element_id, line = where(task_spec)
            problems.append(Problem(filename, f"{what} refused by the sandbox: {exc}", element_id, line))
        except SyntaxError as exc:
            element_id, line = where(task_spec)
            problems.append(Problem(filename, f"{what} is not valid Python: {exc.msg}", element_id, line))

    for spec in spec_list:
        for ts in spec.task_specs.values():
            for attr in ("script", "prescript", "postscript"):
                if getattr(ts, attr, None):
                    check(getattr(ts, attr), "exec", ts, attr)
            for condition, _target in getattr(ts, "cond_task_specs", []) or []:
                if condition is not None:
                    check(condition.args[0], "eval", ts, f"condition {_quoted(condition.args[0])}")
            definition = getattr(ts, "event_definition", None)
            if isinstance(definition, TimerEventDefinition):
                check(definition.expression, "eval", ts, f"timer expression {_quoted(definition.expression)}")
                problems += _lint_timer_literal(filename, definition, *where(ts))
    return problems


def _quoted(code: str, limit: int = 80) -> str:
    """Code quoted in a problem's reason, cut short if it is long (a 5 000-term expression)."""
    return repr(code if len(code) <= limit else code[: limit - 1] + "…")


def _lint_timer_literal(
    filename: str, definition: TimerEventDefinition, element_id: str, line: int | None
) -> list[Problem]:
    try:
        tree = parse_sandboxed(definition.expression, "eval")
    except (SyntaxError, ScriptRejected):
        return []  # already reported by the sandbox compile
    try:
        value = ast.literal_eval(tree)
    except (ValueError, TypeError):
        if isinstance(tree.body, ast.Name) and ISO_LOOKALIKE.match(tree.body.id):
            return [
                Problem(
                    filename,
                    f"timer expression {_quoted(definition.expression)} is an unquoted ISO 8601 value; quote ISO 8601 "
                    f'literals ("PT24H") — expressions are Python',
                    element_id,
                    line,
                )
            ]
        return []  # computed at run time from case data
    try:
        if isinstance(definition, CycleTimerEventDefinition):
            TimerEventDefinition.parse_iso_recurring_interval(value)
        elif str(value).upper().startswith("P"):
            TimerEventDefinition.parse_iso_duration(value)
        else:
            TimerEventDefinition.parse_time_or_duration(value)
    except Exception as exc:  # noqa: BLE001 - SpiffWorkflow raises assorted errors for bad literals
        return [Problem(filename, f"timer value {value!r} is not ISO 8601: {exc}", element_id, line)]
    return []


def parse_specs(xml: bytes, key: str, filename: str):
    """SpiffWorkflow specs for a diagram; a fresh parser each time (3.2.0 lane-cache bug)."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(xml, filename=filename)
    return parser.get_spec(key), parser.get_subprocess_specs(key)


def load_definition(filename: str, xml: bytes, read_form: FormReader) -> ProcessDefinition:
    """Validate one diagram and its forms; raise DiagramError listing every problem found."""
    root = _safe_parse(xml, filename)
    processes = [p for p in root.findall(_q("process")) if p.get("isExecutable", "false") == "true"]
    key = Path(filename).stem
    if len(processes) != 1:
        raise DiagramError([Problem(filename, f"expected one executable process, found {len(processes)}")])
    process = processes[0]
    if process.get("id") != key:
        raise DiagramError(
            [
                Problem(
                    filename,
                    f"process id {process.get('id')!r} must equal the file name {key!r}",
                    process.get("id"),
                    process.sourceline,
                )
            ]
        )
    unsupported = _unsupported_constructs(filename, process)
    if unsupported:
        raise DiagramError(unsupported)
    try:
        spec, subprocess_specs = parse_specs(xml, key, filename)
    except ValidationException as exc:
        reason = str(exc).splitlines()[0].strip()
        raise DiagramError(
            [
                Problem(
                    filename,
                    reason,
                    getattr(exc, "id", None),
                    getattr(exc, "line_number", None) or getattr(exc, "sourceline", None),
                )
            ]
        ) from None
    elements, lanes_of = _catalogue(process)
    problems = _check_conventions(filename, process, elements, lanes_of)
    forms, form_problems = _load_forms(filename, elements, read_form)
    problems += form_problems
    problems += _active_content(filename, root, elements, forms)
    problems += _check_start_form(filename, process, elements, forms)
    problems += _lint_code(filename, [spec, *subprocess_specs.values()], elements)
    if problems:
        raise DiagramError(problems)
    digest = hashlib.sha256(xml)
    for path in sorted(forms):
        digest.update(path.encode() + json.dumps(forms[path], sort_keys=True).encode())
    return ProcessDefinition(
        key=key,
        name=process.get("name") or key,
        filename=filename,
        xml=xml,
        content_hash=digest.hexdigest(),
        elements=elements,
        forms=forms,
    )


def load_directory(directory: str | Path) -> list[ProcessDefinition]:
    """Validate every ``*.bpmn`` in ``directory``; if any is bad, refuse them all."""
    base = Path(directory)

    def read_form(path: str) -> bytes:
        target = (base / path).resolve()
        if base.resolve() not in target.parents:
            raise FileNotFoundError(path)
        return target.read_bytes()

    definitions, problems = [], []
    for path in sorted(base.glob("*.bpmn")):
        try:
            definitions.append(load_definition(path.name, path.read_bytes(), read_form))
        except DiagramError as exc:
            problems += exc.problems
    if problems:
        raise DiagramError(problems)
    return definitions
