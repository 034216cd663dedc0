"""JSON request bodies: one strict reading for the whole application.

Python's ``json`` accepts ``NaN``, ``Infinity``, ``-Infinity`` and numbers such as ``1e999`` that
overflow to infinity; a case holding one made every later answer listing it invalid JSON. A body
nested thousands of levels deep raised RecursionError (a 500). Here both are a 422 naming the
field, and a body deeper than ``MAX_DEPTH`` is refused before anything recurses over it. A body that
is no JSON at all (a syntax error) is a 400.

``StrictJSONProvider`` is the Flask app's JSON provider, so ``request.get_json()`` reads this way;
``check_json_body`` runs before every request (after authentication) so that the API's argument
parser (webargs, which calls the standard library itself) only ever sees bodies that passed.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask
from flask import request
from flask.json.provider import DefaultJSONProvider

from ..errors import InvalidInput
from ..errors import MalformedBody

MAX_DEPTH = 64  # the deepest form (an array of objects in an object) needs 4


class _NonFinite:
    """Stands in for a refused number while parsing, so the walk afterwards can name its field."""

    def __init__(self, text: str) -> None:
        self.text = text


_JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}


def _body_error(message: str) -> InvalidInput:
    return InvalidInput(message, errors={"_schema": [message]})


def _refuse_deep(value: Any) -> None:
    """InvalidInput if ``value`` nests deeper than MAX_DEPTH (a walk over its containers only)."""
    todo: list[tuple[Any, int]] = [(value, 0)]
    while todo:
        item, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise _body_error(f"the JSON body is nested deeper than {MAX_DEPTH} levels")
        children = item.values() if isinstance(item, dict) else item
        todo.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def _refused_fields(value: Any) -> dict[str, list[str]]:
    """The fields holding a refused number, by dotted path (as forms name them)."""
    errors: dict[str, list[str]] = {}
    todo: list[tuple[Any, str]] = [(value, "")]
    while todo:
        item, path = todo.pop()
        if isinstance(item, _NonFinite):
            errors.setdefault(path or "_schema", []).append(f"must be a finite number, not {item.text}")
        elif isinstance(item, dict):
            todo.extend((v, f"{path}.{k}" if path else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            todo.extend((v, f"{path}.{i}" if path else str(i)) for i, v in enumerate(item))
    return errors


def loads_strict(text: str | bytes) -> Any:
    """``json.loads`` that refuses non-finite numbers and deep nesting with InvalidInput (422)."""
    refused: list[_NonFinite] = []

    def non_finite(literal: str) -> _NonFinite:
        refused.append(_NonFinite(literal))
        return refused[-1]

    def number(literal: str) -> float | _NonFinite:
        value = float(literal)
        return value if math.isfinite(value) else non_finite(literal)

    try:
        value = json.loads(text, parse_constant=non_finite, parse_float=number)
    except RecursionError:
        raise _body_error("the JSON body is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, an integer of more than 4300 digits
        message = f"the body is not valid JSON: {exc}"
        raise MalformedBody(message, errors={"_schema": [message]}) from None
    opening = ("[", "{") if isinstance(text, str) else (b"[", b"{")
    if text.count(opening[0]) + text.count(opening[1]) > MAX_DEPTH:  # else it cannot nest that deep
        _refuse_deep(value)
    if refused:
        raise InvalidInput(f"{len(refused)} number(s) in the body are not finite", errors=_refused_fields(value))
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """The app's JSON: what it writes is unchanged, what it reads is ``loads_strict``."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads_strict(s)

    @classmethod
    def install(cls, app: Flask) -> None:
        """Replace the app's provider, keeping how it was set to write (e.g. ``sort_keys``)."""
        strict = cls(app)
        for setting in ("ensure_ascii", "sort_keys", "compact", "mimetype"):
            setattr(strict, setting, getattr(app.json, setting))
        app.json = strict


def check_json_body() -> None:
    """Before every request: a JSON body is read once here, strictly (and cached for the handler)."""
    if request.is_json and request.get_data(cache=True).strip():
        request.get_json()


def json_object_body() -> dict[str, Any] | None:
    """The request's body as a JSON object, None when it has none; a body that is not JSON, or JSON
    that is not an object (an array, a string, ``null``), is refused (422)."""
    if not request.get_data(cache=True).strip():
        return None
    if not request.is_json:
        sent = request.mimetype or "no content type"
        raise _body_error(f"the body must be a JSON object (Content-Type: application/json), not {sent}")
    value = request.get_json()
    if not isinstance(value, dict):
        raise _body_error(f"the body must be a JSON object, not {_JSON_TYPES.get(type(value), 'null')}")
    return value
