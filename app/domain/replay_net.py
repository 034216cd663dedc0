"""A diagram's flow graph read as a Petri net, for token replay (domain/token_replay.py).

Every choice is free (legacy logs carry no case data):

- each sequence flow into an activity, event or exclusive gateway feeds that node's single input
  place (an implicit merge); flows into a parallel or inclusive join keep a place each;
- an activity or event is one transition (input place → the places its outgoing flows feed);
  human work (user, manual and plain tasks, call activities, collapsed subprocesses) fires only
  when the log names it, automatic elements (script and service tasks, events) fire when the log
  names them or, silently, when a later step needs them;
- an exclusive (or event-based) gateway is one silent transition per outgoing flow (a choice); a
  parallel gateway one silent transition consuming every incoming flow and producing every
  outgoing one (AND join and split); an inclusive gateway one per non-empty subset of its flows;
- a boundary event is an optional path from the activity it is attached to: it consumes the token
  waiting at the activity and, when non-interrupting, puts it back;
- an embedded subprocess is flattened: entering puts a token on its start event and a "running"
  token beside it; its end event plus the running token leave it (that step is the subprocess's own
  log event); an interrupting boundary event on it also clears every token inside; event
  subprocesses may start at any time; a terminate end event clears its scope; an activity with
  loop characteristics may repeat;
- call activities are single activities.

``build_net`` gives each kind of element its own small builder (``_BUILDERS``); the net answers the
questions the replay asks of its structure (what is reachable, what a token waits for).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import NamedTuple

from .flowgraph import HUMAN_WORK
from .flowgraph import SUBPROCESSES
from .flowgraph import FlowEdge
from .flowgraph import FlowGraph
from .flowgraph import FlowNode

SOURCE = "start:"
SINK = "end:"
# Inclusive gateways with more flows than this get singletons and "all" only, not every subset.
MAX_SUBSET_FLOWS = 5

Marking = Counter


@dataclass(frozen=True)
class Transition:
    """One step of the net; ``element_id`` is the diagram element whose log events fire it."""

    id: str
    element_id: str | None  # None: routing (gateway branches, entering a subprocess, loop-backs)
    required: bool  # human work: fires only when the log names it
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    resets: frozenset[str] = frozenset()  # places emptied when it fires (cancellation, terminate)
    boundary: bool = False  # a boundary event's optional path


@dataclass
class PetriNet:
    transitions: list[Transition]
    by_element: dict[str, list[Transition]] = field(default_factory=dict)
    consumers: dict[str, list[Transition]] = field(default_factory=dict)
    spontaneous: list[Transition] = field(default_factory=list)
    owner: dict[str, str] = field(default_factory=dict)  # place → the element it leads into
    distance: dict[str, float] = field(default_factory=dict)  # transition id → human steps to the end
    _closures: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _leading: dict[frozenset[str], frozenset[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for t in self.transitions:
            if t.element_id is not None:
                self.by_element.setdefault(t.element_id, []).append(t)
            for place in set(t.inputs):
                self.consumers.setdefault(place, []).append(t)
            if not t.inputs:
                self.spontaneous.append(t)
        self.distance = self._distances()

    def _distances(self) -> dict[str, float]:
        """Human steps from each transition to the end along the normal flow (boundary paths aside)."""
        place_dist: dict[str, float] = {SINK: 0.0}
        inf = float("inf")

        def through(t: Transition) -> float:
            rest = max((place_dist.get(p, inf) for p in t.outputs), default=0.0)
            return t.required + rest

        for _ in range(len(self.transitions) + 1):
            changed = False
            for t in self.transitions:
                if t.boundary:
                    continue
                d = through(t)
                for p in t.inputs:
                    if d < place_dist.get(p, inf):
                        place_dist[p] = d
                        changed = True
            if not changed:
                break
        return {t.id: through(t) for t in self.transitions}

    def silent_closure(self, place: str) -> frozenset[str]:
        """Places a token in ``place`` can reach by automatic steps alone (ignoring synchronisation)."""
        found = self._closures.get(place)
        if found is None:
            seen, _ = self._flood(place, lambda t: not t.required)
            found = self._closures[place] = frozenset(seen)
        return found

    def leading_to(self, targets: Sequence[Transition]) -> frozenset[str]:
        """Places from which a token can flow (along the arcs) into an input of ``targets``."""
        key = frozenset(t.id for t in targets)
        found = self._leading.get(key)
        if found is None:
            places = {p for t in targets for p in t.inputs}
            changed = True
            while changed:
                changed = False
                for t in self.transitions:
                    if any(out in places for out in t.outputs):
                        for p in t.inputs:
                            if p not in places:
                                places.add(p)
                                changed = True
            found = self._leading[key] = frozenset(places)
        return found

    def reachable_from(self, marking: Marking) -> set[str]:
        """Transitions reachable from the marked places along the arcs (ignoring synchronisation)."""
        found: set[str] = set()
        seen_places, stack = set(marking), list(marking)
        pending = list(self.spontaneous)
        while stack or pending:
            transitions = pending or self.consumers.get(stack.pop(), [])
            pending = []
            for t in transitions:
                if t.id in found:
                    continue
                found.add(t.id)
                for out in t.outputs:
                    if out not in seen_places:
                        seen_places.add(out)
                        stack.append(out)
        return found

    def waiting_for(self, place: str) -> set[str]:
        """The human work a token in ``place`` waits for: the first required transitions reachable
        through automatic ones along the normal flow."""
        _, stopped = self._flood(place, lambda t: not (t.boundary or t.required))
        return {t.id for t in stopped if not t.boundary}

    def _flood(self, place: str, through: Callable[[Transition], bool]) -> tuple[set[str], list[Transition]]:
        """The places a token in ``place`` reaches through the transitions ``through`` lets pass,
        and the transitions it stops at."""
        seen, stack, stopped = {place}, [place], []
        while stack:
            for t in self.consumers.get(stack.pop(), []):
                if not through(t):
                    stopped.append(t)
                    continue
                for out in t.outputs:
                    if out not in seen:
                        seen.add(out)
                        stack.append(out)
        return seen, stopped


# -- building the net ----------------------------------------------------------------------


class _Clearing(NamedTuple):
    """A transition that empties a scope when it fires (the whole process for scope None)."""

    index: int
    scope: str | None
    kept: str | None  # a place of the scope it leaves alone


def _subsets(items: Sequence[str]) -> list[tuple[str, ...]]:
    if len(items) > MAX_SUBSET_FLOWS:
        return [(i,) for i in items] + [tuple(items)]
    return [c for n in range(1, len(items) + 1) for c in itertools.combinations(items, n)]


def _within(graph: FlowGraph, element: str, scope: str | None) -> bool:
    node = graph.nodes.get(element)
    while node is not None:
        if node.parent == scope:
            return True
        node = graph.nodes.get(node.parent) if node.parent else None
    return scope is None


class _NetBuilder:
    """The places and transitions of one flow graph as the element builders add them."""

    def __init__(self, graph: FlowGraph) -> None:
        self.graph = graph
        self.transitions: list[Transition] = []
        self.owner: dict[str, str] = {}
        self.clearings: list[_Clearing] = []

    def place(self, name: str, element: str) -> str:
        self.owner.setdefault(name, element)
        return name

    def own(self, node: FlowNode) -> str:
        return self.place(f"in:{node.id}", node.id)

    def joins(self, node: FlowNode) -> bool:
        return node.type in ("parallelGateway", "inclusiveGateway") and len(self.graph.incoming(node.id)) > 1

    def into(self, edge: FlowEdge) -> str:
        target = self.graph.nodes[edge.target]
        return self.place(f"flow:{edge.id}" if self.joins(target) else f"in:{target.id}", target.id)

    def outs(self, node: FlowNode) -> tuple[str, ...]:
        return tuple(self.into(e) for e in self.graph.outgoing(node.id) if e.target in self.graph.nodes)

    def ins(self, node: FlowNode) -> tuple[str, ...]:
        """A join's place per incoming flow, else the node's single input place."""
        if self.joins(node):
            return tuple(self.into(e) for e in self.graph.incoming(node.id))
        return (self.own(node),)

    def start_of(self, scope: str | None) -> str:
        return self.place(SOURCE + (scope or ""), scope or "")

    def parent(self, node: FlowNode) -> FlowNode | None:
        return self.graph.nodes.get(node.parent) if node.parent else None

    def add(self, transition: Transition) -> None:
        self.transitions.append(transition)

    def clearing(self, scope: str | None, kept: str | None = None) -> None:
        """The next transition added empties ``scope`` (but ``kept``) when it fires."""
        self.clearings.append(_Clearing(len(self.transitions), scope, kept))

    def inside(self, scope: str | None) -> frozenset[str]:
        """Places of the elements within ``scope`` (the whole process for None)."""
        return frozenset(
            p for p, e in self.owner.items() if p != SINK and (_within(self.graph, e, scope) or p.endswith(f":{scope}"))
        )

    def net(self) -> PetriNet:
        # Scopes are cleared only now that every place of them exists.
        for index, scope, kept in self.clearings:
            cleared = self.inside(scope) - {kept} if kept else self.inside(scope)
            self.transitions[index] = dataclasses.replace(self.transitions[index], resets=frozenset(cleared))
        return PetriNet(self.transitions, owner=self.owner)


def _parallel_gateway(b: _NetBuilder, node: FlowNode) -> None:
    b.add(Transition(node.id, None, False, b.ins(node), b.outs(node)))


def _inclusive_gateway(b: _NetBuilder, node: FlowNode) -> None:
    incoming = b.ins(node)
    outgoing = b.outs(node)
    middle = b.place(f"mid:{node.id}", node.id) if len(incoming) > 1 else incoming[0]
    if len(incoming) > 1:
        for i, subset in enumerate(_subsets(incoming)):
            b.add(Transition(f"{node.id}:join{i}", None, False, subset, (middle,)))
    for i, subset in enumerate(_subsets(outgoing)):
        b.add(Transition(f"{node.id}:split{i}", None, False, (middle,), subset))


def _choice(b: _NetBuilder, node: FlowNode) -> None:
    """Exclusive, event-based and complex gateways: one branch each."""
    own = b.own(node)
    for edge, target in zip(b.graph.outgoing(node.id), b.outs(node), strict=False):
        b.add(Transition(f"{node.id}>{edge.id}", None, False, (own,), (target,)))


def _start_event(b: _NetBuilder, node: FlowNode) -> None:
    parent = b.parent(node)
    inputs = () if parent is not None and parent.event_subprocess else (b.start_of(node.parent),)
    b.add(Transition(node.id, node.id, False, inputs, b.outs(node)))


def _end_event(b: _NetBuilder, node: FlowNode) -> None:
    parent = b.parent(node)
    if parent is None:
        outputs: tuple[str, ...] = (b.place(SINK, ""),)
    elif parent.event_subprocess:
        outputs = ()
    else:
        outputs = (b.place(f"done:{parent.id}", parent.id),)
    if node.terminate:
        b.clearing(node.parent)
    b.add(Transition(node.id, node.id, False, (b.own(node),), outputs))


def _boundary_event(b: _NetBuilder, node: FlowNode) -> None:
    host = node.attached_to or ""  # _builder_for sends only events on a known activity
    expanded = b.graph.is_expanded_subprocess(host)
    holder = b.place(f"run:{host}" if expanded else f"in:{host}", host)
    outputs = b.outs(node) if node.interrupting else (holder, *b.outs(node))
    if node.interrupting and expanded:
        b.clearing(host, kept=holder)
    b.add(Transition(node.id, node.id, False, (holder,), outputs, boundary=True))


def _subprocess(b: _NetBuilder, node: FlowNode) -> None:
    if node.event_subprocess:
        return  # its start events need no token
    running = b.place(f"run:{node.id}", node.id)
    done = b.place(f"done:{node.id}", node.id)
    b.add(Transition(f"{node.id}:enter", None, False, (b.own(node),), (b.start_of(node.id), running)))
    b.add(Transition(node.id, node.id, False, (done, running), b.outs(node)))


def _activity(b: _NetBuilder, node: FlowNode) -> None:
    """An activity or an intermediate event; with loop characteristics it may repeat."""
    required = node.type in HUMAN_WORK or node.type in SUBPROCESSES
    own = b.own(node)
    if not node.loop:
        b.add(Transition(node.id, node.id, required, (own,), b.outs(node)))
        return
    again = b.place(f"loop:{node.id}", node.id)
    b.add(Transition(node.id, node.id, required, (own,), (again,)))
    b.add(Transition(f"{node.id}:again", None, False, (again,), (own,)))
    b.add(Transition(f"{node.id}:next", None, False, (again,), b.outs(node)))


_Builder = Callable[[_NetBuilder, FlowNode], None]
_BUILDERS: dict[str, _Builder] = {
    "parallelGateway": _parallel_gateway,
    "inclusiveGateway": _inclusive_gateway,
    "startEvent": _start_event,
    "endEvent": _end_event,
    "boundaryEvent": _boundary_event,
}


def _builder_for(graph: FlowGraph, node: FlowNode) -> _Builder:
    if node.is_gateway:
        return _BUILDERS.get(node.type, _choice)
    if node.type == "boundaryEvent" and node.attached_to not in graph.nodes:
        return _activity  # a boundary event on nothing the graph knows: an event of its own
    if node.type in _BUILDERS:
        return _BUILDERS[node.type]
    return _subprocess if graph.is_expanded_subprocess(node.id) else _activity


def build_net(graph: FlowGraph) -> PetriNet:
    """The Petri net of a flow graph (see the module docstring for each construct)."""
    builder = _NetBuilder(graph)
    for node in graph.nodes.values():
        builder.own(node)  # every element has an input place, even when nothing feeds it
        _builder_for(graph, node)(builder, node)
    return builder.net()
