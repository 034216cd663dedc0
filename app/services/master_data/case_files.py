"""Filing a case under the unit and customer it is about, creating them from the registration if new.

When a task's form names a unit (``serial_no``), the case is filed under that unit and its customer,
so their records list it. A serial nobody knows yet is a new unit: registered in the same transaction
as the task, with its customer — the one with the phone given, or a new customer coded after the
case — as if the person registering had created them on the master-data pages (the same checks,
a change row whose source is the case). What cannot be filed (an invalid phone, a person who may not
create records) leaves the case unfiled and the registration goes on: the form has been checked by
its own schema, and the records can be completed on their pages.
"""

from __future__ import annotations

import logging
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from ...domain.master_data import CONTRACTS
from ...domain.master_data import CUSTOMERS
from ...domain.master_data import UNITS
from ...domain.master_data import CustomerKind
from ...domain.master_data import Table
from ...domain.master_data import code_in
from ...domain.master_data import normalise_phone
from ...domain.principal import Principal
from ...persistence.orm import Instance
from ...persistence.unit_of_work import UnitOfWork
from .records import ChangeAction
from .records import RecordWriter
from .records import may_edit

log = logging.getLogger(__name__)


ON_RECORD = "on_record"  # the case variable with what the registration found (never typed by anyone)


NAMING_FIELDS = frozenset({"serial_no", "contract_no"})


def with_record_facts(uow: UnitOfWork, data: dict[str, Any], form_fields: Any) -> dict[str, Any]:
    """``data`` with ``on_record`` when its form can name a unit or a contract (``form_fields``): the
    unit, contract and customer it names, as the master data holds them now (None for each it does
    not name; the fee type and the arrival promise are judged on them). Only the application writes
    ``on_record``: a value typed into a form is dropped."""
    data = {k: v for k, v in data.items() if k != ON_RECORD}
    if not NAMING_FIELDS & set(form_fields or ()):
        return data
    unit = _found(uow, UNITS, data.get("serial_no"))
    contract = _found(uow, CONTRACTS, data.get("contract_no"))
    if contract is None and unit is not None and unit.get("contract_no"):
        contract = _found(uow, CONTRACTS, unit["contract_no"])
    code = (unit or {}).get("customer_code") or (contract or {}).get("customer_code")
    customer = _found(uow, CUSTOMERS, code)
    return {**data, ON_RECORD: {"unit": unit, "contract": contract, "customer": customer}}


def _found(uow: UnitOfWork, table: Table, key: Any) -> dict[str, Any] | None:
    code = code_in(key)
    row = uow.records.get(table, code) if code else None
    if row is None:
        return None
    return {s.name: _json(v) for s, v in zip(table.fields, uow.records.values(table, row).values(), strict=True)}


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else str(value) if isinstance(value, Decimal) else value


def file_case(uow: UnitOfWork, instance: Instance, data: dict[str, Any], actor: Principal, now: datetime) -> None:
    """File ``instance`` under the unit ``data`` names (and its customer), creating both if new."""
    serial = code_in(data.get("serial_no"))
    if serial is None:
        return
    unit = uow.records.get(UNITS, serial)
    if unit is None:
        unit = _new_unit(uow, instance, serial, data, actor, now)
        if unit is None:
            return
    uow.records.file_case(instance, UNITS, serial)
    uow.records.file_case(instance, CUSTOMERS, unit.customer.code)


def _new_unit(
    uow: UnitOfWork, instance: Instance, serial: str, data: dict[str, Any], actor: Principal, now: datetime
) -> Any | None:
    if not (may_edit(actor, CUSTOMERS) and may_edit(actor, UNITS)):
        return None
    source = f"case {instance.case_no}"
    try:
        customer = uow.records.customer_with_phone(normalise_phone(str(data.get("customer_phone") or "")))
    except ValueError:
        customer = None
    if customer is None:
        customer = _write(
            RecordWriter(uow, CUSTOMERS, actor, now, source=source),
            {
                "code": f"C-{instance.case_no}",
                "name": data.get("customer_name"),
                "kind": CustomerKind.PERSON,
                "region": data.get("region"),
                "branch": data.get("region"),
                "address": data.get("address"),
                "phone": data.get("customer_phone"),
            },
        )
        if customer is None:
            return None
        uow.flush()  # the unit's writer looks its customer up by code
    contract = _known_contract(uow, data.get("contract_no"))
    return _write(
        RecordWriter(uow, UNITS, actor, now, source=source),
        {
            "serial_no": serial,
            "customer_code": customer.code,
            "product_category": data.get("product_category"),
            "model": data.get("product_model"),
            "purchase_date": data.get("purchase_date"),
            "tampered": data.get("tampered"),
            "contract_no": contract,
        },
    )


def _known_contract(uow: UnitOfWork, number: Any) -> str | None:
    """The contract number typed, if it is a contract's (an unknown one is the fee check's business)."""
    code = code_in(number)
    return code if code and uow.records.get(CONTRACTS, code) is not None else None


def _write(writer: RecordWriter, raw: dict[str, Any]) -> Any | None:
    values, problems, changes = writer.check(raw, None)
    if problems:
        log.info("%s not created from %s: %s", writer.table.name, writer.source, problems)
        return None
    return writer.write(values, None, changes, ChangeAction.CREATED)
