"""The validation rules a diagram must pass to deploy, as a table run in order.

Each ``Rule`` has a stable id, a kind (a ``CONVENTION`` of this project, docs/diagram-conventions.md,
or an ``ENGINE`` limit: what SpiffWorkflow cannot run, or what is unsafe), and whether its failure
stops the later rules (they would read what it refused). Its check reads a ``DiagramContext`` and
returns ``Problem`` rows; ``run_rules`` stamps each row with the rule's id and its kind's severity:
a convention is advice (a warning, bpmnlint-style) unless the deploy is strict, an engine limit
always refuses the diagram.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from ..domain.diagram_problems import problem
from ..domain.roles import role_of_lane
from ..errors import Problem
from ..errors import Severity
from .called_processes import call_graph
from .catalogue import q
from .definitions import FORM_PROPERTY
from .definitions import SAME_PERFORMER_PROPERTY
from .definitions import ElementInfo
from .diagram_context import DiagramContext
from .diagram_forms import extra_start_forms
from .diagram_forms import field_problems
from .diagram_forms import markup_problems
from .diagram_forms import misplaced_start_forms
from .diagram_forms import open_start_forms
from .foreign_forms import has_camunda_fields
from .name_lint import helper_call_problems
from .name_lint import undefined_names
from .problem_folding import fold_consequences
from .script_lint import sandbox_problems
from .script_lint import timer_literal_problems
from .spiff_messages import plain

RESERVED_IDS = frozenset({"Start", "End", "Root"})
UNSUPPORTED = {  # parse fine in SpiffWorkflow 3.2.0 but misbehave at run time (tag -> message code)
    "linkEventDefinition": "link-event",
    "compensateEventDefinition": "compensation",
    "complexGateway": "complex-gateway",
}
# Namespaces whose elements a browser renders and runs (an <html:script> in extensionElements).
ACTIVE_NAMESPACES = {
    "http://www.w3.org/1999/xhtml": "XHTML",
    "http://www.w3.org/2000/svg": "SVG",
    "http://www.w3.org/1998/Math/MathML": "MathML",
}


class RuleKind(enum.Enum):
    CONVENTION = "convention"  # a house rule of this project
    ENGINE = "engine"  # what SpiffWorkflow cannot run, or what is unsafe


@dataclass(frozen=True)
class Rule:
    id: str
    kind: RuleKind
    stops: bool
    check: Callable[[DiagramContext], list[Problem]]


def run_rules(ctx: DiagramContext) -> list[Problem]:
    """Every problem the rules find, in rule order; none after a stopping rule that failed.
    A convention's problems are warnings (``Severity.WARNING``), an engine limit's errors."""
    problems: list[Problem] = []
    for rule in RULES:
        severity = Severity.WARNING if rule.kind is RuleKind.CONVENTION else Severity.ERROR
        found = [replace(p, rule=rule.id, severity=severity) for p in rule.check(ctx)]
        problems += found
        if found and rule.stops:
            break
    return fold_consequences(ctx, problems)


def _on(ctx: DiagramContext, info: ElementInfo, code: str, **params: object) -> Problem:
    return problem(ctx.filename, code, info.id, info.line, **params)


def _on_node(ctx: DiagramContext, node: etree._Element, code: str, **params: object) -> Problem:
    return problem(ctx.filename, code, node.get("id"), node.sourceline, **params)


def an_executable_process(ctx: DiagramContext) -> list[Problem]:
    if ctx.executable_processes:
        return []
    return [problem(ctx.filename, "no-executable-process")]


def process_id_is_file_name(ctx: DiagramContext) -> list[Problem]:
    """The key is the process id; a file named otherwise is harder to find again."""
    stem = ctx.filename.rsplit("/", 1)[-1].removesuffix(".bpmn")
    if ctx.key == stem:
        return []
    return [_on_node(ctx, ctx.process, "process-id-not-file-name", key=repr(ctx.key), stem=repr(stem))]


def unsupported_construct(ctx: DiagramContext) -> list[Problem]:
    """What SpiffWorkflow 3.2.0 cannot run, named plainly. Checked before its parser, which refuses a
    compensation or a complex gateway with a message that names neither (and accepts link events)."""
    problems = []
    for tag, code in UNSUPPORTED.items():
        for node in ctx.process.iter(q(tag)):
            owner = node.getparent() if tag.endswith("EventDefinition") else node
            problems.append(
                problem(ctx.filename, code, owner.get("id") if owner is not None else None, node.sourceline)
            )
    return problems


def spiffworkflow_parses(ctx: DiagramContext) -> list[Problem]:
    """The BPMN 2.0 + spiffworkflow XSD and SpiffWorkflow's parser accept the diagram."""
    try:
        ctx.specs  # noqa: B018 - parsing is the check; the specs are kept for the lint
    except ValidationException as exc:
        line = getattr(exc, "line_number", None) or getattr(exc, "sourceline", None)
        return [problem(ctx.filename, "spiffworkflow-refused", getattr(exc, "id", None), line, detail=plain(str(exc)))]
    except (NotImplementedError, KeyError, AttributeError, TypeError, ValueError) as exc:  # SpiffWorkflow's own crash
        return [problem(ctx.filename, "spiffworkflow-refused", detail=plain(str(exc) or type(exc).__name__))]
    return []


def call_not_recursive(ctx: DiagramContext) -> list[Problem]:
    """No call activity leads back to a process that is calling it: SpiffWorkflow would open calls
    without end and hang the worker that starts the case."""
    calls = call_graph(iter([ctx.root, *(root for _f, root in ctx.called_files.values())]))
    problems = []

    def visit(process_id: str, path: tuple[str, ...]) -> None:
        for node, called in calls.get(process_id, []):
            if called in path or called == process_id:
                file = ctx.filename if node.getroottree() is ctx.root.getroottree() else _file_of(ctx, node)
                # in a file it calls: the problem is named on that file
                problems.append(problem(file, "recursive-call", node.get("id"), node.sourceline, called=repr(called)))
            elif called in calls:
                visit(called, (*path, process_id))

    visit(ctx.key, ())
    return list(dict.fromkeys(problems))


def _file_of(ctx: DiagramContext, node: etree._Element) -> str:
    tree = node.getroottree()
    return next((n for n, (_f, root) in ctx.called_files.items() if root.getroottree() is tree), ctx.filename)


def script_task_has_script(ctx: DiagramContext) -> list[Problem]:
    """A script task runs Python written in the diagram: not an external resource, nor another language."""
    problems = []
    for node in ctx.process.iter(q("scriptTask")):
        language = (node.get("scriptFormat") or "python").strip().lower()
        script = node.find(q("script"))
        if language not in ("python", "py", "text/x-python"):
            problems.append(_on_node(ctx, node, "script-language", language=repr(language)))
        elif script is None or not (script.text or "").strip():
            problems.append(_on_node(ctx, node, "script-missing"))
    return problems


def lane_names_role(ctx: DiagramContext) -> list[Problem]:
    """Each lane names a role by its id (lane_<role>) or has one in the process owner's mapping."""
    return [
        _on_node(ctx, lane, "lane-no-role", lane=repr(lane.get("id")))
        for lane in ctx.process.iter(q("lane"))
        if role_of_lane(lane.get("id")) is None and lane.get("id") not in ctx.mapped_lanes
    ]


def element_id_not_reserved(ctx: DiagramContext) -> list[Problem]:
    return [
        _on(ctx, info, "element-id-reserved", id=repr(info.id))
        for info in ctx.elements.values()
        if info.id in RESERVED_IDS
    ]


def element_named(ctx: DiagramContext) -> list[Problem]:
    return [_on(ctx, info, "element-unnamed", type=info.type) for info in ctx.elements.values() if not info.name]


def element_in_one_lane(ctx: DiagramContext) -> list[Problem]:
    """In a diagram with lanes, each element sits in exactly one (a diagram without lanes is fine)."""
    if not ctx.has_lanes:
        return []
    return [
        _on(ctx, info, "element-lanes", type=info.type, count=len(ctx.lanes.get(info.id, [])))
        for info in ctx.elements.values()
        if len(ctx.lanes.get(info.id, [])) != 1
    ]


def user_task_form(ctx: DiagramContext) -> list[Problem]:
    with_fields = {n.get("id") for n in ctx.process.iter(q("userTask")) if has_camunda_fields(n)}
    return [
        _on(
            ctx,
            info,
            "user-task-no-form-camunda" if info.id in with_fields else "user-task-no-form",
            property=FORM_PROPERTY,
        )
        for info in ctx.elements.values()
        if info.type == "userTask" and not info.form
    ]


def same_performer_known(ctx: DiagramContext) -> list[Problem]:
    """A user task's ``same_performer_as`` names another user task of the diagram, whose performer
    in the case gets this one too (an unknown step would leave the task to its lane unnoticed)."""
    problems = []
    for info in ctx.elements.values():
        step = info.properties.get(SAME_PERFORMER_PROPERTY)
        if info.type != "userTask" or step is None:
            continue
        other = ctx.elements.get(step)
        if other is None or other.type != "userTask" or other.id == info.id:
            problems.append(_on(ctx, info, "same-performer-unknown", property=SAME_PERFORMER_PROPERTY, step=repr(step)))
    return problems


def user_task_in_role_lane(ctx: DiagramContext) -> list[Problem]:
    """A user task whose role nothing names (lane, lane name, Camunda groups): only an administrator
    may work it."""
    return [
        _on(ctx, info, "user-task-no-role")
        for info in ctx.deployed[0].values()
        if info.type == "userTask" and info.role is None
    ]


def flow_incoming(ctx: DiagramContext) -> list[Problem]:
    return [
        _on(ctx, info, "no-incoming-flow", type=info.type)
        for info in ctx.elements.values()
        if info.type not in ("startEvent", "boundaryEvent") and info.id not in ctx.flow_targets
    ]


def flow_outgoing(ctx: DiagramContext) -> list[Problem]:
    return [
        _on(ctx, info, "no-outgoing-flow", type=info.type)
        for info in ctx.elements.values()
        if info.type != "endEvent" and info.id not in ctx.flow_sources
    ]


def reachable_from_start(ctx: DiagramContext) -> list[Problem]:
    """Scope by scope, each element a flow leads to can be reached from a start event (no islands).
    An element no flow leads to is ``flow-incoming``'s."""
    problems = []
    for scope in ctx.reaches:
        for info in (ctx.elements[n] for n in scope.nodes if n not in scope.reached):
            if info.id in ctx.flow_targets or info.type == "boundaryEvent":
                problems.append(_on(ctx, info, "unreachable", type=info.type))
    return problems


def path_to_end(ctx: DiagramContext) -> list[Problem]:
    """Scope by scope, each reachable element can reach an end event (no loop without a way out).
    An element with no outgoing flow is ``flow-outgoing``'s."""
    problems = []
    for scope in ctx.reaches:
        for info in (ctx.elements[n] for n in scope.nodes if n in scope.reached and n not in scope.finishing):
            if info.id in ctx.flow_sources or info.type == "endEvent":
                problems.append(_on(ctx, info, "no-path-to-end", type=info.type))
    return problems


def gateway_default_flow(ctx: DiagramContext) -> list[Problem]:
    gateways = [*ctx.process.iter(q("exclusiveGateway")), *ctx.process.iter(q("inclusiveGateway"))]
    return [
        _on_node(ctx, gateway, "gateway-no-default")
        for gateway in gateways
        if len(gateway.findall(q("outgoing"))) > 1 and not gateway.get("default")
    ]


def form_valid(ctx: DiagramContext) -> list[Problem]:
    """Each form named exists and is valid JSON Schema of an object."""
    return ctx.form_loading[1]


def no_active_content(ctx: DiagramContext) -> list[Problem]:
    """No markup a browser would run or render, nor a style sheet (the pages show diagrams safely
    anyway: this keeps a diagram what it says it is, and its author told)."""
    problems = []
    for node in ctx.root.iter():
        if isinstance(node.tag, str) and etree.QName(node).namespace in ACTIVE_NAMESPACES:
            kind, tag = ACTIVE_NAMESPACES[etree.QName(node).namespace], etree.QName(node).localname
            owner = next((a.get("id") for a in node.iterancestors() if a.get("id")), None)
            problems.append(problem(ctx.filename, "active-content", owner, node.sourceline, kind=kind, tag=tag))
    for pi in [*ctx.root.itersiblings(etree.PI, preceding=True), *ctx.root.iter(etree.PI)]:
        if pi.target == "xml-stylesheet":
            problems.append(problem(ctx.filename, "style-sheet", line=pi.sourceline))
    return problems


def form_field_keywords(ctx: DiagramContext) -> list[Problem]:
    return field_problems(ctx.filename, ctx.elements, ctx.forms)


def form_plain_text(ctx: DiagramContext) -> list[Problem]:
    return markup_problems(ctx.filename, ctx.elements, ctx.forms)


def start_form_on_process_start(ctx: DiagramContext) -> list[Problem]:
    return misplaced_start_forms(ctx.filename, ctx.process, ctx.elements)


def start_form_closed(ctx: DiagramContext) -> list[Problem]:
    return open_start_forms(ctx.filename, ctx.elements, ctx.forms)


def one_start_form(ctx: DiagramContext) -> list[Problem]:
    return extra_start_forms(ctx.filename, ctx.elements)


def script_sandbox(ctx: DiagramContext) -> list[Problem]:
    return sandbox_problems(ctx.filename, ctx.spec_list, ctx.elements)


def timer_iso8601(ctx: DiagramContext) -> list[Problem]:
    return timer_literal_problems(ctx.filename, ctx.spec_list, ctx.elements)


def helper_call(ctx: DiagramContext) -> list[Problem]:
    return helper_call_problems(ctx.filename, ctx.spec_list, ctx.elements)


def name_defined(ctx: DiagramContext) -> list[Problem]:
    """Each name diagram code reads is defined somewhere (unknowable while a form does not load)."""
    if ctx.form_loading[1]:
        return []
    return undefined_names(ctx.filename, ctx.spec_list, ctx.elements, ctx.root, ctx.deployed[1])


CONVENTION, ENGINE = RuleKind.CONVENTION, RuleKind.ENGINE
RULES: tuple[Rule, ...] = (
    # Stopping rules first: the rules after them read the one process and SpiffWorkflow's specs.
    Rule("an-executable-process", ENGINE, True, an_executable_process),
    Rule("unsupported-construct", ENGINE, True, unsupported_construct),
    Rule("call-not-recursive", ENGINE, True, call_not_recursive),
    Rule("script-task-has-script", ENGINE, True, script_task_has_script),
    Rule("spiffworkflow-parses", ENGINE, True, spiffworkflow_parses),
    Rule("process-id-is-file-name", CONVENTION, False, process_id_is_file_name),
    Rule("lane-names-role", CONVENTION, False, lane_names_role),
    Rule("element-id-not-reserved", ENGINE, False, element_id_not_reserved),
    Rule("element-named", CONVENTION, False, element_named),
    Rule("element-in-one-lane", CONVENTION, False, element_in_one_lane),
    Rule("user-task-form", CONVENTION, False, user_task_form),
    Rule("user-task-in-role-lane", CONVENTION, False, user_task_in_role_lane),
    Rule("same-performer-known", ENGINE, False, same_performer_known),
    Rule("flow-incoming", CONVENTION, False, flow_incoming),
    Rule("flow-outgoing", CONVENTION, False, flow_outgoing),
    Rule("reachable-from-start", CONVENTION, False, reachable_from_start),
    Rule("path-to-end", CONVENTION, False, path_to_end),
    Rule("gateway-default-flow", CONVENTION, False, gateway_default_flow),
    Rule("form-valid", ENGINE, False, form_valid),
    Rule("no-active-content", ENGINE, False, no_active_content),
    Rule("form-plain-text", ENGINE, False, form_plain_text),
    Rule("form-field-keywords", ENGINE, False, form_field_keywords),
    Rule("start-form-on-process-start", ENGINE, False, start_form_on_process_start),
    Rule("start-form-closed", ENGINE, False, start_form_closed),
    Rule("one-start-form", ENGINE, False, one_start_form),
    Rule("script-sandbox", ENGINE, False, script_sandbox),
    Rule("timer-iso8601", ENGINE, False, timer_iso8601),
    Rule("helper-call", ENGINE, False, helper_call),
    Rule("name-defined", CONVENTION, False, name_defined),
)
