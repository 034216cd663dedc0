"""Token-based replay of an event log on a diagram's flow graph (Rozinat & van der Aalst, 2008).

Legacy logs carry no case data, so the engine's shadow replay (engine/replay.py) cannot choose a
gateway's branch for them. This replays them on the flow graph read as a Petri net instead, where
every choice is free:

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

Replaying a trace counts produced (p, the start token included), consumed (c, the end tokens
included), missing (m) and remaining (r) tokens. A step whose transition is not enabled is first
enabled by the cheapest sequence of silent transitions; failing that its missing input tokens are
created (m) and it fires anyway. Where equally cheap silent paths tie (an inclusive gateway taking
one branch or two, a loop back or a fresh start), the one that keeps the trace's next events
possible wins. At the end silent transitions drain what they can towards the end events, tokens at
the end are consumed, and whatever is left is remaining.

    fitness = ½ (1 − m / c) + ½ (1 − r / p)

An activity the diagram does not know is replayed as a transition of its own, with its own input
and output place: one missing and one remaining token (and one produced, one consumed).

Deviations name what went wrong, found while forcing a step: when the step could have been
enabled by human work that is not in the trace there, that work is ``missing`` (skipped); when all
of it comes later in the trace, the step is ``out_of_order``; when nothing in the model leads to
it, it is ``inserted``. Tokens left at the end point at work the model still expected
(``missing``), unless a reported deviation already explains them.
"""

from __future__ import annotations

import heapq
import itertools
import unicodedata
from collections import Counter
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from .flowgraph import HUMAN_WORK
from .flowgraph import SUBPROCESSES
from .flowgraph import FlowEdge
from .flowgraph import FlowGraph
from .flowgraph import FlowNode

SOURCE = "start:"
SINK = "end:"
# Searches for silent paths give up after this many markings (a diagram has tens of elements; a
# case rarely needs more than a handful of silent steps between two of its events).
MAX_SEARCH = 4000
# Inclusive gateways with more flows than this get singletons and "all" only, not every subset.
MAX_SUBSET_FLOWS = 5
# Searches never hold more than this many tokens above where they started (a non-interrupting
# boundary event adds one each time it fires).
EXTRA_TOKENS = 3
# Ties between equally cheap silent paths are broken by the next few events of the trace.
LOOKAHEAD = 3
TIE_STEPS = 6

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


@dataclass(frozen=True)
class LogStep:
    """One event of a trace: the activity as the log names it and the elements it may stand for."""

    label: str
    elements: tuple[str, ...]  # empty: the diagram has no such activity


@dataclass(frozen=True)
class LogDeviation:
    # missing: work the model required that the trace lacks (skipped at ``position``, or still
    # expected when the case ended: position = len(trace)); inserted: a step the model does not
    # allow there; out_of_order: a step taken before work the model requires first, which the trace
    # has later; unknown_activity: an activity the diagram does not have.
    kind: str
    activity: str  # element id, or the log's label for an unknown activity
    position: int  # index of the trace event (0-based)
    detail: str = ""
    # out_of_order: the work the model requires first (later in the trace); missing: the step it
    # was skipped before
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class TraceFitness:
    events: int
    produced: int
    consumed: int
    missing: int
    remaining: int
    deviations: tuple[LogDeviation, ...]

    @property
    def fitness(self) -> float:
        return token_fitness(self.produced, self.consumed, self.missing, self.remaining)


def token_fitness(produced: int, consumed: int, missing: int, remaining: int) -> float:
    """½(1 − m/c) + ½(1 − r/p), rounded to four places."""
    missing_part = 1 - missing / consumed if consumed else 1.0
    remaining_part = 1 - remaining / produced if produced else 1.0
    return round(0.5 * missing_part + 0.5 * remaining_part, 4)


# -- activity names ------------------------------------------------------------------------


def normalise(label: str) -> str:
    """Compare labels without case, width or spacing differences (全角 ／ → /)."""
    return " ".join(unicodedata.normalize("NFKC", label).split()).casefold()


def activity_index(graph: FlowGraph) -> dict[str, tuple[str, ...]]:
    """Normalised label → element ids: by element id, by the whole name and by either half of
    "中文 / English"."""
    index: dict[str, list[str]] = {}
    for node in graph.nodes.values():
        keys = {normalise(node.id)}
        if node.name:
            name = normalise(node.name)
            keys.add(name)
            keys.update(half.strip() for half in name.split(" / ", 1))
        for key in keys:
            if key and node.id not in index.setdefault(key, []):
                index[key].append(node.id)
    return {key: tuple(ids) for key, ids in index.items()}


def match_activity(
    graph: FlowGraph, index: dict[str, tuple[str, ...]], label: str, element_id: str | None = None
) -> tuple[str, ...]:
    """The elements a log event may stand for: its element id if it names one, else by label."""
    if element_id and element_id in graph.nodes:
        return (element_id,)
    if label in graph.nodes:
        return (label,)
    return index.get(normalise(label), ())


# -- the net -------------------------------------------------------------------------------


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
            seen, stack = {place}, [place]
            while stack:
                for t in self.consumers.get(stack.pop(), []):
                    if t.required:
                        continue
                    for out in t.outputs:
                        if out not in seen:
                            seen.add(out)
                            stack.append(out)
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
        found: set[str] = set()
        seen_places, stack = {place}, [place]
        while stack:
            for t in self.consumers.get(stack.pop(), []):
                if t.boundary:
                    continue
                if t.required:
                    found.add(t.id)
                    continue
                for out in t.outputs:
                    if out not in seen_places:
                        seen_places.add(out)
                        stack.append(out)
        return found


def _subsets(items: Sequence[str]) -> list[tuple[str, ...]]:
    if len(items) > MAX_SUBSET_FLOWS:
        return [(i,) for i in items] + [tuple(items)]
    return [c for n in range(1, len(items) + 1) for c in itertools.combinations(items, n)]


def build_net(graph: FlowGraph) -> PetriNet:
    """The Petri net of a flow graph (see the module docstring for each construct)."""
    transitions: list[Transition] = []
    owner: dict[str, str] = {}

    def place(name: str, element: str) -> str:
        owner.setdefault(name, element)
        return name

    def joins(node: FlowNode) -> bool:
        return node.type in ("parallelGateway", "inclusiveGateway") and len(graph.incoming(node.id)) > 1

    def into(edge: FlowEdge) -> str:
        target = graph.nodes[edge.target]
        return place(f"flow:{edge.id}" if joins(target) else f"in:{target.id}", target.id)

    def outs(node: FlowNode) -> tuple[str, ...]:
        return tuple(into(e) for e in graph.outgoing(node.id) if e.target in graph.nodes)

    def start_of(scope: str | None) -> str:
        return place(SOURCE + (scope or ""), scope or "")

    def inside(scope: str | None) -> frozenset[str]:
        """Places of the elements within ``scope`` (the whole process for None)."""

        def within(element: str) -> bool:
            node = graph.nodes.get(element)
            while node is not None:
                if node.parent == scope:
                    return True
                node = graph.nodes.get(node.parent) if node.parent else None
            return scope is None

        return frozenset(p for p, e in owner.items() if p != SINK and (within(e) or p.endswith(f":{scope}")))

    resets_later: list[tuple[int, str | None, str | None]] = []  # (index, scope to clear, place kept)
    for node in graph.nodes.values():
        own = place(f"in:{node.id}", node.id)
        if node.is_gateway:
            incoming = [into(e) for e in graph.incoming(node.id)] if joins(node) else [own]
            outgoing = list(outs(node))
            if node.type == "parallelGateway":
                transitions.append(Transition(node.id, None, False, tuple(incoming), tuple(outgoing)))
            elif node.type == "inclusiveGateway":
                middle = place(f"mid:{node.id}", node.id) if len(incoming) > 1 else incoming[0]
                if len(incoming) > 1:
                    for i, subset in enumerate(_subsets(incoming)):
                        transitions.append(Transition(f"{node.id}:join{i}", None, False, subset, (middle,)))
                for i, subset in enumerate(_subsets(outgoing)):
                    transitions.append(Transition(f"{node.id}:split{i}", None, False, (middle,), subset))
            else:  # exclusive, event-based (and complex): a choice
                for edge, target in zip(graph.outgoing(node.id), outgoing, strict=False):
                    transitions.append(Transition(f"{node.id}>{edge.id}", None, False, (own,), (target,)))
        elif node.type == "startEvent":
            parent = graph.nodes.get(node.parent) if node.parent else None
            inputs = () if parent is not None and parent.event_subprocess else (start_of(node.parent),)
            transitions.append(Transition(node.id, node.id, False, inputs, outs(node)))
        elif node.type == "endEvent":
            parent = graph.nodes.get(node.parent) if node.parent else None
            if parent is None:
                outputs: tuple[str, ...] = (place(SINK, ""),)
            elif parent.event_subprocess:
                outputs = ()
            else:
                outputs = (place(f"done:{parent.id}", parent.id),)
            if node.terminate:
                resets_later.append((len(transitions), node.parent, None))
            transitions.append(Transition(node.id, node.id, False, (own,), outputs))
        elif node.type == "boundaryEvent" and node.attached_to in graph.nodes:
            host = node.attached_to
            expanded = graph.is_expanded_subprocess(host)
            holder = place(f"run:{host}", host) if expanded else place(f"in:{host}", host)
            outputs = outs(node) if node.interrupting else (holder, *outs(node))
            if node.interrupting and expanded:
                resets_later.append((len(transitions), host, holder))
            transitions.append(Transition(node.id, node.id, False, (holder,), outputs, boundary=True))
        elif graph.is_expanded_subprocess(node.id):
            if node.event_subprocess:
                continue  # its start events need no token
            running = place(f"run:{node.id}", node.id)
            done = place(f"done:{node.id}", node.id)
            transitions.append(Transition(f"{node.id}:enter", None, False, (own,), (start_of(node.id), running)))
            transitions.append(Transition(node.id, node.id, False, (done, running), outs(node)))
        else:  # an activity or an intermediate event
            required = node.type in HUMAN_WORK or node.type in SUBPROCESSES
            if node.loop:
                again = place(f"loop:{node.id}", node.id)
                transitions.append(Transition(node.id, node.id, required, (own,), (again,)))
                transitions.append(Transition(f"{node.id}:again", None, False, (again,), (own,)))
                transitions.append(Transition(f"{node.id}:next", None, False, (again,), outs(node)))
            else:
                transitions.append(Transition(node.id, node.id, required, (own,), outs(node)))
    for index, scope, kept in resets_later:
        t = transitions[index]
        cleared = inside(scope) - {kept} if kept else inside(scope)
        transitions[index] = Transition(
            t.id, t.element_id, t.required, t.inputs, t.outputs, frozenset(cleared), t.boundary
        )
    return PetriNet(transitions, owner=owner)


# -- replay --------------------------------------------------------------------------------


def _key(marking: Marking) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((p, n) for p, n in marking.items() if n > 0))


def _enabled(t: Transition, marking: Marking) -> bool:
    return all(marking[p] >= n for p, n in Counter(t.inputs).items())


def _after(t: Transition, marking: Marking) -> Marking:
    result = Counter(marking)
    result.subtract(t.inputs)
    for p in t.resets:
        result[p] = 0
    result.update(t.outputs)
    return +result


class _Replay:
    def __init__(self, net: PetriNet, steps: Sequence[LogStep]) -> None:
        self.net = net
        self.steps = steps
        self.marking: Marking = Counter({SOURCE: 1})
        self.tainted: Marking = Counter()  # tokens put there by inserted steps (their leftovers are explained)
        self.produced, self.consumed, self.missing, self.remaining = 1, 0, 0, 0
        self.deviations: list[LogDeviation] = []
        self.explained: set[str] = set()
        self.occurred: set[str] = set()
        self.owed: set[str] = set()  # reported missing and not done since

    def fire(self, t: Transition, *, taint: bool = False) -> None:
        for p in t.inputs:
            if self.marking[p] - self.tainted[p] <= 0 and self.tainted[p] > 0:
                self.tainted[p] -= 1
                taint = True
            self.marking[p] -= 1
            self.consumed += 1
        for p in t.resets:
            self.consumed += self.marking[p]
            self.marking[p] = 0
            self.tainted[p] = 0
        for p in t.outputs:
            self.marking[p] += 1
            self.produced += 1
            if taint:
                self.tainted[p] += 1
        self.marking = +self.marking
        self.tainted = +self.tainted

    def search(
        self, targets: Sequence[Transition], upcoming: Sequence[tuple[str, ...]] = ()
    ) -> tuple[list[Transition], Transition] | None:
        """Cheapest firing sequence (fewest human steps, then fewest steps) after which one of
        ``targets`` is enabled; only steps that move tokens towards them are tried.

        Free choices can tie (an inclusive gateway may take one branch or two): among the goals as
        cheap in human steps and at most ``TIE_STEPS`` longer, the one from which automatic steps
        could enable most of the ``upcoming`` events wins.
        """
        start = Counter(self.marking)
        start_key = _key(start)
        best = {start_key: (0, 0)}
        came_from: dict[tuple, tuple[tuple, Transition] | None] = {start_key: None}
        markings = {start_key: start}
        tick = itertools.count()
        heap = [(0, 0, next(tick), start_key)]
        done: set[tuple] = set()
        limit = sum(start.values()) + EXTRA_TOKENS
        goals: list[tuple[tuple, Transition]] = []
        bound: tuple[int, int] | None = None
        useful = self.net.leading_to(targets)

        def goal(marking: Marking) -> Transition | None:
            return next((t for t in targets if _enabled(t, marking)), None)

        while heap and len(done) < MAX_SEARCH:
            human, steps, _, key = heapq.heappop(heap)
            if key in done:
                continue
            if bound is not None and (human, steps) > bound:
                break
            done.add(key)
            marking = markings[key]
            target = goal(marking)
            if target is not None:
                goals.append((key, target))
                bound = bound or (human, steps + TIE_STEPS)
                continue
            for t in self._candidates(marking):
                if not _enabled(t, marking) or not any(out in useful for out in t.outputs):
                    continue
                following = _after(t, marking)
                if sum(following.values()) > limit:
                    continue
                cost = (human + t.required, steps + 1)
                next_key = _key(following)
                if next_key not in best or cost < best[next_key]:
                    best[next_key] = cost
                    came_from[next_key] = (key, t)
                    markings[next_key] = following
                    heapq.heappush(heap, (*cost, next(tick), next_key))
        if not goals:
            return None
        key, target = max(goals, key=lambda g: self._prospect(_after(g[1], markings[g[0]]), upcoming))
        path: list[Transition] = []
        link = came_from[key]
        while link is not None:
            key, t = link
            path.append(t)
            link = came_from[key]
        return path[::-1], target

    def _prospect(self, marking: Marking, upcoming: Sequence[tuple[str, ...]]) -> tuple[int, int]:
        """How many upcoming events automatic steps could enable from ``marking`` (then: fewer tokens
        left lying around is better)."""
        within = set().union(*(self.net.silent_closure(p) for p in marking)) if marking else set()
        ready = sum(
            1
            for elements in upcoming
            if any(set(t.inputs) <= within for e in elements for t in self.net.by_element.get(e, []))
        )
        return ready, -sum(marking.values())

    def _candidates(self, marking: Marking) -> Iterable[Transition]:
        seen: set[str] = set()
        for p in marking:
            for t in self.net.consumers.get(p, []):
                if t.id not in seen:
                    seen.add(t.id)
                    yield t
        yield from self.net.spontaneous

    def settle(self) -> None:
        """Fire silent transitions towards the end: the reachable marking with the fewest tokens
        left outside the end (then the fewest steps)."""
        start = Counter(self.marking)
        best_key = _key(start)
        best_score = (sum(n for p, n in start.items() if p != SINK), 0)
        came_from: dict[tuple, tuple[tuple, Transition] | None] = {best_key: None}
        queue = [(start, best_key, 0)]
        limit = sum(start.values()) + EXTRA_TOKENS
        for marking, key, steps in queue:
            if len(came_from) > MAX_SEARCH:
                break
            for t in self._candidates(marking):
                if t.required or not _enabled(t, marking):
                    continue
                following = _after(t, marking)
                next_key = _key(following)
                if next_key in came_from or sum(following.values()) > limit:
                    continue
                came_from[next_key] = (key, t)
                queue.append((following, next_key, steps + 1))
                score = (sum(n for p, n in following.items() if p != SINK), steps + 1)
                if score < best_score:
                    best_score, best_key = score, next_key
        path: list[Transition] = []
        link = came_from[best_key]
        while link is not None:
            key, t = link
            path.append(t)
            link = came_from[key]
        for t in reversed(path):
            self.fire(t)

    def _did(self, element: str | None) -> None:
        self.occurred.add(element)
        self.owed.discard(element)

    def step(self, position: int, step: LogStep, ahead: Counter, upcoming: Sequence[tuple[str, ...]] = ()) -> None:
        candidates = [t for e in step.elements for t in self.net.by_element.get(e, [])]
        if not candidates:
            # An activity the diagram does not have: a transition of its own with its own places.
            self.missing += 1
            self.consumed += 1
            self.produced += 1
            self.remaining += 1
            self.deviations.append(
                LogDeviation("unknown_activity", step.label, position, "no element of the diagram has this name or id")
            )
            return
        enabled = next((t for t in candidates if _enabled(t, self.marking)), None)
        if enabled is not None:
            self.fire(enabled)
            self._did(enabled.element_id)
            return
        reachable = self.net.reachable_from(self.marking)
        found = None
        if any(t.id in reachable for t in candidates):
            found = self.search(candidates, upcoming)
        if found is not None and not any(t.required for t in found[0]):
            for t in found[0]:
                self.fire(t)
            self.fire(found[1])
            self._did(found[1].element_id)
            return
        if found is None:
            target = min(candidates, key=lambda t: sum(1 for p in t.inputs if self.marking[p] == 0))
            self.deviations.append(
                LogDeviation("inserted", target.element_id, position, "the model allows no path to it from here")
            )
            self.explained.add(target.element_id)
            self._force(target, taint=True)
            return
        path, target = found
        skipped = list(dict.fromkeys(t.element_id for t in path if t.required))
        later = [e for e in skipped if ahead[e] > 0]
        if len(later) == len(skipped):
            detail = f"before {', '.join(later)}, which the model requires first"
            self.deviations.append(LogDeviation("out_of_order", target.element_id, position, detail, tuple(later)))
            self.explained.update([target.element_id, *later])
        else:
            for element in skipped:
                if element not in later and element not in self.owed:  # reported once until done
                    detail = f"skipped before {target.element_id}"
                    self.deviations.append(LogDeviation("missing", element, position, detail, (target.element_id,)))
                    self.explained.add(element)
                    self.owed.add(element)
        self._force(target)

    def _force(self, t: Transition, *, taint: bool = False) -> None:
        for p, n in Counter(t.inputs).items():
            lacking = max(0, n - self.marking[p])
            if lacking:
                self.missing += lacking
                self.marking[p] += lacking
        self.fire(t, taint=taint)
        self._did(t.element_id)

    def finish(self, complete: bool) -> None:
        if not complete:
            return
        self.settle()
        ended = self.marking.pop(SINK, 0)
        self.tainted.pop(SINK, None)
        if ended:
            self.consumed += ended
        else:
            self.missing += 1
            self.consumed += 1
        self.remaining += sum(self.marking.values())
        position = len(self.steps)
        for place, count in sorted(self.marking.items()):
            if count - self.tainted[place] <= 0:
                continue
            waiting = self.net.waiting_for(place)
            if waiting & self.explained:
                continue
            expected = sorted(waiting - self.occurred, key=lambda e: (self.net.distance.get(e, 0), e))
            if not expected:
                continue
            others = f" (or {', '.join(expected[1:])})" if len(expected) > 1 else ""
            self.deviations.append(
                LogDeviation(
                    "missing", expected[0], position, f"the case ended while the model still expected it{others}"
                )
            )
            self.explained.add(expected[0])


def replay_trace(net: PetriNet, steps: Sequence[LogStep], *, complete: bool = True) -> TraceFitness:
    """Replay one trace; ``complete``: the trace is a finished case (remaining tokens count)."""
    run = _Replay(net, steps)
    ahead: Counter = Counter(e for s in steps for e in s.elements)
    for position, step in enumerate(steps):
        for element in step.elements:
            ahead[element] -= 1
        upcoming = [s.elements for s in steps[position + 1 : position + 1 + LOOKAHEAD]]
        run.step(position, step, ahead, upcoming)
    run.finish(complete)
    return TraceFitness(
        events=len(steps),
        produced=run.produced,
        consumed=run.consumed,
        missing=run.missing,
        remaining=run.remaining,
        deviations=tuple(run.deviations),
    )
