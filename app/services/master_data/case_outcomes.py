"""What a case decides about a record, written to the record in the same step.

An end event of a diagram may carry the property ``contract_status`` (``renewed`` or ``lapsed``):
reaching it sets the status of the contract the case is about (its ``contract_no``). A renewal
also files the new contract (``new_contract_no``, from the day after the old one ends to
``new_contract_end``, or a year on) with the old one's customer, service level and terms, and moves
the old contract's units to it. Each change is a change row whose source is the case, like an edit
on the record's page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from ...domain.master_data import CONTRACTS
from ...domain.master_data import UNITS
from ...domain.master_data import ContractStatus
from ...domain.master_data import code_in
from ...domain.principal import SYSTEM
from ...persistence.orm import Instance
from ...persistence.unit_of_work import UnitOfWork
from ..processes.version_cache import DeployedProcess
from .records import ChangeAction
from .records import RecordWriter

log = logging.getLogger(__name__)
CONTRACT_STATUS = "contract_status"  # the end-event property


def apply_outcomes(
    uow: UnitOfWork, instance: Instance, process: DeployedProcess, completed: Iterable[str | None], now: datetime
) -> None:
    """Write what the elements ``completed`` in this step decided (see the module docstring)."""
    for element_id in completed:
        element = process.element(element_id) if element_id else None
        status = element.properties.get(CONTRACT_STATUS) if element is not None else None
        if status is not None:
            _contract_outcome(uow, instance, ContractStatus(status), now)


def _contract_outcome(uow: UnitOfWork, instance: Instance, status: ContractStatus, now: datetime) -> None:
    data, source = instance.data or {}, f"case {instance.case_no}"
    number = code_in(data.get("contract_no"))
    if number is None:
        return
    contract = uow.records.get(CONTRACTS, number)
    if contract is None:
        log.info("%s decided %s for contract %s, which is not on record", source, status, number)
        return
    writer = RecordWriter(uow, CONTRACTS, SYSTEM, now, source=source)
    _write(writer, contract, {"status": status})
    if status is ContractStatus.RENEWED and data.get("new_contract_no"):
        _file_renewal(uow, contract, data, now, source)


def _file_renewal(uow: UnitOfWork, old: Any, data: dict[str, Any], now: datetime, source: str) -> None:
    starts = old.ends_on + timedelta(days=1)
    ends = _date(data.get("new_contract_end")) or starts + relativedelta(years=1) - timedelta(days=1)
    writer = RecordWriter(uow, CONTRACTS, SYSTEM, now, source=source)
    raw = {
        "contract_no": data["new_contract_no"],
        "customer_code": old.customer.code,
        "starts_on": starts,
        "ends_on": ends,
        "sla_profile": old.sla_profile,
        "fee_terms": old.fee_terms,
        "discount_percent": old.discount_percent,
        "status": ContractStatus.ACTIVE,
    }
    values, problems, changes = writer.check(raw, None)
    if problems or uow.records.get(CONTRACTS, str(values["contract_no"])) is not None:
        log.info("%s: renewed contract not filed: %s", source, problems or "the number is taken")
        return
    writer.write(values, None, changes, ChangeAction.CREATED)
    uow.flush()
    units = RecordWriter(uow, UNITS, SYSTEM, now, source=source)
    for unit in uow.records.units_of_contract(old.contract_no):
        _write(units, unit, {"contract_no": values["contract_no"]})


def _write(writer: RecordWriter, row: Any, raw: dict[str, Any]) -> None:
    values, problems, changes = writer.check(raw, row, partial=True)
    if problems:
        log.info("%s: %s %s not updated: %s", writer.source, writer.table.name, raw, problems)
        return
    if changes:
        writer.write(values, row, changes, ChangeAction.UPDATED)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
