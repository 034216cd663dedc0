"""Start data: what a case may be opened with, checked against its process's start form.

A process's start form is the JSON Schema its start event names (``formJsonSchemaFilename``, as
user tasks name theirs; see docs/diagram-conventions.md). Every case opens through
``progress.open_case`` — started by a user (API, workspace), by a schedule, or by another case's
message — and its start data is checked here first, so nothing reaches the engine unchecked:

- a process without a start form takes an empty object only;
- a field the start form does not name is refused (the loader also demands
  ``"additionalProperties": false`` of every start form);
- reserved names are refused whatever the form says: names the diagrams' scripts use (helpers such
  as ``add_days`` or ``now``, builtins, the sandbox's guards), names starting with ``_``, the
  variables the application writes itself (``APPLICATION_KEYS``), and role names — the case data
  under a role's name picks the person that role's next task is handed to (progress._assignee_for);
- a field the form marks ``"readOnly": true`` is the application's to set (a schedule's computed
  figures, the annual plan's item numbers): a user may not give it;
- the rest is validated like any task form (forms.validate), defaults filled in.
"""

from __future__ import annotations

from typing import Any

from ...domain.cases import APPLICATION_KEYS
from ...domain.diagram_problems import problem
from ...domain.roles import Role
from ...engine import ProcessDefinition
from ...errors import DiagramError
from ...errors import InvalidInput
from ...errors import Problem
from ..context import ServiceContext
from ..processes.version_cache import DeployedProcess
from ..tasks import forms

# A field under a role's name picks who that role's tasks go to; not ``customer``: the customer's
# record in a case's data, never a user (journal._assignee_for).
ROLE_NAMES = frozenset(r.value for r in Role if r != Role.CUSTOMER)


def _reserved(ctx: ServiceContext, name: str) -> str | None:
    """Why ``name`` may not be a start data field, or None."""
    if name.startswith("_"):
        return "names starting with _ are reserved"
    if name in ROLE_NAMES:
        return f"names the person the {name} tasks go to; hand a task over by claiming or delegating it"
    if name in APPLICATION_KEYS:
        return "is written by the application itself"
    if name in ctx.engine.script_names:
        return "is a name the diagrams' scripts use (a helper or a builtin)"
    return None


def checked_start_data(
    ctx: ServiceContext, process: DeployedProcess, data: Any, *, by_user: bool, prefix: str = ""
) -> dict[str, Any]:
    """``data`` as the case may start with it (defaults filled), or InvalidInput naming each field.

    :param by_user: a person starts the case (``readOnly`` fields are refused); False for the
        application's own starts (schedules, messages from other cases)
    :param prefix: put before each field's name in the errors (e.g. ``"data."`` for a schedule's data)
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidInput("the start data must be a JSON object", errors={prefix or "_schema": ["expected an object"]})
    schema = process.start_form
    fields = (schema or {}).get("properties") or {}
    errors: dict[str, list[str]] = {}
    for name in data:
        reason = _reserved(ctx, name)
        if reason is None and name not in fields:
            reason = (
                f"is not a field of the start form of {process.process_key}"
                if schema is not None
                else f"{process.process_key} takes no start data (an empty object only)"
            )
        if reason is None and by_user and isinstance(fields[name], dict) and fields[name].get("readOnly"):
            reason = "is set by the application only"
        if reason is not None:
            errors[name] = [reason]
    valid: dict[str, Any] = {}
    if schema is not None:
        try:
            valid = forms.validate(schema, {k: v for k, v in data.items() if k not in errors})
        except InvalidInput as exc:
            for name, messages in (exc.errors or {}).items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        count = sum(map(len, errors.values()))
        raise InvalidInput(
            f"{count} field error(s) in the start data of {process.process_key}",
            errors={f"{prefix}{name}": messages for name, messages in errors.items()},
        )
    return valid


def start_form_problems(ctx: ServiceContext, definition: ProcessDefinition) -> list[Problem]:
    """Fields of a start form under a reserved name: a deploy refuses them (no start could use them)."""
    problems = []
    for info in definition.elements.values():
        schema = definition.forms.get(info.form) if info.type == "startEvent" and info.form else None
        for name in (schema or {}).get("properties") or {}:
            reason = _reserved(ctx, name)
            if reason:
                at = (definition.filename, "start-form-field-reserved", info.id, info.line)
                problems.append(problem(*at, name=repr(name), detail=reason))
    return problems


def refuse_reserved_start_fields(ctx: ServiceContext, definitions: list[ProcessDefinition]) -> None:
    problems = [p for d in definitions for p in start_form_problems(ctx, d)]
    if problems:
        raise DiagramError(problems)
