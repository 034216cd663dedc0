"""Which flow nodes a case can reach and which can reach an end, scope by scope.

A scope is the process or one of its subprocesses; its start events open it and its end events
close it. A boundary event follows the activity it sits on, and an interrupting one is also a
way out of that activity.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .catalogue import is_flow_node
from .catalogue import q
from .definitions import ElementInfo


@dataclass(frozen=True)
class ScopeReach:
    """The flow nodes of one scope, in document order, and how far the flows take them."""

    nodes: list[str]
    reached: set[str]  # reachable from a start event of the scope
    finishing: set[str]  # from where an end event of the scope can be reached
    after: dict[str, set[str]]  # node -> the nodes a case goes on to from it
    before: dict[str, set[str]]  # node -> the nodes a case comes to it from

    def downstream(self, node: str) -> set[str]:
        """The nodes a case at ``node`` can go on to (``node`` itself included)."""
        return _closure([node], self.after)

    def upstream(self, node: str) -> set[str]:
        """The nodes from which a case can come to ``node`` (``node`` itself included)."""
        return _closure([node], self.before)


def scope_reaches(process: etree._Element, elements: dict[str, ElementInfo]) -> list[ScopeReach]:
    """One ``ScopeReach`` for the process and one for each of its subprocesses."""
    return [_reach(scope, elements) for scope in [process, *process.iter(q("subProcess"))]]


def _reach(scope: etree._Element, elements: dict[str, ElementInfo]) -> ScopeReach:
    nodes = [c.get("id") for c in scope if is_flow_node(c)]
    flows = [(f.get("sourceRef"), f.get("targetRef")) for f in scope.findall(q("sequenceFlow"))]
    boundaries: dict[str, list[ElementInfo]] = {}
    for n in nodes:
        info = elements.get(n)
        if info is not None and info.type == "boundaryEvent" and info.attached_to:
            boundaries.setdefault(info.attached_to, []).append(info)
    after: dict[str, set[str]] = {n: set() for n in nodes}
    for source, target in flows:
        after.setdefault(source, set()).add(target)
    for attached, events in boundaries.items():
        after.setdefault(attached, set()).update(e.id for e in events)
    before: dict[str, set[str]] = {n: set() for n in nodes}
    for source, target in flows:
        before.setdefault(target, set()).add(source)
    for attached, events in boundaries.items():
        for event in events:
            if event.cancel_activity:  # an interrupting event is a way out of the activity it sits on
                before.setdefault(event.id, set()).add(attached)
    reached = _closure([n for n in nodes if elements[n].type == "startEvent"], after)
    finishing = _closure([n for n in nodes if elements[n].type == "endEvent"], before)
    return ScopeReach(nodes, reached, finishing, after, before)


def _closure(start: list[str], graph: dict[str, set[str]]) -> set[str]:
    seen, todo = set(start), list(start)
    while todo:
        for n in graph.get(todo.pop(), ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen
