"""The renewal schedule of a maintenance contract: its renewal case opens a month before it ends (D-18).

Added for every active contract when the defaults are installed (``deploy``), and from then on
(once any schedule exists) for each contract filed later — in the browser, by an import, or by a
renewal that files the next contract — as it is written, so the renewal follows the contracts the
department has, not those present at deploy.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time

from ...domain.iso8601 import add_months
from ...domain.master_data import ContractStatus
from ...persistence.unit_of_work import UnitOfWork
from .schedule_admin import add_schedule

PROCESS_KEY = "contract_renewal"


def renewal_name(contract_no: str) -> str:
    return f"合同续签 / Renewal of {contract_no}"


def follow_filed_contract(
    uow: UnitOfWork, contract_no: str, customer_name: str, ends_on: date, status: str, now: datetime
) -> str | None:
    """``follow_contract`` for a contract just filed, once scheduling is in use (the defaults are
    installed): before that, deploy's defaults add the renewals of the contracts on record."""
    if not uow.schedules.any():
        return None
    return follow_contract(uow, contract_no, customer_name, ends_on, status, now)


def follow_contract(
    uow: UnitOfWork, contract_no: str, customer_name: str, ends_on: date, status: str, now: datetime
) -> str | None:
    """Add the renewal schedule of an active contract that has none and has not ended (not committed);
    its name, or None. A contract filed less than a month before its end gets its case at once."""
    if status != ContractStatus.ACTIVE or ends_on < now.date() or uow.versions.latest(PROCESS_KEY) is None:
        return None
    name = renewal_name(contract_no)
    if uow.schedules.by_name(name) is not None:
        return None
    at = datetime.combine(add_months(ends_on, -1), time(9, 0)).isoformat() + "+08:00"
    data = {"contract_no": contract_no, "customer_name": customer_name, "contract_end": ends_on.isoformat()}
    add_schedule(uow, name=name, process_key=PROCESS_KEY, rule=at, now=now, actor="system", data=data)
    return name
