"""Model conformance: each case's recorded path replayed against the diagram version it ran on.

Steps are the case's own audit events: user-task completions (with the submitted data) and
timer firings. Manual interventions, migrations between versions and imported legacy logs are
what produce deviations; a case run only by the engine replays with fitness 1.0.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...domain.cases import CaseStatus
from ...domain.principal import Principal
from ...engine import RecordedStep
from ...errors import NotFound
from ...persistence.orm import Event
from ...persistence.orm import Instance
from ...persistence.unit_of_work import UnitOfWork
from ..cases.journal import case_start_data
from ..context import ServiceContext
from ..processes.version_cache import DeployedProcess
from ..tasks.forms import with_defaults
from .reports import REPORT_ROLES
from .reports import require_role

STEP_KINDS = {"task_completed": "task", "timer_fired": "timer", "task_skipped": "skip", "step_repeated": "repeat"}


def recorded_steps(events: list[Event]) -> list[RecordedStep]:
    """The path a case took, in order: completions with their data, timers, manual interventions."""
    steps = []
    for event in events:
        kind = STEP_KINDS.get(event.type)
        if kind is None or not event.element_id:
            continue
        data = event.data if kind == "task" else (event.data.get("data") or {}) if kind == "skip" else {}
        steps.append(RecordedStep(kind, event.element_id, data))
    return steps


@dataclass(frozen=True)
class ReplayInputs:
    """How a recorded case is started again in a shadow instance, and the steps it took."""

    start: dict[str, Any]
    message: str | None
    payload: Any
    steps: list[RecordedStep]


def replay_inputs(
    ctx: ServiceContext,
    uow: UnitOfWork,
    instance: Instance,
    process: DeployedProcess,
    target: DeployedProcess | None = None,
) -> ReplayInputs:
    """What ``instance`` started with and did, to replay it on ``target`` (default: ``process``, its own
    version): the start data has the target's start-form defaults, as a case started there would (a
    field the later version added, e.g. ``recall_case_no``, exists for its scripts)."""
    events = uow.events.for_instance(instance.id)
    started = next((e for e in events if e.type == "instance_started"), None)
    data = dict(started.data.get("data") or {}) if started else {}
    data = with_defaults((target or process).start_form or {}, data)
    base = case_start_data(instance, ctx.calendar.tz)
    if process.start_message:
        return ReplayInputs(base, process.start_message, data, recorded_steps(events))
    return ReplayInputs({**data, **base}, None, None, recorded_steps(events))


def _replay(ctx: ServiceContext, uow: UnitOfWork, instance: Instance) -> dict[str, Any]:
    process = ctx.versions.get(uow, instance.version_id)
    inputs = replay_inputs(ctx, uow, instance, process)
    result = ctx.engine.replay(
        process,
        inputs.start,
        inputs.steps,
        message=inputs.message,
        payload=inputs.payload,
        recorded_completed=instance.status == CaseStatus.COMPLETED,
    )
    accepted = {(a.element_id, a.kind) for a in uow.accepted.list(instance.process_key)}
    deviations = [
        {
            "kind": d.kind,
            "element_id": d.element_id,
            "position": d.position,
            "detail": d.detail,
            "accepted": (d.element_id, d.kind) in accepted,
        }
        for d in result.deviations
    ]
    return {
        "case_id": instance.id,
        "case_no": instance.case_no,
        "version": instance.version,
        "status": instance.status,
        "fitness": result.fitness,
        "fitness_with_accepted": _fitness_with_accepted(result.steps, result.matched, deviations),
        "steps": result.steps,
        "matched": result.matched,
        "deviations": deviations,
    }


def _fitness_with_accepted(steps: int, matched: int, deviations: list[dict[str, Any]]) -> float:
    """Fitness when accepted deviations count as conforming: an accepted inserted, skipped or
    repeated step counts as matched, an accepted missing step is not expected."""
    accepted_inserted = sum(1 for d in deviations if d["accepted"] and d["kind"] in ("inserted", "skipped"))
    missing = [d for d in deviations if d["kind"] == "missing"]
    total = steps + sum(1 for d in missing if not d["accepted"])
    return round((matched + accepted_inserted) / total, 4) if total else 1.0


def case_conformance(ctx: ServiceContext, instance_id: int, actor: Principal) -> dict[str, Any]:
    require_role(actor, REPORT_ROLES, "conformance reports")
    with ctx.uow() as uow:
        instance = uow.instances.get(instance_id)
        if instance is None:
            raise NotFound(f"no case with id {instance_id}")
        # Whoever may read the conformance report reads every case's conformance in it: this is one row of it.
        return _replay(ctx, uow, instance)


def conformance_report(
    ctx: ServiceContext, process_key: str, start: datetime, end: datetime, actor: Principal
) -> dict[str, Any]:
    """Fitness of every case opened in [start, end), and the deviations counted per element."""
    require_role(actor, REPORT_ROLES, "conformance reports")
    with ctx.uow() as uow:
        cases = [_replay(ctx, uow, i) for i in uow.instances.created_between(process_key, start, end)]
    per_element: Counter[tuple[str, str]] = Counter()
    for case in cases:
        for deviation in case["deviations"]:
            per_element[(deviation["element_id"] or "—", deviation["kind"])] += 1
    fitness = [c["fitness"] for c in cases]
    accepted_fitness = [c["fitness_with_accepted"] for c in cases]
    return {
        "process_key": process_key,
        "cases": len(cases),
        "average_fitness": round(sum(fitness) / len(fitness), 4) if fitness else None,
        "conforming": sum(1 for f in fitness if f == 1.0),
        "conforming_with_accepted": sum(1 for f in accepted_fitness if f == 1.0),
        "deviations_by_element": [
            {"element_id": e, "kind": k, "count": n} for (e, k), n in sorted(per_element.items())
        ],
        "per_case": cases,
    }
