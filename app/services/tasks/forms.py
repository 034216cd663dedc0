"""Task forms: the JSON Schema a task shows (with live options) and the validation that decides.

The server is the authority: submitted data is checked against the same schema the client
got, including the ranked technician options, and rejected with errors per field.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from datetime import date
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema import FormatChecker

from ...domain.iso8601 import parse_moment
from ...errors import InvalidInput

OptionSource = Callable[[dict[str, Any]], list[dict[str, str]]]

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


@_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(parse_moment(value))


def effective_schema(
    schema: dict[str, Any], case_data: dict[str, Any], sources: dict[str, OptionSource]
) -> dict[str, Any]:
    """The schema as the case makes it: ``x-options`` fields get their current choices as ``oneOf``,
    and a ``readOnly`` field the case already holds is the case's (shown with its value, and any other
    value refused: the annual plan's year is the one the schedule opened it for, not one typed in), and
    an ``x-default-from`` field is prefilled with the case's value of the field it names."""
    result = copy.deepcopy(schema)
    for name, prop in result.get("properties", {}).items():
        if not isinstance(prop, dict):
            continue
        items = prop.get("items") if prop.get("type") == "array" else None
        target = items if isinstance(items, dict) and "x-options" in items else prop  # a list of choices
        source = sources.get(target.get("x-options", ""))
        if source is not None:
            target["oneOf"] = source(case_data) or [{"const": "", "title": "no eligible choice / 无可选项"}]
        for inner in (items or {}).get("properties", {}).values():  # a field of each row (an action's owner)
            inner_source = sources.get(inner.get("x-options", "")) if isinstance(inner, dict) else None
            if inner_source is not None:
                inner["oneOf"] = inner_source(case_data) or [{"const": "", "title": "no eligible choice / 无可选项"}]
        if prop.get("readOnly") and case_data.get(name) is not None:
            prop["const"] = prop["default"] = case_data[name]
        elif isinstance(prop.get("x-default-from"), str) and case_data.get(prop["x-default-from"]) is not None:
            prop["default"] = case_data[prop["x-default-from"]]  # prefilled (the amount from the quote)
        _narrow_by_case(prop, case_data)
    return result


def _narrow_by_case(prop: dict[str, Any], case_data: dict[str, Any]) -> None:
    """``"x-allowed-by": {"field": f, "allowed": {value: {"choices": [...], "message": "..."}}}`` on an
    enum field: when the case's ``f`` has that value only those choices are offered and accepted, and a
    refusal says the form's own words (a consultation is not an on-site service)."""
    rule = prop.get("x-allowed-by")
    if not isinstance(rule, dict) or not isinstance(prop.get("enum"), list):
        return
    allowed = (rule.get("allowed") or {}).get(str(case_data.get(rule.get("field"))))
    if not isinstance(allowed, dict) or not isinstance(allowed.get("choices"), list):
        return
    keep = [i for i, value in enumerate(prop["enum"]) if value in allowed["choices"]]
    names = prop.get("enumNames")
    if isinstance(names, list) and len(names) == len(prop["enum"]):
        prop["enumNames"] = [names[i] for i in keep]
    prop["enum"] = [prop["enum"][i] for i in keep]
    if isinstance(allowed.get("message"), str):
        prop["x-message"] = allowed["message"]


def with_defaults(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Top-level defaults for fields left out, so diagram scripts can rely on every field existing."""
    filled = dict(data)
    for name, prop in schema.get("properties", {}).items():
        if name not in filled and isinstance(prop, dict) and "default" in prop:
            filled[name] = copy.deepcopy(prop["default"])
    return filled


VISIBLE_IF = "x-visible-if"
_EMPTY = [False, 0, "", None, []]  # what json-editor counts as no value (true: shown on any other)


def shown_when(when: Any) -> dict[str, Any] | None:
    """The JSON Schema ``if`` of a field's ``x-visible-if`` (``{"other": value}``, a list of values, or
    true / false: any value / none), as json-editor shows the field: only while each other field is
    present with such a value; None if it is no such mapping."""
    if not isinstance(when, dict) or not when or not all(isinstance(k, str) for k in when):
        return None
    properties: dict[str, Any] = {}
    for name, value in when.items():
        if value is True:
            properties[name] = {"not": {"enum": _EMPTY}}
        elif value is False:
            properties[name] = {"enum": _EMPTY}
        elif isinstance(value, list):
            properties[name] = {"enum": value}
        else:
            properties[name] = {"const": value}
    return {"properties": properties, "required": sorted(when)}


def with_visibility(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with each required field that has an ``x-visible-if`` required only while it is shown
    (an ``allOf`` item if/then): a hidden field sends nothing, so it cannot be required."""
    required = schema.get("required")
    properties = schema.get("properties")
    if not isinstance(required, list) or not isinstance(properties, dict):
        return schema
    hidden_sometimes = {
        name: condition
        for name in required
        if isinstance(properties.get(name), dict) and (condition := shown_when(properties[name].get(VISIBLE_IF)))
    }
    if not hidden_sometimes:
        return schema
    result = dict(schema)
    result["required"] = [name for name in required if name not in hidden_sometimes]
    rules = [{"if": condition, "then": {"required": [name]}} for name, condition in hidden_sometimes.items()]
    result["allOf"] = [*(schema.get("allOf") or []), *rules]
    return result


# The markers of readOnly fields the system fills at the step (numbering.py, quoting.py, affected.py).
SYSTEM_FILLED = frozenset({"x-number", "x-quote", "x-affected-units"})


def unheld_read_only(schema: dict[str, Any] | None, case_data: dict[str, Any]) -> set[str]:
    """The ``readOnly`` fields of ``schema`` the case holds no value for (what a path the case did not
    take would have filled: a remote case's on-site "work done")."""
    fields = (schema or {}).get("properties") or {}
    return {
        name
        for name, prop in fields.items()
        if isinstance(prop, dict) and prop.get("readOnly") and case_data.get(name) in (None, "", [], {})
    }


def without_unheld_read_only(schema: dict[str, Any], data: Any, case_data: dict[str, Any]) -> Any:
    """``data`` without the ``readOnly`` fields the case does not hold: such a field is the case's or the
    system's to fill (a quote, a document number, a remote case's "work done" that stays empty), never
    the sender's — a value sent for it is dropped, as a browser would send the empty field anyway. A
    field the case holds stays, so a different value is refused (``effective_schema``'s ``const``)."""
    if not isinstance(data, dict):
        return data
    fields = schema.get("properties") or {}
    # one the case holds as empty keeps its value (``const``); the system-filled ones are left to their
    # steps, which refuse or replace what is sent themselves
    dropped = {
        n
        for n in unheld_read_only(schema, case_data)
        if case_data.get(n) is None and not SYSTEM_FILLED.intersection(fields[n])
    }
    return {name: value for name, value in data.items() if name not in dropped}


def validate(schema: dict[str, Any], data: Any) -> dict[str, Any]:
    """Return the data with defaults filled in, or raise InvalidInput with messages per field.
    A field shown only when another has a value (``x-visible-if``) is required only while shown."""
    if not isinstance(data, dict):
        raise InvalidInput("the form data must be a JSON object", errors={"_schema": ["expected an object"]})
    schema = with_visibility(schema)
    filled = with_defaults(schema, data)
    errors: dict[str, list[str]] = {}
    for error in Draft202012Validator(schema, format_checker=_FORMATS).iter_errors(filled):
        field = _field_of(error)
        errors.setdefault(field, []).append(_message(error))
    for field, message in _same_year_errors(schema, filled):
        errors.setdefault(field, []).append(message)
    for field in non_finite_fields(filled):
        errors.setdefault(field, []).append("must be a finite number / 须为有限数值")
    if errors:
        raise InvalidInput(f"{sum(map(len, errors.values()))} field error(s) in the form", errors=errors)
    return filled


def non_finite_fields(data: Any) -> list[str]:
    """Dotted paths of the NaN and infinite floats in ``data`` (JSON Schema's ``number`` takes them,
    JSON cannot carry them: a case holding one made every answer listing it invalid JSON)."""
    found, todo = [], [(data, "")]
    while todo:
        value, path = todo.pop()
        if isinstance(value, float) and not math.isfinite(value):
            found.append(path or "_schema")
        elif isinstance(value, dict):
            todo.extend((v, f"{path}.{k}" if path else str(k)) for k, v in value.items())
        elif isinstance(value, list | tuple):
            todo.extend((v, f"{path}.{i}" if path else str(i)) for i, v in enumerate(value))
    return sorted(found)


def _same_year_errors(schema: dict[str, Any], data: dict[str, Any]) -> list[tuple[str, str]]:
    """``"x-same-year-as": "plan_year"`` on a date inside an array of objects: the date must lie
    in the year given by that top-level field (e.g. plan items inside the plan year)."""
    found = []
    for name, prop in schema.get("properties", {}).items():
        items = prop.get("items", {}) if isinstance(prop, dict) and prop.get("type") == "array" else {}
        for inner, inner_prop in items.get("properties", {}).items():
            year_field = inner_prop.get("x-same-year-as") if isinstance(inner_prop, dict) else None
            year = data.get(year_field) if year_field else None
            if year is None or not isinstance(data.get(name), list):
                continue
            for index, row in enumerate(data[name]):
                value = row.get(inner) if isinstance(row, dict) else None
                if isinstance(value, str) and not value.startswith(f"{year}-"):
                    found.append((f"{name}.{index}.{inner}", f"must be a date in {year} / 须在{year}年内"))
    return found


def _field_of(error) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        return f"{path}.{missing}" if path else missing
    if error.validator == "additionalProperties" and not path:
        return "_schema"
    return path or "_schema"


# JSON Schema's type names as a form's user reads them.
TYPE_NAMES_ZH = {
    "number": "数值",
    "integer": "整数",
    "string": "文本",
    "boolean": "是/否",
    "array": "列表",
    "object": "对象",
    "null": "空值",
}
FORMAT_NAMES_ZH = {"date": "日期（年-月-日）", "date-time": "日期和时间", "email": "电子邮件地址", "time": "时间"}


def _message(error) -> str:
    """The refusal as "English / 中文" (the page shows the user's half): jsonschema's own English text,
    which API clients already read, with its Chinese beside it."""
    written = (error.schema or {}).get("x-message") if isinstance(error.schema, dict) else None
    if isinstance(written, str) and written:  # the form's own words for a rule (e.g. severity ⇒ urgency)
        return written
    if error.validator == "required":
        return "this field is required / 必填"
    if error.validator == "oneOf" and isinstance(error.instance, str):
        return f"{error.instance!r} is not one of the allowed choices / 不是可选项之一"
    if error.validator == "const":
        if (error.schema or {}).get("readOnly"):
            return f"is set by the case ({error.validator_value!r}) and cannot be changed / 由案件确定，不可修改"
        return f"must be {error.validator_value!r} / 须为 {error.validator_value!r}"
    return f"{error.message} / {_chinese(error)}"


def _chinese(error) -> str:
    value = error.validator_value
    match error.validator:
        case "type":
            kinds = value if isinstance(value, list) else [value]
            return "须为" + "或".join(TYPE_NAMES_ZH.get(str(kind), str(kind)) for kind in kinds)
        case "minimum":
            return f"不得小于 {value}"
        case "maximum":
            return f"不得大于 {value}"
        case "exclusiveMinimum":
            return f"须大于 {value}"
        case "exclusiveMaximum":
            return f"须小于 {value}"
        case "multipleOf":
            return f"须为 {value} 的倍数"
        case "minLength":
            return "不得为空" if value == 1 else f"至少 {value} 个字符"
        case "maxLength":
            return f"最多 {value} 个字符"
        case "minItems":
            return f"至少 {value} 项"
        case "maxItems":
            return f"最多 {value} 项"
        case "uniqueItems":
            return "不得有重复项"
        case "enum" | "anyOf" | "oneOf":
            return "不是可选项之一"
        case "format":
            return f"须为{FORMAT_NAMES_ZH.get(str(value), str(value) + ' 格式')}"
        case "pattern":
            return "格式不符"
        case "additionalProperties" | "unevaluatedProperties":
            return "含有表单中没有的字段"
        case _:
            return "输入无效"
