"""Master-data records by table name (domain/master_data.TABLES): paged lists, look-ups by key in bulk,
writes from parsed values, and each record's change history.

Units and contracts name their customer by code; the rows hold the customer's id, so this module
is where ``customer_code`` is read and written.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import text

from ...domain.master_data import CUSTOMERS
from ...domain.master_data import Table
from ..orm import CaseRecord
from ..orm import Contract
from ..orm import Customer
from ..orm import Instance
from ..orm import MasterChange
from ..orm import Price
from ..orm import Technician
from ..orm import Unit
from .base import Repository

MODELS: dict[str, type] = {
    "customers": Customer,
    "units": Unit,
    "contracts": Contract,
    "technicians": Technician,
    "prices": Price,
}
CUSTOMER_CODE = "customer_code"
IN_CHUNK = 500  # keys per IN (…) list: well under SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class RecordQuery:
    search: str = ""
    filters: Mapping[str, str] | None = None
    sort: str | None = None
    descending: bool = False
    offset: int = 0
    limit: int = 50


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class MasterRecordRepository(Repository):
    def _column(self, table: Table, name: str):
        if name == CUSTOMER_CODE:
            return Customer.code
        return getattr(MODELS[table.name], name)

    def _select(self, table: Table):
        model = MODELS[table.name]
        stmt = select(model)
        if CUSTOMER_CODE in table.names:
            stmt = stmt.join(Customer, model.customer_id == Customer.id)
        return stmt

    def page(self, table: Table, query: RecordQuery) -> tuple[list[Any], int]:
        """One page of ``table``'s records matching the search and filters, and how many match."""
        stmt = self._select(table)
        if query.search:
            like = f"%{_escaped(query.search.lower())}%"
            stmt = stmt.where(or_(*(func.lower(self._column(table, n)).like(like, escape="\\") for n in table.search)))
        for name, value in (query.filters or {}).items():
            column = self._column(table, name)
            stmt = stmt.where(column == value if not isinstance(value, str) else cast(column, String) == value)
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        order = self._column(table, query.sort or table.key)
        key = self._column(table, table.key)
        stmt = stmt.order_by(order.desc() if query.descending else order, key).offset(query.offset).limit(query.limit)
        return list(self.session.scalars(stmt).unique()), total

    def get(self, table: Table, key: str) -> Any | None:
        return self.session.scalars(self._select(table).where(self._column(table, table.key) == key)).first()

    def by_keys(self, table: Table, keys: Iterable[str]) -> dict[str, Any]:
        """The records of ``keys`` that exist, by key (for an import: one query per few hundred)."""
        found: dict[str, Any] = {}
        wanted = sorted(set(keys))
        column = self._column(table, table.key)
        for first in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[first : first + IN_CHUNK]
            for row in self.session.scalars(self._select(table).where(column.in_(chunk))).unique():
                found[getattr(row, table.key)] = row
        return found

    def existing_keys(self, table: Table, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` are records of ``table`` (checked references)."""
        model, wanted = MODELS[table.name], sorted(set(keys))
        column = getattr(model, table.key)
        found: set[str] = set()
        for first in range(0, len(wanted), IN_CHUNK):
            found.update(self.session.scalars(select(column).where(column.in_(wanted[first : first + IN_CHUNK]))))
        return found

    def customers_by_code(self, codes: Iterable[str]) -> dict[str, Customer]:
        return self.by_keys(CUSTOMERS, codes)

    def values(self, table: Table, row: Any) -> dict[str, Any]:
        """The record as the table's fields (``customer_code`` read from its customer)."""
        return {name: (row.customer.code if name == CUSTOMER_CODE else getattr(row, name)) for name in table.names}

    def new(self, table: Table) -> Any:
        return MODELS[table.name]()

    def assign(self, table: Table, row: Any, values: Mapping[str, Any], customers: Mapping[str, Customer]) -> None:
        """Write parsed ``values`` onto ``row`` (``customers``: every customer named, by code)."""
        for name, value in values.items():
            if name == CUSTOMER_CODE:
                row.customer = customers[value]
            else:
                setattr(row, name, value)

    def insert_new(self, table: Table, records: Sequence[Mapping[str, Any]], customers: Mapping[str, Customer]) -> None:
        """New records, every field given, as multi-row INSERTs (an import's thousands of creates):
        no ORM object per row, which is most of what an ORM insert costs."""
        rows = []
        for values in records:
            row = {name: value for name, value in values.items() if name != CUSTOMER_CODE}
            if CUSTOMER_CODE in values:
                row["customer_id"] = customers[values[CUSTOMER_CODE]].id
            rows.append({**row, "revision": 1})
        if rows:
            self.session.execute(insert(MODELS[table.name]), rows)

    def refresh_statistics(self, table: Table) -> None:
        """PostgreSQL: ANALYZE the table after a bulk load. Until autovacuum gets to it, the planner takes
        thousands of new rows for none, and the next import's look-ups by key took 15 times longer."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text(f"ANALYZE {MODELS[table.name].__tablename__}"))

    def add_change(self, change: MasterChange) -> None:
        self.session.add(change)

    def insert_changes(self, changes: Sequence[Mapping[str, Any]]) -> None:
        """Change rows (``MasterChange``'s fields) as multi-row INSERTs."""
        if changes:
            self.session.execute(insert(MasterChange), list(changes))

    def history(self, table: Table, key: str, limit: int = 100) -> list[MasterChange]:
        return list(
            self.session.scalars(
                select(MasterChange)
                .where(MasterChange.table_name == table.name, MasterChange.record_key == key)
                .order_by(MasterChange.id.desc())
                .limit(limit)
            )
        )

    def distinct_values(self, table: Table, name: str, limit: int) -> list[Any]:
        """Up to ``limit`` different values stored in field ``name`` (a list's filter choices)."""
        column = self._column(table, name)
        stmt = self._select(table).with_only_columns(column).where(column.is_not(None)).distinct()
        return list(self.session.scalars(stmt.order_by(column).limit(limit)))

    def units_of_customer(self, code: str, limit: int = 200) -> list[Unit]:
        stmt = select(Unit).join(Customer, Unit.customer_id == Customer.id).where(Customer.code == code)
        return list(self.session.scalars(stmt.order_by(Unit.serial_no).limit(limit)).unique())

    def contracts_of_customer(self, code: str, limit: int = 200) -> list[Contract]:
        stmt = select(Contract).join(Customer, Contract.customer_id == Customer.id).where(Customer.code == code)
        return list(self.session.scalars(stmt.order_by(Contract.ends_on.desc()).limit(limit)).unique())

    def units_of_contract(self, contract_no: str, limit: int = 500) -> list[Unit]:
        stmt = select(Unit).where(Unit.contract_no == contract_no)
        return list(self.session.scalars(stmt.order_by(Unit.serial_no).limit(limit)).unique())

    def units_of_model(self, model: str, limit: int = 5000) -> list[Unit]:
        """The installed units of a product model (any case), in serial order (a recall's candidates)."""
        stmt = select(Unit).where(func.upper(Unit.model) == model.strip().upper())
        return list(self.session.scalars(stmt.order_by(Unit.serial_no).limit(limit)).unique())

    def cases_of(self, table: Table, key: str, limit: int = 100) -> list[Instance]:
        """The cases filed under record ``key`` of ``table``, newest first."""
        stmt = (
            select(Instance)
            .join(CaseRecord, CaseRecord.instance_id == Instance.id)
            .where(CaseRecord.table_name == table.name, CaseRecord.record_key == key)
        )
        return list(self.session.scalars(stmt.order_by(Instance.id.desc()).limit(limit)))

    def filed_under(self, table: Table, instance_ids: list[int]) -> dict[int, str]:
        """The record of ``table`` each of the cases ``instance_ids`` is filed under (one per case)."""
        if not instance_ids:
            return {}
        stmt = select(CaseRecord.instance_id, CaseRecord.record_key).where(
            CaseRecord.table_name == table.name, CaseRecord.instance_id.in_(instance_ids)
        )
        return {instance_id: key for instance_id, key in self.session.execute(stmt.order_by(CaseRecord.id))}

    def file_case(self, instance: Instance, table: Table, key: str) -> None:
        """File ``instance`` under record ``key`` (once)."""
        exists = self.session.scalar(
            select(CaseRecord.id).where(
                CaseRecord.instance_id == instance.id, CaseRecord.table_name == table.name, CaseRecord.record_key == key
            )
        )
        if exists is None:
            self.session.add(CaseRecord(instance_id=instance.id, table_name=table.name, record_key=key))

    def customer_with_phone(self, phone: str) -> Customer | None:
        stmt = select(Customer).where(or_(Customer.phone == phone, Customer.mobile == phone)).order_by(Customer.id)
        return self.session.scalars(stmt).first()
