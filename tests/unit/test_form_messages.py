"""A refused form says why in both languages: each of jsonschema's refusals keeps its English (what
API clients read) and gains its Chinese half, which the task page shows to a Chinese user."""

from __future__ import annotations

import re

import pytest

from app.errors import InvalidInput
from app.services.tasks.forms import validate

CJK = re.compile(r"[\u3400-\u9fff]")
SCHEMA = {
    "type": "object",
    "properties": {
        "amount": {"type": "number", "minimum": 0},
        "hours": {"type": "number", "maximum": 24},
        "qty": {"type": "integer", "exclusiveMinimum": 0},
        "name": {"type": "string", "minLength": 1, "maxLength": 5},
        "code": {"type": "string", "pattern": "^[A-Z]+$"},
        "mode": {"type": "string", "enum": ["on_site", "remote"]},
        "day": {"type": "string", "format": "date"},
        "parts": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "ok": {"type": "boolean"},
    },
    "required": ["ok"],
    "additionalProperties": False,
}
WRONG = {
    "amount": -100,
    "hours": 25,
    "qty": 0,
    "name": "",
    "code": "abc",
    "mode": "by_air",
    "day": "2026-02-30",
    "parts": [],
    "extra": 1,
}


def _errors(data: dict) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as refused:
        validate(SCHEMA, data)
    return refused.value.errors


def test_the_issues_examples_are_refused_in_chinese_too():
    errors = _errors({"amount": "abc", "ok": True})
    assert errors == {"amount": ["'abc' is not of type 'number' / 须为数值"]}
    assert _errors({"amount": -100, "ok": True}) == {"amount": ["-100 is less than the minimum of 0 / 不得小于 0"]}


def test_every_refusal_has_an_english_and_a_chinese_half():
    errors = _errors(WRONG)
    assert set(errors) == set(WRONG) - {"extra"} | {"_schema", "ok"}
    for field, messages in errors.items():
        for message in messages:
            english, _, chinese = message.rpartition(" / ")
            assert english and not CJK.search(english), (field, message)
            assert CJK.search(chinese) and "输入无效" not in chinese, (field, message)
