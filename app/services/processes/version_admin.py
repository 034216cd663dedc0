"""Versions of a process for its owner: diff two, deploy an old one again (rollback), upload a
new diagram, and check which running cases could move to another version (a dry run)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...domain.cases import CaseStatus
from ...domain.cases import TaskState
from ...domain.diagram_problems import problem
from ...domain.principal import Principal
from ...engine import load_definition
from ...engine import set_resolver
from ...errors import Conflict
from ...errors import DiagramError
from ...errors import InvalidInput
from ...errors import NotFound
from ...errors import Severity
from ..cases.repair import check_mapping
from ..cases.repair import mapped
from ..cases.repair import migrate_case
from ..cases.repair import require_reason
from ..cases.repair import require_repair_role
from ..cases.repair import unfit_deviations
from ..context import ServiceContext
from ..qa.conformance import replay_inputs
from . import workbench
from .deployments import DeployResult
from .deployments import deploy_definitions
from .deployments import forms_reader
from .deployments import owner_lane_roles
from .version_cache import DeployedProcess

COMPARED = ("name", "type", "role", "properties", "attached_to", "cancel_activity", "timer", "message")


def diff_versions(ctx: ServiceContext, key: str, old: int, new: int) -> dict[str, Any]:
    """Elements added, removed and changed (with the fields that changed), and forms changed."""
    with ctx.uow() as uow:
        a, b = ctx.versions.find(uow, key, old), ctx.versions.find(uow, key, new)
    changed = []
    for element_id in sorted(set(a.elements) & set(b.elements)):
        before, after = a.elements[element_id].to_dict(), b.elements[element_id].to_dict()
        fields = [f for f in COMPARED if before.get(f) != after.get(f)]
        if fields:
            changed.append({"element_id": element_id, "fields": {f: [before.get(f), after.get(f)] for f in fields}})
    forms = sorted(p for p in set(a.forms) | set(b.forms) if a.forms.get(p) != b.forms.get(p))
    return {
        "key": key,
        "from": old,
        "to": new,
        "added": sorted(set(b.elements) - set(a.elements)),
        "removed": sorted(set(a.elements) - set(b.elements)),
        "changed": changed,
        "forms_changed": forms,
    }


def deploy_upload(
    ctx: ServiceContext,
    filename: str,
    xml: bytes,
    extra_forms: dict[str, bytes],
    actor: Principal,
    *,
    dry_run: bool = False,
    strict: bool = False,
) -> list[DeployResult]:
    """An uploaded diagram checked and deployed by the workbench; its forms are the uploaded ones,
    else those of the latest version of the same process. Raises DiagramError with every problem;
    a dry run deploys nothing (version None). Warnings come back with the result (``strict``: refused).
    A file of several executable processes deploys each, under its process id: one result each."""
    key = filename.rsplit("/", 1)[-1].removesuffix(".bpmn")
    with ctx.uow() as uow:
        latest = uow.versions.latest(key)
        forms: dict[str, Any] = dict(ctx.versions.get(uow, latest.id).forms) if latest else {}
    for path, content in extra_forms.items():
        try:
            forms[path] = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            forms[path] = content.decode("utf-8", "replace")  # reported as a problem on its task
    try:
        text = xml.decode("utf-8")
    except UnicodeDecodeError:
        # Refused like any other bad diagram: 422 with errors [{file, element_id, line, message}].
        raise DiagramError([problem(f"{key}.bpmn", "diagram-not-utf8")]) from None
    if dry_run:
        problems = workbench.validate_source(ctx, f"{key}.bpmn", text, forms, actor, strict=strict)
        if any(p.severity is Severity.ERROR for p in problems):
            raise DiagramError(problems)
        return [DeployResult(key, None, False, tuple(problems))]
    return workbench.deploy_sources(ctx, f"{key}.bpmn", text, forms, actor, strict=strict)


def deploy_uploads(
    ctx: ServiceContext,
    files: list[tuple[str, bytes]],
    extra_forms: dict[str, bytes],
    actor: Principal,
    *,
    dry_run: bool = False,
    strict: bool = False,
) -> list[DeployResult]:
    """Several uploaded diagrams deployed as one set (``workbench.deploy_set``); each file's forms are
    the uploaded ones, else those of the latest version of its process."""
    forms: dict[str, Any] = {}
    with ctx.uow() as uow:
        for filename, _xml in files:
            latest = uow.versions.latest(filename.rsplit("/", 1)[-1].removesuffix(".bpmn"))
            forms.update(ctx.versions.get(uow, latest.id).forms if latest else {})
    for path, content in extra_forms.items():
        try:
            forms[path] = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            forms[path] = content.decode("utf-8", "replace")  # reported as a problem on its task
    texts = []
    for filename, xml in files:
        try:
            texts.append((filename.rsplit("/", 1)[-1], xml.decode("utf-8")))
        except UnicodeDecodeError:
            raise DiagramError([problem(filename, "diagram-not-utf8")]) from None
    return workbench.deploy_set(ctx, texts, forms, actor, dry_run=dry_run, strict=strict)


def rollback(ctx: ServiceContext, key: str, number: int, actor: Principal) -> DeployResult:
    """Deploy an old version's diagram and forms again, as the newest version."""
    require_repair_role(actor)
    with ctx.uow() as uow:
        old = ctx.versions.find(uow, key, number)
    read_form = forms_reader(old.forms)
    pinned = set_resolver([(name, text.encode(), read_form) for name, text in old.calls.items()])
    definition = load_definition(
        old.filename, old.bpmn_xml, read_form, resolve=pinned, lane_roles=owner_lane_roles(ctx)
    )
    [result] = deploy_definitions(ctx, [definition], actor=actor.username)
    if not result.created:
        raise InvalidInput(f"version {number} is already the latest content of {key}", errors={"version": ["latest"]})
    return result


def _running_on(uow, key: str, version: DeployedProcess) -> list:
    return [
        c
        for c in uow.instances.list(process_key=key, status=CaseStatus.RUNNING, limit=100_000)
        if c.version_id == version.id
    ]


def migration_check(
    ctx: ServiceContext,
    key: str,
    source: int,
    target: int,
    actor: Principal,
    mapping: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """For each running case on ``source``: could it move to ``target`` (with ``mapping`` of
    renamed elements, as ``migrate_case``), and if not, why: where it waits now (``here``), where
    it would wait there (``ready_there``), the elements of its path or its current steps the target
    lacks and the mapping does not place (``missing``) and the deviations that keep it (``problems``)."""
    require_repair_role(actor)
    with ctx.uow() as uow:
        old, new = ctx.versions.find(uow, key, source), ctx.versions.find(uow, key, target)
        rename = check_mapping(old, new, mapping)
        cases = _running_on(uow, key, old)
        report = []
        for case in cases:
            inputs = replay_inputs(ctx, uow, case, old, new)
            result, snapshot = ctx.engine.rebuild(
                new, inputs.start, mapped(inputs.steps, rename), message=inputs.message, payload=inputs.payload
            )
            unfit = unfit_deviations(result.deviations)
            here = sorted({t.element_id for t in uow.tasks.for_instance(case.id, status=TaskState.READY)})
            passed = [s.element_id for s in inputs.steps] + here
            missing = sorted({e for e in passed if rename.get(e, e) == e and new.element(e) is None})
            report.append(
                {
                    "case_id": case.id,
                    "case_no": case.case_no,
                    "can_move": not unfit,
                    "here": here,
                    "ready_there": sorted(t.element_id for t in snapshot.ready_tasks),
                    "missing": missing,
                    "problems": [{"kind": d.kind, "element_id": d.element_id, "detail": d.detail} for d in unfit],
                    "why_not": [f"{d.kind} {d.element_id}: {d.detail}" for d in unfit],
                }
            )
    return report


@dataclass(frozen=True)
class MigrationVersion:
    """A version on the migration page: how many of its cases run, and its elements (id → name, type)."""

    version: int
    running: int
    elements: dict[str, tuple[str, str]]


def migration_versions(ctx: ServiceContext, key: str, actor: Principal) -> list[MigrationVersion]:
    """Every version of a process, newest first, with its running cases and its elements: what the
    migration page offers to move from, to, and to map renamed or removed elements onto."""
    require_repair_role(actor)
    with ctx.uow() as uow:
        rows = uow.versions.all_versions(key)
        if not rows:
            raise NotFound(f"no deployed process {key!r}")
        running = Counter(
            c.version_id for c in uow.instances.list(process_key=key, status=CaseStatus.RUNNING, limit=100_000)
        )
        versions = [ctx.versions.get(uow, row.id) for row in reversed(rows)]
    return [
        MigrationVersion(
            p.version,
            running.get(p.id, 0),
            {e.id: (e.name, e.type) for e in sorted(p.elements.values(), key=lambda e: e.line)},
        )
        for p in versions
    ]


def migrate_all(
    ctx: ServiceContext,
    key: str,
    source: int,
    target: int,
    actor: Principal,
    mapping: Mapping[str, str] | None = None,
    *,
    reason: str | None,
    case_ids: Collection[int] | None = None,
) -> list[dict[str, Any]]:
    """Move every running case on ``source`` to ``target`` (only those of ``case_ids`` if given), each
    case all or nothing on its own (as ``migrate_case``): the cases whose path fits move, the others
    stay and say why. The reason and the mapping are checked before any case moves."""
    require_repair_role(actor)
    why = require_reason(reason)
    with ctx.uow() as uow:
        old = ctx.versions.find(uow, key, source)
        check_mapping(old, ctx.versions.find(uow, key, target), mapping)
        cases = [(c.id, c.case_no) for c in _running_on(uow, key, old) if case_ids is None or c.id in case_ids]
    report = []
    for case_id, case_no in cases:
        try:
            migrate_case(ctx, case_id, target, actor, mapping, reason=why)
        except Conflict as exc:  # it no longer runs, or its path does not fit the target
            why_not = (
                [f"{e['kind']} {e['element_id']}: {e['detail']}" for e in exc.errors]
                if isinstance(exc.errors, list)
                else []
            )
            report.append({"case_id": case_id, "case_no": case_no, "moved": False, "why_not": why_not or [exc.message]})
            continue
        report.append({"case_id": case_id, "case_no": case_no, "moved": True, "why_not": []})
    return report


def export_version(ctx: ServiceContext, key: str, number: int | None, directory: str | Path) -> list[Path]:
    """Write a deployed version back as files (``<key>.bpmn`` and its forms under ``directory``), so
    that ``processes/`` and the database stay in step; deploying them again changes nothing."""
    root = Path(directory).resolve()
    with ctx.uow() as uow:
        process = ctx.versions.find(uow, key, number)
    files = {process.filename: process.bpmn_xml}
    for path, schema in process.forms.items():
        files[path] = (json.dumps(schema, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    written = []
    for name, content in sorted(files.items()):
        target = (root / name).resolve()
        if not target.is_relative_to(root):
            raise InvalidInput(f"{name!r} would be written outside {root}", errors={"path": [name]})
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written.append(target)
    return written
