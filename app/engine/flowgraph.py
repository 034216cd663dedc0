"""The flow graph of a deployed diagram version, as plain data (domain/flowgraph.py).

Read from the version's BPMN XML with the loader's safe parser, ``parse_diagram`` (no DTDs, no
entities, size limit):
flow nodes of the executable process with their subprocess parent, boundary attachment, loop and
terminate markers, and every sequence flow. The deployed XML has passed the loader's validation,
so this only reads it.
"""

from __future__ import annotations

from lxml import etree

from ..domain.flowgraph import FlowEdge
from ..domain.flowgraph import FlowGraph
from ..domain.flowgraph import FlowNode
from .catalogue import BPMN
from .catalogue import FLOW_NODES
from .catalogue import q
from .loader import parse_diagram

NODE_TAGS = FLOW_NODES | {"transaction", "complexGateway"}
LOOPS = (q("standardLoopCharacteristics"), q("multiInstanceLoopCharacteristics"))


def _parent(node: etree._Element, process: etree._Element) -> str | None:
    for ancestor in node.iterancestors():
        if ancestor is process:
            return None
        if etree.QName(ancestor).localname in ("subProcess", "transaction"):
            return ancestor.get("id")
    return None


def flow_graph(xml: bytes, process_key: str, filename: str | None = None) -> FlowGraph:
    """The flow graph of the executable process ``process_key`` in ``xml``."""
    root = parse_diagram(xml, filename or f"{process_key}.bpmn")
    process = next(
        (p for p in root.findall(q("process")) if p.get("id") == process_key),
        None,
    )
    if process is None:
        process = next(p for p in root.findall(q("process")) if p.get("isExecutable", "false") == "true")
    nodes: dict[str, FlowNode] = {}
    edges: list[FlowEdge] = []
    for node in process.iter():
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN:
            continue
        tag = etree.QName(node).localname
        if tag == "sequenceFlow":
            edges.append(FlowEdge(node.get("id"), node.get("sourceRef"), node.get("targetRef")))
            continue
        if tag not in NODE_TAGS:
            continue
        nodes[node.get("id")] = FlowNode(
            id=node.get("id"),
            type=tag,
            name=(node.get("name") or "").strip(),
            attached_to=node.get("attachedToRef"),
            interrupting=node.get("cancelActivity", "true") != "false",
            parent=_parent(node, process),
            event_subprocess=node.get("triggeredByEvent", "false") == "true",
            terminate=node.find(q("terminateEventDefinition")) is not None,
            loop=any(node.find(tag) is not None for tag in LOOPS),
        )
    return FlowGraph(process_key, nodes, tuple(edges))
