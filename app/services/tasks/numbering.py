"""Numbering the papers a step issues: a form field marked ``x-number`` is filled by the system with
the next number of its series (domain/document_numbers.py), inside the step's transaction."""

from __future__ import annotations

from typing import Any

from ...domain.document_numbers import NumberRule
from ...domain.document_numbers import document_number
from ...errors import InvalidInput
from ...persistence.unit_of_work import UnitOfWork


def with_document_numbers(
    uow: UnitOfWork, schema: dict[str, Any], form: Any, case_data: dict[str, Any], year: int
) -> Any:
    """``form`` with its numbered fields filled: the case's number when the step is done again,
    else the series' next one (when the rule's condition holds). A number typed in is refused."""
    if not isinstance(form, dict):
        return form
    filled = dict(form)
    for name, prop in (schema.get("properties") or {}).items():
        rule = NumberRule.of(prop)
        if rule is None:
            continue
        if filled.get(name) not in (None, "") and filled[name] != case_data.get(name):
            raise InvalidInput(
                f"{name} is numbered by the system",
                errors={name: ["numbered by the system, leave it empty / 由系统编号，请留空"]},
            )
        filled.pop(name, None)
        if case_data.get(name):
            filled[name] = case_data[name]
        elif rule.applies(filled):
            filled[name] = document_number(rule.series, year, uow.numbers.take(rule.series, year))
    return filled
