"""Starting a procedure in the workbench, and the helps its panel gives while one is modelled.

A new procedure is a draft (``workbench.save_draft``) of a key nobody deployed yet: a blank pool
with the lanes chosen, or a copy of a deployed procedure's latest version (diagram and forms) under
the new key. An imported ``.bpmn`` file is checked as a deploy would check it: errors refuse it,
warnings come back with the draft. The panel lints one piece of code as it is typed, with the
deploy's own sandbox lint, and picks a lane's role from the roles with how many users hold each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ...domain.principal import Principal
from ...domain.roles import LANE_NAMES
from ...domain.roles import LANE_PREFIX
from ...domain.roles import WORKING_ROLES
from ...domain.roles import Role
from ...domain.scripting_helpers import make_helpers
from ...engine import load_definitions
from ...engine.authoring import CodeKind as CodeKind
from ...engine.authoring import blank_diagram
from ...engine.authoring import copied_diagram
from ...engine.authoring import lint_code
from ...engine.authoring import process_name
from ...errors import Conflict
from ...errors import DiagramError
from ...errors import InvalidInput
from ...errors import NotFound
from ...errors import Problem
from ...errors import Severity
from ...persistence.diagram_drafts import DiagramDraft
from ..context import ServiceContext
from . import workbench

KEY = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
MAX_NAME = 120


@dataclass(frozen=True)
class NewProcedure:
    key: str
    name_zh: str
    name_en: str
    lanes: tuple[Role, ...] = ()  # a blank pool's lanes, top to bottom
    copy_of: str | None = None  # a deployed process whose latest version is copied instead


@dataclass(frozen=True)
class Imported:
    draft: DiagramDraft
    warnings: list[Problem]


@dataclass(frozen=True)
class LaneRole:
    role: Role
    lane_id: str
    name: str  # "中文 / English"
    users: int  # active users holding the role


def _name(request: NewProcedure) -> str:
    zh, en = request.name_zh.strip(), request.name_en.strip()
    errors = {}
    for field, value in (("name_zh", zh), ("name_en", en)):
        if not value:
            errors[field] = ["required"]
        elif len(value) > MAX_NAME:
            errors[field] = [f"at most {MAX_NAME} characters"]
        elif " / " in value:
            errors[field] = ["without ' / ' (it separates the two languages)"]
    if errors:
        raise InvalidInput("a procedure is named in Chinese and in English", errors=errors)
    return f"{zh} / {en}"


def _check_new_key(ctx: ServiceContext, key: str, actor: Principal) -> None:
    if not isinstance(key, str) or not KEY.match(key):
        raise InvalidInput(
            f"{key!r} is not a process key: lower case letters, digits and _, starting with a letter",
            errors={"key": ["snake_case, 2 to 63 characters"]},
        )
    with ctx.uow() as uow:
        deployed = uow.versions.latest(key) is not None
        drafted = uow.diagram_drafts.get(actor.username, key) is not None
    if deployed:
        raise Conflict(f"a process {key} is already deployed; open it in the workbench to change it")
    if drafted:
        raise Conflict(f"you already have a draft of {key}; open it or discard it first")


def new_procedure(ctx: ServiceContext, request: NewProcedure, actor: Principal) -> DiagramDraft:
    """The draft of a new procedure (a key not deployed yet), blank or copied from another."""
    workbench.require_edit(actor)
    _check_new_key(ctx, request.key, actor)
    name = _name(request)
    key = request.key
    if request.copy_of:
        try:
            source = workbench.version_source(ctx, request.copy_of, None, actor)
        except NotFound:
            raise InvalidInput(
                f"no deployed process {request.copy_of!r} to copy", errors={"copy_of": ["not deployed"]}
            ) from None
        xml = copied_diagram(source.xml, source.key, key, name)
        old, new = f"forms/{source.key}/", f"forms/{key}/"
        forms = {new + p.removeprefix(old) if p.startswith(old) else p: f for p, f in source.forms.items()}
    else:
        lanes = request.lanes or ()
        if not lanes or any(role not in WORKING_ROLES for role in lanes) or len(set(lanes)) != len(lanes):
            raise InvalidInput(
                "a blank procedure needs one lane or more, each a different working role",
                errors={"lanes": [f"choose from {', '.join(sorted(WORKING_ROLES))}"]},
            )
        xml = blank_diagram(key, name, [(LANE_PREFIX + role, LANE_NAMES[role]) for role in lanes])
        forms = {}
    return workbench.save_draft(ctx, key, f"{key}.bpmn", xml, forms, actor)


def import_diagram(
    ctx: ServiceContext, filename: str, xml: str, actor: Principal, forms: workbench.Forms | None = None
) -> Imported:
    """A ``.bpmn`` file (with ``forms``, path → JSON Schema) as a draft under its (first) executable
    process's id, if a deploy would take it; DiagramError with every problem if not. A file of a
    deployed process becomes a draft of its next version."""
    workbench.require_edit(actor)
    forms = forms or {}
    workbench.check_payload(filename, xml, forms)
    problems = workbench.validate_source(ctx, filename, xml, forms, actor)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise DiagramError(errors)
    key = load_definitions(filename, xml.encode("utf-8"), workbench.form_reader(forms))[0].key
    with ctx.uow() as uow:
        latest = uow.versions.latest(key)
    draft = workbench.save_draft(
        ctx, key, f"{key}.bpmn", xml, forms, actor, base_version=latest.version if latest else None
    )
    return Imported(draft, [p for p in problems if p.severity is Severity.WARNING])


def lint(code: str, kind: CodeKind, actor: Principal) -> list[Problem]:
    """What the deploy's sandbox lint says of one script, condition or timer expression."""
    workbench.require_edit(actor)
    if not isinstance(code, str) or len(code) > workbench.MAX_FORMS_BYTES:
        raise InvalidInput("code must be text of at most 512 kB", errors={"code": ["expected a string"]})
    return lint_code(code, kind)


def lane_roles(ctx: ServiceContext, actor: Principal) -> list[LaneRole]:
    """The roles a lane may stand for (the working roles), with how many active users hold each."""
    workbench.require_edit(actor)
    with ctx.uow() as uow:
        counts = uow.users.count_by_role()
    return [
        LaneRole(role, LANE_PREFIX + role, LANE_NAMES[role], counts.get(role, 0))
        for role in Role
        if role in WORKING_ROLES
    ]


def draft_name(draft: DiagramDraft) -> str:
    """The name a draft gives its process ("中文 / English"), else its key."""
    return process_name(draft.xml, draft.process_key) or draft.process_key


def helper_names() -> list[str]:
    """The functions a diagram's code may call (the names only: nothing is bound or run)."""
    return sorted(make_helpers(lambda: None, lambda: None, ZoneInfo("UTC")))
