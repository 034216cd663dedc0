"""One problem per cause: what a missing flow leaves behind is folded into the problem that names it.

A deleted sequence flow A → B makes B an element no flow leads to (``no-incoming-flow``) and A one
no flow leaves (``no-outgoing-flow``); every element after B then "cannot be reached", every element
before A "has no path to an end event", and a name a script of the cut-off part defines is "defined
by nothing" where code reads it there. Those are consequences: each is folded into its root problem,
which says how many elements it cuts off and lists their ids (``Problem.folded``), so the list shows
the two ends of the missing flow instead of a page of warnings. Unreachable elements no such root
explains (a loop that only the deleted flow entered) become one problem on the element leading to
the most of them, and likewise elements with no way to an end.
"""

from __future__ import annotations

from dataclasses import replace

from ..domain.diagram_problems import problem
from ..errors import Problem
from .diagram_context import DiagramContext
from .flow_paths import ScopeReach

# consequence code -> (its root's code, the root's code when it has consequences, an island's code)
CASCADES = {
    "unreachable": ("no-incoming-flow", "no-incoming-flow-cascade", "unreachable-cascade"),
    "no-path-to-end": ("no-outgoing-flow", "no-outgoing-flow-cascade", "no-path-to-end-cascade"),
}
# Problems of these codes on an element that is cut off anyway are folded with the element.
ON_CUT_OFF = frozenset({"name-undefined"})


def fold_consequences(ctx: DiagramContext, problems: list[Problem]) -> list[Problem]:
    """``problems`` with each consequence of a missing flow folded into its root (order kept)."""
    folded: dict[int, list[str]] = {}  # index of a problem standing for others -> the elements it folds
    taken: set[tuple[str, str]] = set()  # (consequence code, element id) folded into another problem
    for consequence, (root_code, _cascade, _island) in CASCADES.items():
        left = {p.element_id for p in problems if p.code == consequence and p.element_id}
        if not left:
            continue
        roots = [(i, p) for i, p in enumerate(problems) if p.code == root_code and p.element_id]
        islands = [(i, p) for i, p in enumerate(problems) if p.code == consequence and p.element_id]
        for index, item in [*roots, *_largest_first(ctx, islands, consequence, left)]:
            if (consequence, item.element_id) in taken or not left:
                continue
            scope = _scope_of(ctx, item.element_id)
            around = _around(scope, item.element_id, consequence) if scope else set()
            mine = [n for n in (scope.nodes if scope else []) if n in around and n in left and n != item.element_id]
            if mine:
                folded[index] = mine
                left -= {*mine, item.element_id}
                taken.update((consequence, n) for n in mine)
    cut_off = {element for _code, element in taken}
    kept = []
    for index, item in enumerate(problems):
        if (item.code, item.element_id) in taken or (item.code in ON_CUT_OFF and item.element_id in cut_off):
            continue
        if folded.get(index):
            item = _standing_for(item, folded[index])
        kept.append(item)
    return kept


def _scope_of(ctx: DiagramContext, element_id: str) -> ScopeReach | None:
    return next((s for s in ctx.reaches if element_id in s.nodes), None)


def _around(scope: ScopeReach, element_id: str, consequence: str) -> set[str]:
    return scope.downstream(element_id) if consequence == "unreachable" else scope.upstream(element_id)


def _largest_first(
    ctx: DiagramContext, islands: list[tuple[int, Problem]], consequence: str, left: set[str]
) -> list[tuple[int, Problem]]:
    """The consequences themselves, the one that leads to (or from) the most of the others first."""

    def reach(row: tuple[int, Problem]) -> int:
        scope = _scope_of(ctx, row[1].element_id or "")
        return len(_around(scope, row[1].element_id or "", consequence) & left) if scope else 0

    return sorted(islands, key=lambda row: (-reach(row), row[0]))


def _standing_for(item: Problem, elements: list[str]) -> Problem:
    """``item`` saying it stands for the problems of ``elements`` as well."""
    codes = {root: cascade for root, cascade, _island in CASCADES.values()}
    codes |= {consequence: island for consequence, (_root, _cascade, island) in CASCADES.items()}
    code = codes[item.code or ""]
    root = problem(item.file, code, item.element_id, item.line, **{**dict(item.params), "count": len(elements)})
    return replace(item, reason=root.reason, code=root.code, params=root.params, folded=tuple(elements))
