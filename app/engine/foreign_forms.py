"""Forms and roles of user tasks drawn in other modelers, read into this project's terms.

A user task without a ``formJsonSchemaFilename`` gets a form all the same: its Camunda
``camunda:formField``s converted to JSON Schema (type, label, default, enum values, the
``required`` constraint), or else a generic completion form (an optional comment). Its role is
the lane's (``lane_<role>``, or a SpiffArena lane named after a role: "Technician"), else the
first of its ``camunda:candidateGroups`` (or its ``camunda:assignee``) that names a role. A task
with no role is one only an administrator may work.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from lxml import etree

from ..domain.roles import Role
from .definitions import FORM_PROPERTY
from .definitions import ElementInfo

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
GENERATED = "generated"  # the folder of the forms made here (no file of that name is read)
TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "long": {"type": "integer"},
    "integer": {"type": "integer"},
    "double": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
}


def _c(tag: str) -> str:
    return f"{{{CAMUNDA}}}{tag}"


def role_named(text: str | None) -> str | None:
    """The role a group, assignee or lane name names ("Technician", "cs agent", "lane_qa"), if any."""
    if not text:
        return None
    code = re.sub(r"[\s\-]+", "_", text.strip().lower()).removeprefix("lane_")
    return code if code in Role._value2member_map_ else None


def camunda_role(node: etree._Element) -> str | None:
    groups = (node.get(_c("candidateGroups")) or "").split(",")
    return next(filter(None, map(role_named, [*groups, node.get(_c("assignee"))])), None)


def _default(field: etree._Element, schema: dict[str, Any]) -> Any:
    value = field.get("defaultValue")
    if value is None or value.strip().startswith("${"):  # a JUEL expression: not a value
        return None
    try:
        if schema.get("type") == "integer":
            return int(value)
        if schema.get("type") == "number":
            return float(value)
    except ValueError:
        return None
    if schema.get("type") == "boolean":
        return value.strip().lower() == "true"
    return value


def has_camunda_fields(node: etree._Element) -> bool:
    return node.find(f".//{_c('formField')}") is not None


def camunda_form(node: etree._Element, title: str) -> dict[str, Any] | None:
    """The JSON Schema of a task's ``camunda:formField``s; None if it has none."""
    fields = node.findall(f".//{_c('formField')}")
    if not fields:
        return None
    properties: dict[str, Any] = {}
    required = []
    for field in fields:
        name = field.get("id")
        if not name:
            continue
        kind = field.get("type") or "string"
        schema: dict[str, Any] = dict(TYPES.get(kind, {"type": "string"}))
        schema["title"] = field.get("label") or name
        if kind == "enum":
            values = field.findall(_c("value"))
            schema["enum"] = [v.get("id") for v in values]
            schema["enumNames"] = [v.get("name") or v.get("id") for v in values]
        default = _default(field, schema)
        if default is not None:
            schema["default"] = default
        if any(c.get("name") == "required" for c in field.iter(_c("constraint"))):
            required.append(name)
        properties[name] = schema
    form: dict[str, Any] = {"type": "object", "title": title, "properties": properties}
    if required:
        form["required"] = required
    return form


def generic_form(title: str) -> dict[str, Any]:
    return {
        "type": "object",
        "title": title,
        "description": "完成此任务 / Mark this task done",
        "properties": {"comment": {"type": "string", "title": "备注 / Comment", "maxLength": 2000}},
        "additionalProperties": False,
    }


def with_foreign_forms(
    process: etree._Element, key: str, elements: dict[str, ElementInfo], forms: dict[str, dict[str, Any]]
) -> tuple[dict[str, ElementInfo], dict[str, dict[str, Any]]]:
    """``elements`` and ``forms`` with a form for each user task that names none, and a role for
    each task whose lane names none but whose Camunda attributes or lane name do."""
    nodes = {n.get("id"): n for n in process.iter() if isinstance(n.tag, str) and n.get("id")}
    lane_names = {lane.get("id"): lane.get("name") for lane in process.iter("{*}lane")}
    elements, forms = dict(elements), dict(forms)
    for element_id, info in elements.items():
        if info.type != "userTask" or element_id not in nodes:
            continue
        node = nodes[element_id]
        changed = info
        if info.role is None:
            role = role_named(lane_names.get(info.lane)) or camunda_role(node)
            if role is not None:
                changed = replace(changed, role=role)
        if not info.form:
            title = info.name or element_id
            path = f"{GENERATED}/{key}/{element_id}.json"
            forms[path] = camunda_form(node, title) or generic_form(title)
            changed = replace(changed, properties={**info.properties, FORM_PROPERTY: path})
        elements[element_id] = changed
    return elements, forms
