"""Input refused before it reaches a database: non-finite numbers in forms, start forms that are not
closed JSON schemas (through the API: tests/api/test_hostile_input.py)."""

from __future__ import annotations

import pytest

from app.errors import InvalidInput
from app.services.tasks import forms


def test_a_form_given_a_non_finite_float_by_any_path_is_refused():
    schema = {"type": "object", "properties": {"budget": {"type": "number"}, "rows": {"type": "array"}}}
    for value in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(InvalidInput) as refused:
            forms.validate(schema, {"budget": value, "rows": [{"qty": value}]})
        assert sorted(refused.value.errors) == ["budget", "rows.0.qty"]
    assert forms.validate(schema, {"budget": 1e308}) == {"budget": 1e308}


@pytest.mark.parametrize(
    ("form", "reason"),
    [
        (b'{"type": "object", "properties": {"n": {"type": 5}}, "additionalProperties": false}', "not a valid JSON"),
        (b'{"type": "object", "properties": {"n": {"type": "integer"}}}', '"additionalProperties": false'),
        (b'{"type": "object", "additionalProperties": false', "not valid JSON"),
    ],
)
def test_deploy_refuses_a_start_form_that_is_not_a_closed_json_schema(form, reason):
    from app.engine import load_definition
    from app.errors import DiagramError
    from tests.diagrams import TINY_STARTING
    from tests.diagrams import read_form

    def forms_with_start(path: str) -> bytes:
        return form if path == "forms/begin.json" else read_form(path)

    with pytest.raises(DiagramError) as refused:
        load_definition("tiny.bpmn", TINY_STARTING.encode(), forms_with_start)
    [problem] = refused.value.problems
    assert problem.element_id == "begin" and reason in problem.reason
