"""Diagrams a process owner starts in the browser: a blank pool with lanes, a copy of another
procedure under a new key, and the lint of one piece of diagram code as it is typed.

The blank pool holds a start event joined to an end event in its first lane, laid out (BPMN DI)
so the modeler shows it tidily; the copy keeps every element and renames only the process (its
id, name and the pool's reference) and the form paths under ``forms/<key>/``.
"""

from __future__ import annotations

from enum import StrEnum
from xml.sax.saxutils import quoteattr

from lxml import etree

from ..domain.diagram_problems import problem
from ..errors import Problem
from .safe_xml import parse_untrusted
from .script_lint import lint_one

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
FORM_PROPERTY = "formJsonSchemaFilename"

POOL_X, POOL_Y, POOL_WIDTH, LANE_HEIGHT, HEADER = 160, 80, 800, 150, 30
EVENT = 36


class CodeKind(StrEnum):
    """What a piece of diagram code is: its compile mode and whether an ISO 8601 literal is allowed."""

    SCRIPT = "script"  # a script task's script, a pre- or post-script: statements
    CONDITION = "condition"  # a sequence flow's condition: an expression
    TIMER = "timer"  # a timer's expression: an ISO 8601 literal or an expression


def blank_diagram(key: str, name: str, lanes: list[tuple[str, str]]) -> str:
    """A pool named ``name`` for process ``key`` with ``lanes`` ((id, name), top to bottom), a start
    event joined to an end event in the first lane."""
    height = LANE_HEIGHT * len(lanes)
    mid = POOL_Y + LANE_HEIGHT // 2
    start_x, end_x = POOL_X + HEADER + 60, POOL_X + POOL_WIDTH - 80
    lane_xml, lane_di = [], []
    for n, (lane_id, lane_name) in enumerate(lanes):
        refs = "<bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>" if n == 0 else ""
        lane_xml.append(f"<bpmn:lane id={quoteattr(lane_id)} name={quoteattr(lane_name)}>{refs}</bpmn:lane>")
        lane_di.append(
            f'<bpmndi:BPMNShape id="{lane_id}_di" bpmnElement="{lane_id}" isHorizontal="true">'
            f'<dc:Bounds x="{POOL_X + HEADER}" y="{POOL_Y + n * LANE_HEIGHT}" width="{POOL_WIDTH - HEADER}" '
            f'height="{LANE_HEIGHT}"/></bpmndi:BPMNShape>'
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN}" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:spiffworkflow="{SPIFF}" id="{key}_definitions" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="{key}_collaboration">
    <bpmn:participant id="{key}_participant" name={quoteattr(name)} processRef="{key}"/>
  </bpmn:collaboration>
  <bpmn:process id="{key}" name={quoteattr(name)} isExecutable="true">
    <bpmn:laneSet id="{key}_lanes">{"".join(lane_xml)}</bpmn:laneSet>
    <bpmn:startEvent id="start" name="开始 / Start"><bpmn:outgoing>flow_start_end</bpmn:outgoing></bpmn:startEvent>
    <bpmn:endEvent id="end" name="结束 / End"><bpmn:incoming>flow_start_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_start_end" sourceRef="start" targetRef="end"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="{key}_diagram">
    <bpmndi:BPMNPlane id="{key}_plane" bpmnElement="{key}_collaboration">
      <bpmndi:BPMNShape id="{key}_participant_di" bpmnElement="{key}_participant" isHorizontal="true">
        <dc:Bounds x="{POOL_X}" y="{POOL_Y}" width="{POOL_WIDTH}" height="{height}"/></bpmndi:BPMNShape>
      {"".join(lane_di)}
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="{start_x}" y="{mid - EVENT // 2}" width="{EVENT}" height="{EVENT}"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end">
        <dc:Bounds x="{end_x}" y="{mid - EVENT // 2}" width="{EVENT}" height="{EVENT}"/></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_start_end_di" bpmnElement="flow_start_end">
        <di:waypoint x="{start_x + EVENT}" y="{mid}"/><di:waypoint x="{end_x}" y="{mid}"/></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def copied_diagram(xml: str, old_key: str, new_key: str, name: str) -> str:
    """``xml`` (the diagram of process ``old_key``) as process ``new_key`` named ``name``: the
    process and the pools that reference it are renamed, form paths ``forms/<old_key>/`` moved
    to ``forms/<new_key>/``; every other element stays as it is."""
    root = parse_untrusted(xml.encode("utf-8"))
    for process in root.iter(f"{{{BPMN}}}process"):
        if process.get("id") == old_key:
            process.set("id", new_key)
            process.set("name", name)
    for participant in root.iter(f"{{{BPMN}}}participant"):
        if participant.get("processRef") == old_key:
            participant.set("processRef", new_key)
            participant.set("name", name)
    old_prefix, new_prefix = f"forms/{old_key}/", f"forms/{new_key}/"
    for prop in root.iter(f"{{{SPIFF}}}property"):
        value = prop.get("value") or ""
        if prop.get("name") == FORM_PROPERTY and value.startswith(old_prefix):
            prop.set("value", new_prefix + value.removeprefix(old_prefix))
    return etree.tostring(root, encoding="unicode", xml_declaration=False)


def lint_code(code: str, kind: CodeKind, filename: str = "", element_id: str | None = None) -> list[Problem]:
    """The problems the deploy's sandbox lint would report for this one piece of code."""
    mode = "exec" if kind is CodeKind.SCRIPT else "eval"
    what = {CodeKind.SCRIPT: "script", CodeKind.CONDITION: "condition", CodeKind.TIMER: "timer expression"}[kind]
    faults = lint_one(code, mode, {"what": what}, kind is CodeKind.TIMER)
    return [problem(filename, fault, element_id, **params) for fault, params in faults]


def process_name(xml: str, key: str) -> str | None:
    """The name of process ``key`` in ``xml`` (a draft, which may be broken: None then)."""
    try:
        root = parse_untrusted(xml.encode("utf-8"))
    except ValueError:
        return None
    for process in root.iter(f"{{{BPMN}}}process"):
        if process.get("id") == key:
            return process.get("name")
    return None
