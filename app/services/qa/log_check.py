"""The log check: a legacy event log (CSV or XES) replayed on a chosen diagram version.

Read-only analysis: nothing is stored; the report is returned (and offered as CSV or XLSX). The
flow graph comes from the engine (engine/flowgraph.py), the net and the token replay are plain
Python (domain/replay_net.py, domain/token_replay.py). Legacy logs carry no case data, so gateways
are free choices.

Log activities map to diagram elements by element id or by the element's name, whole or either
half of "中文 / English", without case (``aftersales:element_id`` / an ``element_id`` column wins
when present). Events naming a gateway are routing and left out; events naming nothing in the
diagram are ``unknown_activity`` deviations.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ...domain.flowgraph import FlowGraph
from ...domain.principal import Principal
from ...domain.replay_net import build_net
from ...domain.token_replay import LogStep
from ...domain.token_replay import TraceFitness
from ...domain.token_replay import activity_index
from ...domain.token_replay import match_activity
from ...domain.token_replay import replay_trace
from ...domain.token_replay import token_fitness
from ...engine import flow_graph
from ...integrations.event_log_formats import EventLog
from ...integrations.event_log_formats import LogEvent
from ...integrations.event_log_formats import read_event_log
from ..context import ServiceContext
from .reports import REPORT_ROLES
from .reports import require_role


def check_log(
    ctx: ServiceContext,
    process_key: str,
    version: int | None,
    filename: str,
    content: bytes,
    actor: Principal,
    *,
    complete: bool = False,
) -> dict[str, Any]:
    """Fitness and deviations of every case of an uploaded log against ``process_key`` ``version``
    (the latest if None); ``complete``: the log's cases are finished (work still expected counts as
    missing). By default not: a legacy log is often cut off with cases still open."""
    require_role(actor, REPORT_ROLES, "log checks")
    with ctx.uow() as uow:
        process = ctx.versions.find(uow, process_key, version)
    log = read_event_log(filename, content, ctx.calendar.tz)
    graph = flow_graph(process.bpmn_xml, process.process_key, process.filename)
    return {
        "process_key": process.process_key,
        "version": process.version,
        "filename": filename,
        "format": log.format,
        "complete": complete,
        **check_traces(graph, log, complete=complete),
    }


def check_traces(graph: FlowGraph, log: EventLog, *, complete: bool = True) -> dict[str, Any]:
    """The report's body: one row per case and the summary."""
    net = build_net(graph)
    index = activity_index(graph)
    cases, ignored = [], 0
    variants: dict[tuple, TraceFitness] = {}  # logs repeat the same paths: each is replayed once
    for case_id, events in log.traces.items():
        steps, positions = _steps(graph, index, events)
        key = (tuple(steps), tuple(positions), len(events))
        if key not in variants:
            variants[key] = replay_trace(net, steps, complete=complete)
        cases.append(_case(graph, case_id, events, positions, variants[key]))
        ignored += len(events) - len(steps)
    return {"summary": _summary(graph, cases, log.events, ignored), "cases": cases}


def _steps(graph: FlowGraph, index, events: list[LogEvent]) -> tuple[list[LogStep], list[int]]:
    """The trace's steps (events naming only gateways are routing: left out) and where each was."""
    steps: list[LogStep] = []
    positions: list[int] = []  # step → index of its event in the trace
    for position, event in enumerate(events):
        elements = match_activity(graph, index, event.activity, event.element_id)
        work = tuple(e for e in elements if not graph.nodes[e].is_gateway)
        if elements and not work:
            continue
        steps.append(LogStep(event.activity, work))
        positions.append(position)
    return steps, positions


def _case(
    graph: FlowGraph, case_id: str, events: list[LogEvent], positions: list[int], result: TraceFitness
) -> dict[str, Any]:
    deviations = []
    for d in result.deviations:
        node = graph.nodes.get(d.activity) if d.kind != "unknown_activity" else None
        deviations.append(
            {
                "kind": d.kind,
                "activity": d.activity,
                "name": node.name if node else d.activity,
                "position": positions[d.position] if d.position < len(positions) else len(events),
                "detail": d.detail,
                "related": list(d.related),
            }
        )
    return {
        "case_id": case_id,
        "events": len(events),
        "fitness": result.fitness,
        "fitting": result.fitness == 1.0 and not deviations,
        "produced": result.produced,
        "consumed": result.consumed,
        "missing": result.missing,
        "remaining": result.remaining,
        "deviations": deviations,
    }


def _summary(graph: FlowGraph, cases: list[dict], events: int, ignored: int) -> dict[str, Any]:
    per_activity: Counter[tuple[str, str]] = Counter()
    for case in cases:
        for d in case["deviations"]:
            per_activity[(d["activity"], d["kind"])] += 1
    totals = {k: sum(c[k] for c in cases) for k in ("produced", "consumed", "missing", "remaining")}
    fitness = [c["fitness"] for c in cases]
    return {
        "cases": len(cases),
        "events": events,
        "ignored_routing_events": ignored,
        "fitting_cases": sum(1 for c in cases if c["fitting"]),
        "average_fitness": round(sum(fitness) / len(fitness), 4) if fitness else None,
        "log_fitness": token_fitness(**totals) if cases else None,
        **totals,
        "deviations_by_activity": [
            {
                "activity": activity,
                "name": graph.nodes[activity].name if activity in graph.nodes else activity,
                "kind": kind,
                "count": count,
            }
            for (activity, kind), count in sorted(per_activity.items(), key=lambda item: (-item[1], item[0]))
        ],
    }
