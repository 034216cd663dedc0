"""Writes a small process diagram (semantics and DI) from a layout table: lanes as bands, nodes on a
grid of columns, boundary timers on their task's lower edge, flows as orthogonal edges.

Used for processes/refund.bpmn and processes/recall.bpmn (``python docs/diagram_scripts/refund.py``):
coordinates are computed, never guessed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from xml.sax.saxutils import escape
from xml.sax.saxutils import quoteattr

LANE_HEIGHT = 200
LEFT = 150
LANE_LABEL = 30
COLUMN = 190
FIRST_COLUMN = LEFT + LANE_LABEL + 60
SIZES = {
    "startEvent": (36, 36),
    "endEvent": (36, 36),
    "userTask": (150, 80),
    "scriptTask": (150, 80),
    "exclusiveGateway": (50, 50),
    "boundaryEvent": (36, 36),
}


@dataclass
class Node:
    id: str
    kind: str
    name: str
    lane: str
    column: float
    inner: str = ""  # XML after incoming/outgoing (event definitions, the script)
    ext: str = ""  # XML before them (extensionElements)
    attrs: dict[str, str] = field(default_factory=dict)
    attached_to: str | None = None


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None


def _bounds(node: Node, lanes: list[tuple[str, str]], nodes: dict[str, Node]) -> tuple[int, int, int, int]:
    w, h = SIZES[node.kind]
    if node.attached_to:
        x, y, tw, th = _bounds(nodes[node.attached_to], lanes, nodes)
        return x + tw - w - 10, y + th - h // 2, w, h
    lane_index = [lane for lane, _ in lanes].index(node.lane)
    centre_x = FIRST_COLUMN + node.column * COLUMN
    centre_y = 80 + lane_index * LANE_HEIGHT + LANE_HEIGHT // 2
    return int(centre_x - w / 2), int(centre_y - h / 2), w, h


def _edge(flow: Flow, box: dict[str, tuple[int, int, int, int]]) -> list[tuple[int, int]]:
    sx, sy, sw, sh = box[flow.source]
    tx, ty, tw, th = box[flow.target]
    s_mid, t_mid = (sx + sw // 2, sy + sh // 2), (tx + tw // 2, ty + th // 2)
    if abs(s_mid[1] - t_mid[1]) < 2:  # same row: straight across
        if t_mid[0] >= s_mid[0]:
            return [(sx + sw, s_mid[1]), (tx, t_mid[1])]
        return [(s_mid[0], sy), (s_mid[0], sy - 40), (t_mid[0], sy - 40), (t_mid[0], ty)]
    start = (s_mid[0], sy + sh) if t_mid[1] > s_mid[1] else (s_mid[0], sy)
    if abs(s_mid[0] - t_mid[0]) < 2:
        return [start, (t_mid[0], ty if t_mid[1] > s_mid[1] else ty + th)]
    return [start, (s_mid[0], t_mid[1]), (tx if t_mid[0] > s_mid[0] else tx + tw, t_mid[1])]


def write(
    path: str,
    process_id: str,
    name: str,
    lanes: list[tuple[str, str]],
    nodes: list[Node],
    flows: list[Flow],
    messages: list[str] = (),
) -> None:
    by_id = {n.id: n for n in nodes}
    incoming: dict[str, list[str]] = {n.id: [] for n in nodes}
    outgoing: dict[str, list[str]] = {n.id: [] for n in nodes}
    for f in flows:
        outgoing[f.source].append(f.id)
        incoming[f.target].append(f.id)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        f'id="{process_id}_definitions" targetNamespace="http://bpmn.io/schema/bpmn" '
        'exporter="docs/diagram_scripts (SpiffWorkflow flavour)" exporterVersion="1.0">',
    ]
    out += [f'  <bpmn:message id="{m}" name="{m}" />' for m in messages]
    out += [
        f'  <bpmn:collaboration id="{process_id}_collaboration">',
        f'    <bpmn:participant id="{process_id}_participant" name={quoteattr(name)} processRef="{process_id}" />',
        "  </bpmn:collaboration>",
        f'  <bpmn:process id="{process_id}" name={quoteattr(name)} isExecutable="true">',
        f'    <bpmn:laneSet id="{process_id}_lanes">',
    ]
    for lane, lane_name in lanes:
        out.append(f'      <bpmn:lane id="{lane}" name={quoteattr(lane_name)}>')
        out += [f"        <bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>" for n in nodes if n.lane == lane]
        out.append("      </bpmn:lane>")
    out.append("    </bpmn:laneSet>")
    for n in nodes:
        attrs = {"id": n.id, "name": n.name, **n.attrs}
        if n.attached_to:
            attrs.setdefault("cancelActivity", "false")
            attrs["attachedToRef"] = n.attached_to
        text = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
        out.append(f"    <bpmn:{n.kind} {text}>")
        if n.ext.strip():
            out.append(n.ext.rstrip())
        rest = n.inner
        out += [f"      <bpmn:incoming>{f}</bpmn:incoming>" for f in incoming[n.id]]
        out += [f"      <bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing[n.id]]
        if rest.strip():
            out.append(rest.rstrip())
        out.append(f"    </bpmn:{n.kind}>")
    for f in flows:
        label = f" name={quoteattr(f.name)}" if f.name else ""
        head = f'    <bpmn:sequenceFlow id="{f.id}"{label} sourceRef="{f.source}" targetRef="{f.target}"'
        if f.condition:
            out.append(head + ">")
            out.append(
                f'      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(f.condition)}'
                "</bpmn:conditionExpression>"
            )
            out.append("    </bpmn:sequenceFlow>")
        else:
            out.append(head + " />")
    out.append("  </bpmn:process>")
    box = {n.id: _bounds(n, lanes, by_id) for n in nodes}
    width = int(max(x + w for x, _, w, _ in box.values()) + 160 - LEFT)
    out += [
        f'  <bpmndi:BPMNDiagram id="{process_id}_diagram">',
        f'    <bpmndi:BPMNPlane id="{process_id}_plane" bpmnElement="{process_id}_collaboration">',
        f'      <bpmndi:BPMNShape id="{process_id}_participant_di" bpmnElement="{process_id}_participant" '
        f'isHorizontal="true">',
        f'        <dc:Bounds x="{LEFT}" y="80" width="{width}" height="{LANE_HEIGHT * len(lanes)}" />',
        "      </bpmndi:BPMNShape>",
    ]
    for i, (lane, _) in enumerate(lanes):
        out += [
            f'      <bpmndi:BPMNShape id="{lane}_di" bpmnElement="{lane}" isHorizontal="true">',
            f'        <dc:Bounds x="{LEFT + LANE_LABEL}" y="{80 + i * LANE_HEIGHT}" width="{width - LANE_LABEL}" '
            f'height="{LANE_HEIGHT}" />',
            "      </bpmndi:BPMNShape>",
        ]
    for n in nodes:
        x, y, w, h = box[n.id]
        marker = ' isMarkerVisible="true"' if n.kind == "exclusiveGateway" else ""
        out += [
            f'      <bpmndi:BPMNShape id="{n.id}_di" bpmnElement="{n.id}"{marker}>',
            f'        <dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" />',
        ]
        if n.kind not in ("userTask", "scriptTask"):  # events and gateways: the label below the shape
            out += [
                "        <bpmndi:BPMNLabel>",
                f'          <dc:Bounds x="{x + w // 2 - 55}" y="{y + h + 4}" width="110" height="42" />',
                "        </bpmndi:BPMNLabel>",
            ]
        out.append("      </bpmndi:BPMNShape>")
    for f in flows:
        points = _edge(f, box)
        out.append(f'      <bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">')
        out += [f'        <di:waypoint x="{px}" y="{py}" />' for px, py in points]
        if f.name:
            (ax, ay), (bx, by) = points[0], points[1]
            out += [
                "        <bpmndi:BPMNLabel>",
                f'          <dc:Bounds x="{min(ax, bx) + 6}" y="{min(ay, by) + 4}" width="110" height="28" />',
                "        </bpmndi:BPMNLabel>",
            ]
        out.append("      </bpmndi:BPMNEdge>")
    out += ["    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>", "</bpmn:definitions>", ""]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(out))
