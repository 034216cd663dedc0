"""The process workbench: a process owner reads a deployed version's diagram and forms, edits them in
the browser, sees the problems a deploy would refuse, deploys a new version, and keeps unfinished
edits as drafts on the server.

Validation is the deploy's own (``engine.load_definition``) with the forms sent along with the
diagram; nothing here reads or writes the ``processes/`` folder. Process owners and administrators
change things; the auditor may read the deployed versions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from typing import Any

from jsonschema.exceptions import SchemaError

from ...domain.principal import Principal
from ...domain.roles import Role
from ...engine import ProcessDefinition
from ...engine import load_definitions
from ...engine import load_set
from ...errors import DiagramError
from ...errors import Forbidden
from ...errors import InvalidInput
from ...errors import NotFound
from ...errors import Problem
from ...errors import Severity
from ...persistence.diagram_drafts import DiagramDraft
from ..cases.start_form import start_form_problems
from ..context import ServiceContext
from .deployments import DeployResult
from .deployments import deploy_definitions
from .deployments import deployed_processes
from .deployments import owner_lane_roles

EDIT_ROLES = frozenset({Role.ADMIN, Role.PROCESS_OWNER})
READ_ROLES = EDIT_ROLES | {Role.AUDITOR}
MAX_XML_BYTES = 2 * 1024 * 1024
MAX_FORMS_BYTES = 512 * 1024
# A file name without folders; other modelers' names hold dots and digits first (C.9.1.bpmn). The
# process key is the process id; by the house convention it is also the file stem.
FILENAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\.bpmn$")

# A form as sent by the browser: the JSON Schema, or the text being typed when it is not JSON yet.
Forms = dict[str, Any]


class PayloadTooLarge(InvalidInput):
    http_status = 413


@dataclass(frozen=True)
class VersionSource:
    key: str
    version: int
    filename: str
    xml: str
    forms: dict[str, dict[str, Any]]
    deployed_at: datetime
    deployed_by: str | None


@dataclass(frozen=True)
class VersionSummary:
    version: int
    name: str
    deployed_at: datetime
    deployed_by: str | None
    content_hash: str
    cases: int
    key: str = ""


def may_edit(actor: Principal | None) -> bool:
    """May this user validate, deploy and keep drafts of diagrams?"""
    return actor is not None and not actor.read_only and bool(actor.roles & EDIT_ROLES)


def may_read(actor: Principal | None) -> bool:
    return actor is not None and bool(actor.roles & READ_ROLES)


def require_edit(actor: Principal) -> None:
    if not may_edit(actor):
        raise Forbidden("only a process owner or an administrator may change diagrams")


def _require_read(actor: Principal) -> None:
    if not may_read(actor):
        raise Forbidden("only process owners, administrators and auditors may read diagram versions")


def version_source(ctx: ServiceContext, key: str, version: int | None, actor: Principal) -> VersionSource:
    """The BPMN XML and the forms (path → JSON Schema) of a deployed version; the latest if ``version`` is None."""
    _require_read(actor)
    with ctx.uow() as uow:
        if version is None:
            row = uow.versions.latest(key)
        else:
            row = next((v for v in uow.versions.all_versions(key) if v.version == version), None)
        if row is None:
            raise NotFound(f"{key} has no version {version}" if version is not None else f"no deployed process {key!r}")
        deployed = ctx.versions.get(uow, row.id)
    return VersionSource(
        key=key,
        version=deployed.version,
        filename=deployed.filename,
        xml=deployed.bpmn_xml.decode("utf-8"),
        forms=deployed.forms,
        deployed_at=row.deployed_at,
        deployed_by=row.deployed_by,
    )


def list_processes(ctx: ServiceContext, actor: Principal) -> list[VersionSummary]:
    """The latest version of every deployed process, by key (``name`` holds the process name)."""
    _require_read(actor)
    with ctx.uow() as uow:
        rows = sorted(uow.versions.latest_all(), key=lambda r: r.process_key)
        cases = uow.instances.count_by_version()
    return [
        VersionSummary(
            r.version, r.name, r.deployed_at, r.deployed_by, r.content_hash, cases.get(r.id, 0), r.process_key
        )
        for r in rows
    ]


def list_versions(ctx: ServiceContext, key: str, actor: Principal) -> list[VersionSummary]:
    """Every deployed version of a process, newest first, with how many cases started on it."""
    _require_read(actor)
    with ctx.uow() as uow:
        rows = uow.versions.all_versions(key)
        cases = uow.instances.count_by_version()
    if not rows:
        raise NotFound(f"no deployed process {key!r}")
    return [
        VersionSummary(r.version, r.name, r.deployed_at, r.deployed_by, r.content_hash, cases.get(r.id, 0))
        for r in reversed(rows)
    ]


def _key_of(filename: str) -> str:
    if not isinstance(filename, str) or not FILENAME.match(filename):
        raise InvalidInput(
            f"{filename!r} is not a diagram file name; use <name>.bpmn (letters, digits, _ . -)",
            errors={"filename": ["expected <name>.bpmn, without folders"]},
        )
    return filename.removesuffix(".bpmn")


def check_payload(filename: str, xml: str, forms: Forms) -> str:
    """The process key; refuses a bad file name, non-text XML, malformed forms and oversized input."""
    key = _key_of(filename)
    if not isinstance(xml, str):
        raise InvalidInput("the diagram must be sent as XML text", errors={"xml": ["expected a string"]})
    if not isinstance(forms, dict) or not all(isinstance(p, str) and p for p in forms):
        raise InvalidInput("forms must map form paths to JSON Schemas", errors={"forms": ["expected an object"]})
    size = len(xml.encode("utf-8"))
    if size > MAX_XML_BYTES:
        raise PayloadTooLarge(
            f"the diagram is {size} bytes; the limit is {MAX_XML_BYTES} bytes (2 MB)",
            errors={"xml": [f"at most {MAX_XML_BYTES} bytes"]},
        )
    forms_size = len(json.dumps(forms, ensure_ascii=False).encode("utf-8"))
    if forms_size > MAX_FORMS_BYTES:
        raise PayloadTooLarge(
            f"the forms are {forms_size} bytes together; the limit is {MAX_FORMS_BYTES} bytes (512 kB)",
            errors={"forms": [f"at most {MAX_FORMS_BYTES} bytes"]},
        )
    return key


def form_reader(forms: Forms) -> Callable[[str], bytes]:
    """The loader's form reader over the forms sent: text is read as typed, anything else as JSON."""

    def read_form(path: str) -> bytes:
        if path not in forms:
            raise FileNotFoundError(path)
        value = forms[path]
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                return forms[path].encode("utf-8")  # the loader reports the syntax error on its task
        if not isinstance(value, dict):
            raise SchemaError(f"a form schema must be a JSON object, not {type(value).__name__}")
        return json.dumps(value, ensure_ascii=False).encode("utf-8")

    return read_form


def _load(ctx: ServiceContext, filename: str, xml: str, forms: Forms, strict: bool = False) -> list[ProcessDefinition]:
    """The validated definitions (one per executable process of the file), or DiagramError with
    every problem (the deploy's own checks). A call activity may call a deployed process."""
    check_payload(filename, xml, forms)
    return load_definitions(
        filename,
        xml.encode("utf-8"),
        form_reader(forms),
        strict=strict,
        resolve=deployed_processes(ctx),
        lane_roles=owner_lane_roles(ctx),
    )


def validate_source(
    ctx: ServiceContext, filename: str, xml: str, forms: Forms, actor: Principal, *, strict: bool = False
) -> list[Problem]:
    """What a deploy of this diagram with these forms would say: its errors (refused) and warnings
    (``Problem.severity``); empty when it would deploy without a remark. ``strict``: warnings refuse too."""
    require_edit(actor)
    try:
        definitions = _load(ctx, filename, xml, forms)
    except DiagramError as exc:
        problems = exc.problems
    else:
        problems = [p for d in definitions for p in (*start_form_problems(ctx, d), *d.warnings)]
    return [replace(p, severity=Severity.ERROR) for p in problems] if strict else problems


def deploy_source(
    ctx: ServiceContext,
    filename: str,
    xml: str,
    forms: Forms,
    actor: Principal,
    *,
    base_version: int | None = None,
    strict: bool = False,
) -> DeployResult:
    """Validate, then deploy as a new version (unchanged content: no new version); all or nothing.
    Its warnings come back with the result (``strict``: they refuse it).

    ``base_version``: the version the edit started from; if another one was deployed meanwhile the
    deploy is refused (409) rather than silently overwriting it. The actor's draft of the process
    is removed once deployed. Running cases stay on their version.
    """
    return deploy_sources(ctx, filename, xml, forms, actor, base_version=base_version, strict=strict)[0]


def deploy_sources(
    ctx: ServiceContext,
    filename: str,
    xml: str,
    forms: Forms,
    actor: Principal,
    *,
    base_version: int | None = None,
    strict: bool = False,
) -> list[DeployResult]:
    """``deploy_source`` for a file of several executable processes (a collaboration): each is
    deployed under its process id, all or none; ``base_version`` is that of the first."""
    require_edit(actor)
    definitions = _load(ctx, filename, xml, forms, strict)
    bases = {definitions[0].key: base_version} if base_version is not None else None
    results = deploy_definitions(ctx, definitions, actor=actor.username, base_versions=bases)
    for definition in definitions:
        delete_draft(ctx, definition.key, actor)
    return results


def deploy_set(
    ctx: ServiceContext,
    files: list[tuple[str, str]],
    forms: Forms,
    actor: Principal,
    *,
    dry_run: bool = False,
    strict: bool = False,
) -> list[DeployResult]:
    """Several diagram files deployed together, all or none: a call activity of one may call a
    process of another (or one already deployed). Raises DiagramError with every file's problems;
    a dry run deploys nothing (versions None)."""
    require_edit(actor)
    for filename, xml in files:
        check_payload(filename, xml, forms)
    reader = form_reader(forms)
    encoded = [(filename, xml.encode("utf-8")) for filename, xml in files]
    definitions = load_set(
        encoded, reader, strict=strict, deployed=deployed_processes(ctx), lane_roles=owner_lane_roles(ctx)
    )
    if dry_run:
        return [DeployResult(d.key, None, False, d.warnings) for d in definitions]
    results = deploy_definitions(ctx, definitions, actor=actor.username)
    for definition in definitions:
        delete_draft(ctx, definition.key, actor)
    return results


def save_draft(
    ctx: ServiceContext,
    key: str,
    filename: str,
    xml: str,
    forms: Forms,
    actor: Principal,
    *,
    base_version: int | None = None,
) -> DiagramDraft:
    """Keep the user's edit of a process (not validated: work in progress may be broken)."""
    require_edit(actor)
    if check_payload(filename, xml, forms) != key:
        raise InvalidInput(f"a draft of {key} must be named {key}.bpmn", errors={"filename": [f"expected {key}.bpmn"]})
    with ctx.uow() as uow:
        draft = uow.diagram_drafts.put(
            actor.username,
            key,
            filename=filename,
            xml=xml,
            forms=forms,
            base_version=base_version,
            now=ctx.clock.now(),
        )
        uow.commit()
        return draft


def find_draft(ctx: ServiceContext, key: str, actor: Principal) -> DiagramDraft | None:
    """The user's draft of the process, or None (also for users who may not edit)."""
    if not may_edit(actor):
        return None
    with ctx.uow() as uow:
        return uow.diagram_drafts.get(actor.username, key)


def get_draft(ctx: ServiceContext, key: str, actor: Principal) -> DiagramDraft:
    require_edit(actor)
    draft = find_draft(ctx, key, actor)
    if draft is None:
        raise NotFound(f"no draft of {key} for {actor.username}")
    return draft


def list_drafts(ctx: ServiceContext, actor: Principal) -> list[DiagramDraft]:
    """The user's drafts, by process key."""
    require_edit(actor)
    with ctx.uow() as uow:
        return uow.diagram_drafts.of_user(actor.username)


def delete_draft(ctx: ServiceContext, key: str, actor: Principal) -> None:
    """Forget the user's draft of a process; idempotent."""
    require_edit(actor)
    with ctx.uow() as uow:
        uow.diagram_drafts.remove(actor.username, key)
        uow.commit()
