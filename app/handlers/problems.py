"""The API's one error shape: RFC 9457 problem details (``application/problem+json``) for every
refusal — a schema's, a form's, a diagram's at deploy, an unknown URL alike::

    {"type": "about:blank", "title": "Unprocessable Entity", "status": 422, "detail": "…",
     "errors": [{"field": "rule", "message": "…"}]}

``errors`` lists one entry per message, its ``field`` a dotted path into the body (``items.0.date``),
``_schema`` for the body as a whole; a diagram's problems carry their ``file``, ``element_id``,
``line`` and ``reason`` besides. Kept for clients of the first release: ``code`` (= ``status``),
``message`` (= ``detail``) and ``fields`` (field → messages, the old ``errors`` map)."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

MEDIA_TYPE = "application/problem+json"
# Problems with their own meaning beyond the status (RFC 9457 §4.2: a URI; these are names, not pages).
DIAGRAM_REFUSED = "urn:aftersales:problem:diagram-refused"
INVALID_INPUT = "urn:aftersales:problem:invalid-input"


def _flatten(errors: Any, path: str, out: list[dict[str, Any]], location: str | None) -> None:
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            _flatten(value, f"{path}.{key}" if path else str(key), out, location)
    elif isinstance(errors, list | tuple):
        if all(isinstance(m, str) for m in errors):
            for message in errors:
                out.append(_entry(path, message, location))
        else:
            for index, value in enumerate(errors):
                _flatten(value, f"{path}.{index}" if path else str(index), out, location)
    else:
        out.append(_entry(path, str(errors), location))


def _entry(path: str, message: str, location: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"field": path or "_schema", "message": message}
    if location is not None:
        entry["in"] = location
    return entry


def error_entries(errors: Mapping | list | None, *, by_location: bool = False) -> list[dict[str, Any]]:
    """``errors`` (field → messages, nested; or a list of entries that are dicts already) as entries.
    ``by_location``: webargs' maps, keyed first by where the argument was (``json``, ``query``)."""
    if errors is None:
        return []
    if isinstance(errors, list) and all(isinstance(e, Mapping) for e in errors):
        return [
            {
                "field": e.get("field") or e.get("element_id") or e.get("file") or "_schema",
                "message": e.get("message") or e.get("reason") or str(dict(e)),
                **e,
            }
            for e in errors
        ]
    out: list[dict[str, Any]] = []
    if by_location and isinstance(errors, Mapping):
        for location, inner in errors.items():
            _flatten(inner, "", out, str(location))
    else:
        _flatten(errors, "", out, None)
    return out


def legacy_fields(entries: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for entry in entries:
        fields.setdefault(entry["field"], []).append(entry["message"])
    return fields


def problem(
    status: int,
    detail: str,
    errors: Mapping | list | None = None,
    *,
    type_: str = "about:blank",
    by_location: bool = False,
) -> dict[str, Any]:
    """The problem document of a refusal with HTTP ``status``."""
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    entries = error_entries(errors, by_location=by_location)
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail, "errors": entries}
    body["code"], body["message"] = status, detail
    if errors is not None:
        body["fields"] = legacy_fields(entries)
    return body
