"""Reading and editing the department's records: lists, one record with its history, create, edit.

Who reads and who edits each table is in its description (domain/master_data.TABLES); the
administrator edits every table and the auditor reads them all. Every write is checked the same
way as a spreadsheet row (``RecordWriter``, shared with imports.py) and leaves a change row: who,
when, which fields from what to what. An edit names the revision it was made on; if someone saved
the record meanwhile, it is refused (409) and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from ...domain.master_data import CONTRACTS
from ...domain.master_data import TABLES
from ...domain.master_data import FieldKind
from ...domain.master_data import Table
from ...domain.master_data import check_record
from ...domain.master_data import format_value
from ...domain.master_data import parse_record
from ...domain.principal import Principal
from ...domain.roles import Role
from ...errors import Conflict
from ...errors import Forbidden
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.orm import MasterChange
from ...persistence.repositories.master_records import CUSTOMER_CODE
from ...persistence.repositories.master_records import RecordQuery
from ...persistence.unit_of_work import UnitOfWork
from ..context import ServiceContext
from ..planning.contract_renewals import follow_filed_contract

MAX_PAGE = 200
# The role a user named by a new record of the table must have, and be active: a technician record
# is for a technician. Checked when the record is made; an existing one stays editable if its user
# is disabled later (the dispatch rules refuse a disabled user anyway).
USER_ROLES: dict[str, Role] = {"technicians": Role.TECHNICIAN}
FILTER_CHOICES_MAX = 100  # more different values than this: the list's filter is typed, not picked


class ChangeAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    IMPORTED = "imported"  # created or updated by a spreadsheet import


@dataclass(frozen=True)
class RecordPage:
    table: Table
    records: list[dict[str, Any]]  # each with its fields and "revision"
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class RecordView:
    table: Table
    values: dict[str, Any]
    revision: int
    history: list[MasterChange]
    related: dict[str, list[dict[str, Any]]]  # units of a customer, cases of a unit, …


def table_named(name: str) -> Table:
    table = TABLES.get(name)
    if table is None:
        raise NotFound(f"no master-data table {name!r} (one of {', '.join(TABLES)})")
    return table


def may_read(actor: Principal, table: Table) -> bool:
    return bool(actor.roles & (table.readers | table.editors | {Role.ADMIN, Role.AUDITOR}))


def may_edit(actor: Principal, table: Table) -> bool:
    return not actor.read_only and bool(actor.roles & (table.editors | {Role.ADMIN}))


def readable_tables(actor: Principal | None) -> list[Table]:
    """The tables ``actor`` may read, in the order of TABLES (none for nobody)."""
    return [t for t in TABLES.values() if actor is not None and may_read(actor, t)]


def require_reader(actor: Principal, table: Table) -> None:
    if not may_read(actor, table):
        raise Forbidden(f"{actor.username} may not read the {table.name}")


def require_editor(actor: Principal, table: Table) -> None:
    if not may_edit(actor, table):
        editors = ", ".join(sorted(table.editors | {Role.ADMIN}))
        raise Forbidden(f"the {table.name} are kept by {editors}; {actor.username} may read them only")


def _record(uow: UnitOfWork, table: Table, row: Any) -> dict[str, Any]:
    return {**uow.records.values(table, row), "revision": row.revision}


def list_records(
    ctx: ServiceContext,
    actor: Principal,
    table_name: str,
    *,
    search: str = "",
    filters: Mapping[str, str] | None = None,
    sort: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> RecordPage:
    table = table_named(table_name)
    require_reader(actor, table)
    unknown = [n for n in (filters or {}) if n not in table.filters]
    if unknown:
        raise InvalidInput(
            "unknown filter", errors={n: [f"filter by one of {', '.join(table.filters)}"] for n in unknown}
        )
    if sort is not None and sort not in table.names:
        raise InvalidInput("unknown sort field", errors={"sort": [f"one of {', '.join(table.names)}"]})
    parsed_filters = {}
    for name, value in (filters or {}).items():
        values, errors = parse_record(table, {name: value}, partial=True)
        if errors:
            raise InvalidInput("bad filter", errors={k: [v] for k, v in errors.items()})
        parsed_filters[name] = values[name]
    limit = max(1, min(limit, MAX_PAGE))
    query = RecordQuery(search.strip(), parsed_filters, sort, descending, max(0, offset), limit)
    with ctx.uow() as uow:
        rows, total = uow.records.page(table, query)
        return RecordPage(table, [_record(uow, table, r) for r in rows], total, query.offset, limit)


def filter_choices(ctx: ServiceContext, actor: Principal, table_name: str) -> dict[str, list[str]]:
    """The values a list's text filters can be set to (those stored), for the filters that have at
    most ``FILTER_CHOICES_MAX`` of them; choice and yes/no filters take their values from the table."""
    table = table_named(table_name)
    require_reader(actor, table)
    wanted = [table.field(n) for n in table.filters if table.field(n).kind is FieldKind.TEXT]
    choices: dict[str, list[str]] = {}
    with ctx.uow() as uow:
        for spec in wanted:
            values = uow.records.distinct_values(table, spec.name, FILTER_CHOICES_MAX + 1)
            if len(values) <= FILTER_CHOICES_MAX:
                choices[spec.name] = [format_value(spec, v) for v in values if v != ""]
    return choices


def get_record(ctx: ServiceContext, actor: Principal, table_name: str, key: str) -> RecordView:
    table = table_named(table_name)
    require_reader(actor, table)
    with ctx.uow() as uow:
        row = uow.records.get(table, key)
        if row is None:
            raise NotFound(f"no {table.name} record {key!r}")
        return RecordView(
            table,
            uow.records.values(table, row),
            row.revision,
            uow.records.history(table, key),
            _related(uow, table, row),
        )


def _related(uow: UnitOfWork, table: Table, row: Any) -> dict[str, list[dict[str, Any]]]:
    """What a record's page lists beside it: a customer's units, contracts and cases, …"""
    units, contracts = TABLES["units"], TABLES["contracts"]

    def cases() -> list[dict[str, Any]]:
        return [
            {
                "id": c.id,
                "case_no": c.case_no,
                "process_key": c.process_key,
                "status": c.status,
                "created_at": c.created_at,
            }
            for c in uow.records.cases_of(table, getattr(row, table.key))
        ]

    if table.name == "customers":
        return {
            "units": [uow.records.values(units, u) for u in uow.records.units_of_customer(row.code)],
            "contracts": [uow.records.values(contracts, c) for c in uow.records.contracts_of_customer(row.code)],
            "cases": cases(),
        }
    if table.name == "units":
        return {"cases": cases()}
    if table.name == "contracts":
        return {"units": [uow.records.values(units, u) for u in uow.records.units_of_contract(row.contract_no)]}
    return {}


class RecordWriter:
    """Checks and writes records of one table inside a unit of work, the same for a form and an import.

    ``check`` parses and checks one record (fields, references, rules across fields, the key not
    taken by another record) and says what would change; ``write`` stores it with its change row.
    """

    def __init__(self, uow: UnitOfWork, table: Table, actor: Principal, now: datetime, source: str | None = None):
        self.uow, self.table, self.actor, self.now, self.source = uow, table, actor, now, source
        self._known: dict[str, set[str]] = {}  # referenced table -> keys known to exist
        self._customers: dict[str, Any] = {}  # the customers named so far, by code
        self._users: dict[str, Any] = {}  # the users named so far, by username

    def prefetch_references(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Look every referenced key of ``records`` up at once (an import of thousands of rows)."""
        for spec in self.table.fields:
            if spec.references is None:
                continue
            keys = {str(r[spec.name]) for r in records if r.get(spec.name)}
            if spec.name == CUSTOMER_CODE:
                self._customers.update(self.uow.records.customers_by_code(keys))
                self._known.setdefault(spec.references, set()).update(self._customers)
            else:
                self._known.setdefault(spec.references, set()).update(self._lookup(spec.references, keys))

    def _lookup(self, table_name: str, keys: set[str]) -> set[str]:
        if not keys:
            return set()
        if table_name == "users":
            found = self.uow.users.by_usernames(keys)
            self._users.update(found)
            return set(found)
        return self.uow.records.existing_keys(TABLES[table_name], keys)

    def _exists(self, table_name: str, key: str) -> bool:
        known = self._known.setdefault(table_name, set())
        if key not in known and self._lookup(table_name, {key}):
            known.add(key)
        return key in known

    def _user_problem(self, username: str) -> str | None:
        role = USER_ROLES.get(self.table.name)
        user = self._users.get(username)
        if role is None or user is None:
            return None
        if not user.active:
            return f"user {username} is disabled"
        if role not in user.roles:
            return f"user {username} does not have the role {role.value}"
        return None

    def check(
        self, raw: Mapping[str, Any], existing: Any | None, *, partial: bool = False
    ) -> tuple[dict[str, Any], dict[str, str], dict[str, list[str]]]:
        """(the record's values, the problem of each bad field, the changes ``field: [before, after]``)."""
        values, errors = parse_record(self.table, raw, partial=partial)
        before = self.uow.records.values(self.table, existing) if existing is not None else {}
        merged = {**before, **values}
        for spec in self.table.fields:
            value = merged.get(spec.name)
            if spec.references and value and spec.name not in errors and not self._exists(spec.references, str(value)):
                errors[spec.name] = f"no {spec.references} record {value!r}"
            elif spec.references == "users" and value and spec.name not in errors and existing is None:
                problem = self._user_problem(str(value))
                if problem:
                    errors[spec.name] = problem
        if not errors:
            errors.update(check_record(self.table, merged))
        changes = {}
        for spec in self.table.fields:
            if spec.name in values:
                was, now = format_value(spec, before.get(spec.name)), format_value(spec, values[spec.name])
                if was != now:
                    changes[spec.name] = [was, now]
        return merged, errors, changes

    def write(
        self, values: Mapping[str, Any], existing: Any | None, changes: dict[str, list[str]], action: ChangeAction
    ):
        row = existing if existing is not None else self.uow.records.new(self.table)
        wanted = {k: v for k, v in values.items() if k in changes or existing is None}
        code = wanted.get(CUSTOMER_CODE)
        if code and code not in self._customers:
            self._customers.update(self.uow.records.customers_by_code({code}))
        self.uow.records.assign(self.table, row, wanted, self._customers)
        if existing is None:
            self.uow.add_rows([row])
            self._follow_new_contracts([values])
        self.uow.records.add_change(MasterChange(**self._change(values, changes, action)))
        return row

    def create_many(
        self, records: Sequence[tuple[Mapping[str, Any], dict[str, list[str]]]], action: ChangeAction
    ) -> None:
        """New records (values, changes) checked by ``check``, written at once with their change rows."""
        codes = {str(v[CUSTOMER_CODE]) for v, _ in records if v.get(CUSTOMER_CODE)} - set(self._customers)
        if codes:
            self._customers.update(self.uow.records.customers_by_code(codes))
        self.uow.records.insert_new(self.table, [values for values, _ in records], self._customers)
        self.uow.records.insert_changes([self._change(values, changes, action) for values, changes in records])
        self._follow_new_contracts([values for values, _ in records])

    def _follow_new_contracts(self, created: Sequence[Mapping[str, Any]]) -> None:
        """A contract filed after deploy gets its renewal schedule like those present then (D-18)."""
        if self.table is not CONTRACTS:
            return
        for values in created:
            customer = self._customers.get(str(values.get(CUSTOMER_CODE)))
            name = customer.name if customer is not None else ""
            follow_filed_contract(
                self.uow, str(values["contract_no"]), name, values["ends_on"], str(values["status"]), self.now
            )

    def _change(self, values: Mapping[str, Any], changes: dict[str, list[str]], action: ChangeAction) -> dict[str, Any]:
        return {
            "table_name": self.table.name,
            "record_key": str(values[self.table.key]),
            "action": action,
            "changes": changes,
            "actor": self.actor.username,
            "at": self.now,
            "source": self.source,
        }


def _refused(errors: Mapping[str, str]) -> InvalidInput:
    return InvalidInput("the record was not saved", errors={k: [v] for k, v in errors.items()})


def create_record(ctx: ServiceContext, actor: Principal, table_name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    table = table_named(table_name)
    require_editor(actor, table)
    with ctx.uow() as uow:
        writer = RecordWriter(uow, table, actor, ctx.clock.now())
        values, errors, changes = writer.check(raw, None)
        if not errors and uow.records.get(table, str(values[table.key])) is not None:
            errors[table.key] = f"{values[table.key]} is already a {table.name} record"
        if errors:
            raise _refused(errors)
        row = writer.write(values, None, changes, ChangeAction.CREATED)
        uow.commit()
        return _record(uow, table, row)


def update_record(
    ctx: ServiceContext, actor: Principal, table_name: str, key: str, raw: Mapping[str, Any], revision: int | None
) -> dict[str, Any]:
    """Change the fields given in ``raw`` of record ``key``, as seen at ``revision`` (required)."""
    table = table_named(table_name)
    require_editor(actor, table)
    if revision is None:
        raise InvalidInput("an edit names the revision it was made on", errors={"revision": ["required"]})
    if table.key in raw:
        raise InvalidInput("a record's key is not edited", errors={table.key: ["create a new record instead"]})
    with ctx.uow() as uow:
        row = uow.records.get(table, key)
        if row is None:
            raise NotFound(f"no {table.name} record {key!r}")
        if row.revision != revision:
            raise Conflict(
                f"{table.name} record {key} was changed meanwhile (revision {row.revision}, the edit was made on"
                f" {revision}); reload it and make the edit again"
            )
        writer = RecordWriter(uow, table, actor, ctx.clock.now())
        values, errors, changes = writer.check(raw, row, partial=True)
        if errors:
            raise _refused(errors)
        if changes:
            writer.write(values, row, changes, ChangeAction.UPDATED)
            uow.commit()
        return _record(uow, table, row)
