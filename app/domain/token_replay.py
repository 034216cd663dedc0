"""Token-based replay of an event log on a diagram's flow graph (Rozinat & van der Aalst, 2008).

Legacy logs carry no case data, so the engine's shadow replay (engine/replay.py) cannot choose a
gateway's branch for them. This replays them on the flow graph read as a Petri net instead
(domain/replay_net.py: how each construct becomes places and transitions), where every choice is
free.

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
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass

from .flowgraph import FlowGraph
from .replay_net import SINK
from .replay_net import SOURCE
from .replay_net import Marking
from .replay_net import PetriNet
from .replay_net import Transition

# Searches for silent paths give up after this many markings (a diagram has tens of elements; a
# case rarely needs more than a handful of silent steps between two of its events).
MAX_SEARCH = 4000
# Searches never hold more than this many tokens above where they started (a non-interrupting
# boundary event adds one each time it fires).
EXTRA_TOKENS = 3
# Ties between equally cheap silent paths are broken by the next few events of the trace.
LOOKAHEAD = 3
TIE_STEPS = 6


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


# -- replay --------------------------------------------------------------------------------


_Key = tuple[tuple[str, int], ...]  # a marking as a dictionary key


def _key(marking: Marking) -> _Key:
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


def _path(came_from: dict[_Key, tuple[_Key, Transition] | None], key: _Key) -> list[Transition]:
    """The firing sequence a search took from its start to the marking ``key``."""
    path: list[Transition] = []
    link = came_from[key]
    while link is not None:
        key, t = link
        path.append(t)
        link = came_from[key]
    return path[::-1]


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
        came_from: dict[_Key, tuple[_Key, Transition] | None] = {start_key: None}
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
            for t, following in self._moves(marking, limit, lambda t: any(out in useful for out in t.outputs)):
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
        return _path(came_from, key), target

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

    def _moves(
        self, marking: Marking, limit: int, allowed: Callable[[Transition], bool]
    ) -> Iterator[tuple[Transition, Marking]]:
        """The allowed transitions enabled in ``marking`` and the markings they lead to, as long as
        those hold no more than ``limit`` tokens."""
        for t in self._candidates(marking):
            if allowed(t) and _enabled(t, marking):
                following = _after(t, marking)
                if sum(following.values()) <= limit:
                    yield t, following

    def settle(self) -> None:
        """Fire silent transitions towards the end: the reachable marking with the fewest tokens
        left outside the end (then the fewest steps)."""
        start = Counter(self.marking)
        best_key = _key(start)
        best_score = (sum(n for p, n in start.items() if p != SINK), 0)
        came_from: dict[_Key, tuple[_Key, Transition] | None] = {best_key: None}
        queue = [(start, best_key, 0)]
        limit = sum(start.values()) + EXTRA_TOKENS
        for marking, key, steps in queue:
            if len(came_from) > MAX_SEARCH:
                break
            for t, following in self._moves(marking, limit, lambda t: not t.required):
                next_key = _key(following)
                if next_key in came_from:
                    continue
                came_from[next_key] = (key, t)
                queue.append((following, next_key, steps + 1))
                score = (sum(n for p, n in following.items() if p != SINK), steps + 1)
                if score < best_score:
                    best_score, best_key = score, next_key
        for t in _path(came_from, best_key):
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
