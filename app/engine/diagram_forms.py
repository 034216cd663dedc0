"""The forms a diagram names: loading them, markup in their texts, and where a start form may sit.

A form is a JSON Schema file named by an element's ``formJsonSchemaFilename`` property and read
through the deploy's ``FormReader``; it must exist, be valid JSON Schema of ``"type": "object"``,
and hold no markup in its texts (they are shown as plain text); a field's ``x-visible-if`` names other
fields of the form, its ``x-lookup`` a known look-up. A start form (the data a case may
be opened with) sits on the process's own start event, one per process, and refuses fields it
does not name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree

from ..domain.diagram_problems import problem
from ..errors import Problem
from .catalogue import q
from .definitions import ElementInfo

FormReader = Callable[[str], bytes]
Forms = dict[str, dict[str, Any]]  # form path, as the diagram names it -> JSON Schema

# The start of a tag, a closing tag, a comment or a processing instruction ("a < b" is text).
MARKUP = re.compile(r"<[A-Za-z!/?]")
FORM_TEXTS = ("title", "description")
LOOKUPS = frozenset({"customer", "unit", "technician"})  # static/js/form-render.js, /api/v1/lookups


def load_forms(filename: str, elements: dict[str, ElementInfo], read_form: FormReader) -> tuple[Forms, list[Problem]]:
    """Each form named in the diagram, read once; a problem for each that is missing or invalid."""
    forms, problems = {}, []
    for info in elements.values():
        if not info.form or info.form in forms:
            continue
        try:
            schema = json.loads(read_form(info.form))
            Draft202012Validator.check_schema(schema)
            if schema.get("type") != "object":
                raise SchemaError('a form schema must have "type": "object"')
            forms[info.form] = schema
        except FileNotFoundError:
            problems.append(problem(filename, "form-not-found", info.id, info.line, form=repr(info.form)))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(problem(filename, "form-not-json", info.id, info.line, form=repr(info.form), detail=exc))
        except SchemaError as exc:
            problems.append(
                problem(filename, "form-not-schema", info.id, info.line, form=repr(info.form), detail=exc.message)
            )
    return forms, problems


def form_markup(schema: Any, pointer: str = "") -> list[tuple[str, str]]:
    """(JSON pointer, text) of each text of a form that holds markup: titles, descriptions, enumNames."""
    found = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            here = f"{pointer}/{key}"
            if key in FORM_TEXTS and isinstance(value, str) and MARKUP.search(value):
                found.append((here, value))
            elif key == "enumNames" and isinstance(value, list):
                found += [(f"{here}/{i}", t) for i, t in enumerate(value) if isinstance(t, str) and MARKUP.search(t)]
            else:
                found += form_markup(value, here)
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found += form_markup(value, f"{pointer}/{i}")
    return found


def markup_problems(filename: str, elements: dict[str, ElementInfo], forms: Forms) -> list[Problem]:
    """A problem for each form text holding markup, on the first element that names the form."""
    problems = []
    for path, schema in forms.items():
        task = next((info for info in elements.values() if info.form == path), None)
        for pointer, text in form_markup(schema):
            at = (task.id, task.line) if task else (None, None)
            shown = {"form": repr(path), "pointer": pointer, "text": repr(text[:60])}
            problems.append(problem(filename, "form-markup", *at, **shown))
    return problems


def _field_problems(schema: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """What is wrong with the ``x-visible-if`` and ``x-lookup`` of the form's top-level fields: message
    codes (domain/diagram_problems.py) with their parameters."""
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    found = []
    for key, field in properties.items():
        if not isinstance(field, dict):
            continue
        when = field.get("x-visible-if")
        if when is not None:
            scalar = (str, int, float, bool, type(None))
            fine = (
                isinstance(when, dict)
                and bool(when)
                and all(
                    other in properties
                    and other != key
                    and (isinstance(v, scalar) or (isinstance(v, list) and all(isinstance(i, scalar) for i in v)))
                    for other, v in when.items()
                )
            )
            if not fine:
                found.append(
                    ("form-visible-if", {"field": repr(key), "got": json.dumps(when, ensure_ascii=False)[:80]})
                )
        lookup = field.get("x-lookup")
        if lookup is not None and lookup not in LOOKUPS:
            found.append(
                (
                    "form-lookup-unknown",
                    {"field": repr(key), "lookup": repr(lookup), "known": ", ".join(sorted(LOOKUPS))},
                )
            )
    return found


def field_problems(filename: str, elements: dict[str, ElementInfo], forms: Forms) -> list[Problem]:
    """A problem for each condition or look-up of a form field that cannot work, on the first element
    naming the form (a condition on a field the form lacks would hide its field for good)."""
    problems = []
    for path, schema in forms.items():
        task = next((info for info in elements.values() if info.form == path), None)
        for code, params in _field_problems(schema):
            problems.append(
                problem(
                    filename, code, task.id if task else None, task.line if task else None, form=repr(path), **params
                )
            )
    return problems


def start_events_with_form(elements: dict[str, ElementInfo]) -> list[ElementInfo]:
    return [e for e in elements.values() if e.type == "startEvent" and e.form]


def misplaced_start_forms(filename: str, process: etree._Element, elements: dict[str, ElementInfo]) -> list[Problem]:
    """Start forms on a subprocess's start event: only the process's own start takes start data."""
    top_level = {node.get("id") for node in process.findall(q("startEvent"))}
    return [
        problem(filename, "start-form-in-subprocess", e.id, e.line)
        for e in start_events_with_form(elements)
        if e.id not in top_level
    ]


def open_start_forms(filename: str, elements: dict[str, ElementInfo], forms: Forms) -> list[Problem]:
    """Start forms that would take fields they do not name (a form that failed to load is skipped)."""
    problems = []
    for info in start_events_with_form(elements):
        schema = forms.get(info.form)
        if schema is not None and schema.get("additionalProperties") is not False:
            problems.append(problem(filename, "start-form-open", info.id, info.line, form=repr(info.form)))
    return problems


def extra_start_forms(filename: str, elements: dict[str, ElementInfo]) -> list[Problem]:
    """A process has at most one start form; the second one found is named."""
    with_form = start_events_with_form(elements)
    if len(with_form) <= 1:
        return []
    return [problem(filename, "start-forms-several", with_form[1].id, with_form[1].line)]
