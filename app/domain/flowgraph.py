"""A diagram's flow graph as plain data: flow nodes and sequence flows, nothing executable.

The engine reads it from a deployed version's BPMN (engine/flowgraph.py); the log check replays
legacy event logs on it (domain/replay_net.py, domain/token_replay.py) without SpiffWorkflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

GATEWAYS = frozenset({"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"})
# Work a person does or a case records as such: a log of the case must name it (it is never assumed).
HUMAN_WORK = frozenset({"task", "userTask", "manualTask", "callActivity"})
SUBPROCESSES = frozenset({"subProcess", "transaction"})


@dataclass(frozen=True)
class FlowNode:
    """One flow node: an activity, event or gateway."""

    id: str
    type: str  # BPMN tag without namespace: userTask, exclusiveGateway, boundaryEvent, subProcess, ...
    name: str = ""
    attached_to: str | None = None  # boundary events: the activity they sit on
    interrupting: bool = True  # boundary events: cancelActivity
    parent: str | None = None  # the (embedded) subprocess it sits in; None at the process level
    event_subprocess: bool = False  # a subprocess started by an event (triggeredByEvent)
    terminate: bool = False  # an end event with a terminate event definition
    loop: bool = False  # an activity with standard or multi-instance loop characteristics

    @property
    def is_gateway(self) -> bool:
        return self.type in GATEWAYS


@dataclass(frozen=True)
class FlowEdge:
    """A sequence flow."""

    id: str
    source: str
    target: str


@dataclass(frozen=True)
class FlowGraph:
    """The flow nodes of one process (subprocess contents included, with their parent) and its flows."""

    process_key: str
    nodes: dict[str, FlowNode]
    edges: tuple[FlowEdge, ...]
    _out: dict[str, list[FlowEdge]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _in: dict[str, list[FlowEdge]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for edge in self.edges:
            self._out.setdefault(edge.source, []).append(edge)
            self._in.setdefault(edge.target, []).append(edge)

    def outgoing(self, node_id: str) -> list[FlowEdge]:
        return self._out.get(node_id, [])

    def incoming(self, node_id: str) -> list[FlowEdge]:
        return self._in.get(node_id, [])

    def children(self, parent: str | None) -> list[FlowNode]:
        return [n for n in self.nodes.values() if n.parent == parent]

    def boundary_events(self, activity_id: str) -> list[FlowNode]:
        return [n for n in self.nodes.values() if n.type == "boundaryEvent" and n.attached_to == activity_id]

    def is_expanded_subprocess(self, node_id: str) -> bool:
        """An embedded subprocess with a start event inside: its contents are replayed, not the box."""
        node = self.nodes.get(node_id)
        return (
            node is not None
            and node.type in SUBPROCESSES
            and any(c.type == "startEvent" for c in self.children(node_id))
        )
