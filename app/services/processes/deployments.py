"""Deploying diagrams as versions: all of a set or none, unchanged diagrams skipped."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...engine import CalledFile
from ...engine import ProcessDefinition
from ...engine import Resolver
from ...engine import load_directory
from ...errors import Conflict
from ...errors import NotFound
from ...errors import Problem
from ...persistence.orm import ProcessVersion
from ..cases.start_form import refuse_reserved_start_fields
from ..context import ServiceContext


@dataclass(frozen=True)
class DeployResult:
    process_key: str
    version: int | None  # None: a dry run, nothing deployed
    created: bool  # False: this exact content was already deployed
    warnings: tuple[Problem, ...] = ()  # the house conventions the diagram breaks (advice)


def deploy_definitions(
    ctx: ServiceContext,
    definitions: list[ProcessDefinition],
    *,
    actor: str | None,
    base_versions: dict[str, int] | None = None,
) -> list[DeployResult]:
    """Store each changed definition as a new version, in one transaction.

    :param base_versions: per process, the version an edit started from; if another version was
        deployed since, the deploy is refused (409) instead of silently replacing that one
    """
    refuse_reserved_start_fields(ctx, definitions)
    results = []
    now = ctx.clock.now()
    with ctx.uow() as uow:
        for definition in definitions:
            existing = uow.versions.by_hash(definition.key, definition.content_hash)
            latest = uow.versions.latest(definition.key)
            base = (base_versions or {}).get(definition.key)
            if base is not None and latest is not None and latest.version != base:
                raise Conflict(
                    f"version {latest.version} of {definition.key} was deployed by {latest.deployed_by or 'someone'} "
                    f"after you started from version {base}",
                    errors={"base_version": [f"latest is {latest.version}"]},
                )
            if existing is not None and latest is not None and latest.id == existing.id:
                results.append(DeployResult(definition.key, existing.version, False, definition.warnings))
                continue
            number = (latest.version + 1) if latest else 1
            uow.versions.add(
                ProcessVersion(
                    process_key=definition.key,
                    version=number,
                    name=definition.name,
                    filename=definition.filename,
                    content_hash=definition.content_hash,
                    bpmn_xml=definition.xml,
                    forms=definition.forms,
                    elements={k: v.to_dict() for k, v in definition.elements.items()},
                    calls={name: xml.decode("utf-8") for name, xml in definition.calls.items()},
                    deployed_at=now,
                    deployed_by=actor,
                )
            )
            results.append(DeployResult(definition.key, number, True, definition.warnings))
        uow.commit()  # a deploy of the same process at the same moment: Busy (409), nothing kept
    return results


def deployed_processes(ctx: ServiceContext) -> Resolver:
    """Finds the latest deployed version of a process a call activity names (its file and forms)."""

    def resolve(key: str) -> CalledFile | None:
        with ctx.uow() as uow:
            latest = uow.versions.latest(key)
            version = ctx.versions.get(uow, latest.id) if latest is not None else None
        if version is None:
            return None
        return CalledFile(version.filename, version.bpmn_xml, forms_reader(version.forms))

    return resolve


def owner_lane_roles(ctx: ServiceContext) -> dict[str, dict[str, str]]:
    """The process owners' lane roles (process key -> lane id -> role), applied at deploy."""
    with ctx.uow() as uow:
        return uow.lane_roles.all()


def forms_reader(forms: dict[str, Any]) -> Callable[[str], bytes]:
    """A form reader over stored forms (FileNotFoundError for a path not among them)."""

    def read(path: str) -> bytes:
        if path not in forms:
            raise FileNotFoundError(path)
        return json.dumps(forms[path]).encode()

    return read


def deploy_directory(
    ctx: ServiceContext, directory: str | Path | None = None, *, actor: str | None = None, strict: bool = False
) -> list[DeployResult]:
    """Validate every diagram in ``processes/`` (refusing all if one is bad), then deploy.

    ``strict``: a broken house convention refuses the set too (the project's own diagrams)."""
    definitions = load_directory(
        directory or ctx.processes_dir,
        strict=strict,
        deployed=deployed_processes(ctx),
        lane_roles=owner_lane_roles(ctx),
    )
    return deploy_definitions(ctx, definitions, actor=actor)


def process_overview(ctx: ServiceContext, key: str | None = None) -> list[dict]:
    """Per deployed process (or only ``key``): its latest version, every version number, its running cases."""
    with ctx.uow() as uow:
        versions = uow.versions.all_versions(key)
        running = uow.instances.count_by_version()
    latest: dict[str, dict] = {}
    for v in versions:
        row = latest.setdefault(v.process_key, {"versions": [], "running_instances": 0})
        row["versions"].append(v.version)
        row["running_instances"] += running.get(v.id, 0)
        row.update(
            key=v.process_key,
            name=v.name,
            version=v.version,
            version_id=v.id,
            content_hash=v.content_hash,
            deployed_at=v.deployed_at,
            deployed_by=v.deployed_by,
        )
    return list(latest.values())


def require_deployed(ctx: ServiceContext, process_key: str) -> None:
    """NotFound unless ``process_key`` has a deployed version."""
    with ctx.uow() as uow:
        if uow.versions.latest(process_key) is None:
            raise NotFound(f"no deployed process {process_key!r}")
