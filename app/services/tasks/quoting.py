"""The quote a step computes from the price list (domain/quotes.py), inside the step's transaction.

A form field marked ``"x-quote"`` is the quote's total, filled by the system when the step is
completed: from the form's parts list and the case's service category, region, fee type and
contract (W-02/03/04/06). The field is ``readOnly``: the system's amount replaces what is sent. The
step's data also gets ``quote_lines`` (what the customer is shown) and ``to_be_charged``: the fee
type charges, or the quote costs something (misuse in warranty charges the parts: W-03). Before
the step is completed, ``preview_quote`` gives the quote of the form as filled so far, so the
customer sees it before accepting the plan (W-06).

``"x-quote": {"parts": "parts_needed", "misuse": "misuse_found", "labour": "labour_qty", "on_site": true}``
names the form's fields it reads (each optional); ``"category"`` names the service category whose
labour rate applies when it is not the case's (parts mailed: the mailing rate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ...domain.cases import TaskState
from ...domain.fees import chargeable
from ...domain.master_data import PRICES
from ...domain.master_data import PriceKind
from ...domain.master_data import code_in
from ...domain.principal import Principal
from ...domain.quotes import Quote
from ...domain.quotes import UnknownPart
from ...domain.quotes import compute_quote
from ...errors import Conflict
from ...errors import Forbidden
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.repositories.master_records import RecordQuery
from ...persistence.unit_of_work import UnitOfWork
from ..context import ServiceContext

QUOTE_LINES = "quote_lines"


@dataclass(frozen=True)
class QuoteRule:
    field: str
    parts: str | None
    misuse: str | None
    labour: str | None
    on_site: bool
    category: str | None  # the service category whose labour rate applies, when not the case's

    @classmethod
    def of(cls, schema: dict[str, Any]) -> QuoteRule | None:
        for name, prop in (schema.get("properties") or {}).items():
            rule = prop.get("x-quote") if isinstance(prop, dict) else None
            if isinstance(rule, dict):
                return cls(
                    name,
                    rule.get("parts"),
                    rule.get("misuse"),
                    rule.get("labour"),
                    bool(rule.get("on_site")),
                    rule.get("category"),
                )
        return None


def _price_rows(uow: UnitOfWork, part_codes: list[str], category: Any, region: Any) -> list[dict[str, Any]]:
    """The price lines the quote may need: the parts named, the category's labour, the region's call-out."""
    rows = list(uow.records.by_keys(PRICES, part_codes).values())
    for kind, key, value in ((PriceKind.LABOUR, "service_category", category), (PriceKind.TRAVEL, "region", region)):
        if value:
            found, _ = uow.records.page(PRICES, RecordQuery(filters={"kind": kind.value, key: str(value)}, limit=1))
            rows.extend(found)
    return [uow.records.values(PRICES, row) for row in rows]


def _count(value: Any) -> bool:
    """A positive finite number (a quantity the quote can multiply)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def quote_for(uow: UnitOfWork, rule: QuoteRule, form: dict[str, Any], case_data: dict[str, Any]) -> Quote:
    listed = form.get(rule.parts) if rule.parts else None
    parts = [  # malformed rows are left to the form's validation, which refuses them with their field
        {"part_no": code_in(p["part_no"]) or p["part_no"], "qty": p["qty"]}
        for p in (listed if isinstance(listed, list) else [])
        if isinstance(p, dict) and isinstance(p.get("part_no"), str) and _count(p.get("qty"))
    ]
    on_record = case_data.get("on_record") if isinstance(case_data.get("on_record"), dict) else {}
    category, region = rule.category or case_data.get("service_category"), case_data.get("region")
    prices = _price_rows(uow, [p["part_no"] for p in parts], category, region)
    labour = form.get(rule.labour, 1) if rule.labour else 1
    labour = labour if _count(labour) or labour == 0 else 1
    try:
        return compute_quote(
            prices,
            parts,
            service_category=category,
            region=region,
            fee_type=case_data.get("fee_type"),
            contract=on_record.get("contract"),
            misuse=bool(form.get(rule.misuse)) if rule.misuse else False,
            labour_qty=labour,
            on_site=rule.on_site,
        )
    except UnknownPart as exc:
        raise InvalidInput(
            "a part is not on the price list",
            errors={rule.parts: [f"not on the price list / 价格表中没有: {', '.join(exc.codes)}"]},
        ) from None


def with_quote(
    uow: UnitOfWork, schema: dict[str, Any], form: Any, case_data: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """``form`` with its quote field set to the amount the price list gives (before validation; the
    field is readOnly, so whatever a page sends in it is replaced by the system's value), and what
    the step sets in the case: the total, the quote's lines and whether the customer pays (the fee
    type charges, or the quote costs something: misuse found in warranty, W-03)."""
    rule = QuoteRule.of(schema)
    if rule is None or not isinstance(form, dict):
        return form, {}
    quote = quote_for(uow, rule, form, case_data)
    total = float(quote.total)
    due = chargeable(str(case_data.get("fee_type") or ""), case_data.get("on_record")) or quote.total > 0
    return {**form, rule.field: total}, {rule.field: total, QUOTE_LINES: quote.as_lines(), "to_be_charged": due}


def preview_quote(ctx: ServiceContext, task_id: str, form: dict[str, Any], actor: Principal) -> dict[str, Any]:
    """The quote ``form`` (the task's form as filled so far) gives now, for whoever may work the task:
    what the technician shows the customer before the plan is accepted (W-06). Nothing is stored."""
    with ctx.uow() as uow:
        task = uow.tasks.get(task_id)
        if task is None:
            raise NotFound(f"no task with id {task_id}")
        if not actor.may_work(task.role) or task.assignee not in (None, actor.username) and not actor.is_admin:
            raise Forbidden(f"task {task_id} is not {actor.username}'s to work")
        if task.status != TaskState.READY:
            raise Conflict(f"task {task_id} is {task.status}")
        instance = uow.instances.get(task.instance_id)
        process = ctx.versions.get(uow, instance.version_id)
        rule = QuoteRule.of(process.form(task.form) or {}) if task.form else None
        if rule is None:
            raise Conflict(f"the form of task {task_id} has no quote")
        quote = quote_for(uow, rule, form, ctx.engine.task_data(process, instance.state, task.id))
        return {"total": float(quote.total), "discount_percent": quote.discount_percent, "lines": quote.as_lines()}
