"""The element catalogue of a diagram: each flow node of the process as an ``ElementInfo``.

Read from the XML, not from SpiffWorkflow's specs: id, type, name, line, lane and the role it
names, spiffworkflow properties, boundary attachment, timer expression (and whether it counts
working time), message name, instructions. Also the BPMN names the other diagram readers share.
"""

from __future__ import annotations

import ast

from lxml import etree

from ..domain.roles import role_of_lane
from .definitions import ElementInfo
from .external_tasks import TOPIC_PROPERTY
from .external_tasks import topic_of
from .foreign_forms import role_named
from .safe_xml import parse_untrusted
from .scripting import ScriptRejected
from .scripting import parse_sandboxed

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
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
WORKING_TIME_HELPERS = frozenset({"add_working_days", "add_working_hours"})

Lanes = dict[str, list[str]]  # element id -> ids of the lanes that list it


def q(tag: str) -> str:
    """The qualified name of a BPMN tag."""
    return f"{{{BPMN}}}{tag}"


def is_flow_node(node: etree._Element) -> bool:
    if not isinstance(node.tag, str):  # a comment or processing instruction
        return False
    name = etree.QName(node)
    return name.namespace == BPMN and name.localname in FLOW_NODES


def _properties(node: etree._Element) -> dict[str, str]:
    props = {}
    ext = node.find(q("extensionElements"))
    if ext is not None:
        for prop in ext.iter(f"{{{SPIFF}}}property"):
            if prop.get("name"):
                props[prop.get("name")] = prop.get("value", "")
    return props


def _instructions(node: etree._Element) -> str | None:
    ext = node.find(q("extensionElements"))
    found = ext.find(f"{{{SPIFF}}}instructionsForEndUser") if ext is not None else None
    return found.text.strip() if found is not None and found.text else None


def _timer_expression(node: etree._Element) -> str | None:
    timer = node.find(q("timerEventDefinition"))
    if timer is None:
        return None
    for kind in ("timeDuration", "timeDate", "timeCycle"):
        expr = timer.find(q(kind))
        if expr is not None:
            return (expr.text or "").strip()
    return ""


def _calls_working_time(tree: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in WORKING_TIME_HELPERS
        for n in ast.walk(tree)
    )


def _working_time_variables(process: etree._Element) -> set[str]:
    """Case variables that some script of the process computes with the work calendar."""
    names: set[str] = set()
    sources = [n.text for n in process.iter(q("script"))]
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
    definition = node.find(q("messageEventDefinition"))
    if definition is None:
        return None
    ref = definition.get("messageRef")
    return messages.get(ref, ref)


def lanes_of(process: etree._Element) -> Lanes:
    """For each element id, the lanes that list it (a well-formed diagram has exactly one)."""
    lanes: Lanes = {}
    for lane in process.iter(q("lane")):
        for ref in lane.findall(q("flowNodeRef")):
            lanes.setdefault((ref.text or "").strip(), []).append(lane.get("id"))
    return lanes


def catalogue(process: etree._Element, lanes: Lanes) -> dict[str, ElementInfo]:
    """Every flow node of ``process`` (subprocesses included), by id, in document order."""
    working_variables = _working_time_variables(process)
    root = process.getroottree().getroot()
    messages = {m.get("id"): m.get("name") or m.get("id") for m in root.iter(q("message"))}
    elements = {}
    for node in filter(is_flow_node, process.iter()):
        in_lanes = lanes.get(node.get("id"), [])
        lane = in_lanes[0] if len(in_lanes) == 1 else None
        timer = _timer_expression(node)
        elements[node.get("id")] = ElementInfo(
            id=node.get("id"),
            type=etree.QName(node).localname,
            name=(node.get("name") or "").strip(),
            line=node.sourceline,
            lane=lane,
            role=role_of_lane(lane),
            properties=_properties(node) | ({TOPIC_PROPERTY: topic} if (topic := topic_of(node)) else {}),
            attached_to=node.get("attachedToRef"),
            cancel_activity=node.get("cancelActivity", "true") != "false",
            timer=timer,
            working_time=_timer_uses_working_time(timer, working_variables),
            message=_message_name(node, messages),
            instructions=_instructions(node),
            in_subprocess=any(etree.QName(a).localname in ("subProcess", "transaction") for a in node.iterancestors()),
        )
    return elements


def diagram_lanes(xml: bytes, key: str) -> list[tuple[str, str, str | None]]:
    """(lane id, lane name, the role the diagram itself gives it) for each lane of process ``key``:
    its id (lane_<role>) or its name ("Technician") naming a role, else None."""
    process = next((p for p in parse_untrusted(xml).findall(q("process")) if p.get("id") == key), None)
    lanes = process.iter(q("lane")) if process is not None else []
    return [
        (lane.get("id"), lane.get("name") or "", role_of_lane(lane.get("id")) or role_named(lane.get("name")))
        for lane in lanes
        if lane.get("id")
    ]
