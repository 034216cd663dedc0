"""The units a recall covers, filled by the system when its step is completed (domain/recalls.py).

A form field marked ``"x-affected-units": {"model": "recall_model", "from": "purchased_from",
"to": "purchased_to", "prefix": "serial_prefix"}`` (the form's fields it reads) is a readOnly list
the system sets to the master data's units of that batch — serial, model, product category,
customer name and phone — so the cases the recall opens are the units on record, not a list typed in.
"""

from __future__ import annotations

from typing import Any

from ...domain.recalls import MAX_AFFECTED
from ...domain.recalls import affected_units
from ...errors import InvalidInput
from ...persistence.unit_of_work import UnitOfWork


def _rule(schema: dict[str, Any]) -> tuple[str, dict[str, str]] | None:
    for name, prop in (schema.get("properties") or {}).items():
        rule = prop.get("x-affected-units") if isinstance(prop, dict) else None
        if isinstance(rule, dict):
            return name, rule
    return None


def with_affected_units(uow: UnitOfWork, schema: dict[str, Any], form: Any) -> tuple[Any, dict[str, Any]]:
    """``form`` with its affected-units field set from the master data, and that field (for the case)."""
    found = _rule(schema)
    if found is None or not isinstance(form, dict):
        return form, {}
    name, rule = found
    model = form.get(rule.get("model", ""))
    if not isinstance(model, str) or not model.strip():
        return {k: v for k, v in form.items() if k != name}, {}  # the form's validation names the model
    rows = [(unit, unit.customer) for unit in uow.records.units_of_model(model)]
    as_records = [
        {
            "serial_no": unit.serial_no,
            "model": unit.model,
            "product_category": unit.product_category,
            "purchase_date": unit.purchase_date.isoformat() if unit.purchase_date else None,
            "customer_name": customer.name if customer else "",
            "customer_phone": customer.phone if customer else "",
        }
        for unit, customer in rows
    ]

    def text(key: str) -> str | None:
        value = form.get(rule.get(key, ""))
        return value if isinstance(value, str) and value else None

    try:
        units = affected_units(
            as_records, model, purchased_from=text("from"), purchased_to=text("to"), serial_prefix=text("prefix")
        )
    except ValueError:  # a date that is not one: the form's validation says which
        return {k: v for k, v in form.items() if k != name}, {}
    if len(units) > MAX_AFFECTED:
        raise InvalidInput(
            "too many units for one recall",
            errors={name: [f"{len(units)} units: at most {MAX_AFFECTED} per recall / 单次召回最多{MAX_AFFECTED}台"]},
        )
    listed = [{k: v for k, v in u.items() if k != "purchase_date"} for u in units]
    return {**form, name: listed}, {name: listed}
