"""Importing the department's spreadsheets into a table, and exporting every table back.

An import is two calls with the same file: ``plan_import`` (the dry run) says per row what would
be created, updated, left unchanged or refused and why; ``apply_import`` does it all in one
transaction or, if any row is refused, nothing at all. Columns are matched to fields by the
field's name or its Chinese or English label (``suggest_mapping``); the person importing can map
them otherwise. Each row is checked exactly as the edit form checks a record (records.RecordWriter).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from enum import StrEnum
from typing import Any

from ...domain.master_data import FIELD_LABELS
from ...domain.master_data import Table
from ...domain.master_data import fold
from ...domain.master_data import format_value
from ...domain.master_data import parse_value
from ...domain.principal import Principal
from ...errors import InvalidInput
from ...integrations.spreadsheets import Download
from ...integrations.spreadsheets import Sheet
from ...integrations.spreadsheets import UnreadableTable
from ...integrations.spreadsheets import download
from ...integrations.spreadsheets import read_table
from ...persistence.repositories.master_records import RecordQuery
from ..context import ServiceContext
from .records import ChangeAction
from .records import RecordWriter
from .records import require_editor
from .records import require_reader
from .records import table_named

# (rows done, rows in all): the rows checked, then (apply_import) the rows written; each pass ends at done == all.
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 500
EXPORT_LIMIT = 200_000
ANALYSE_AFTER = 1_000  # rows written by one import, after which the database's statistics are refreshed


class RowAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True)
class RowOutcome:
    line: int  # as the spreadsheet numbers it (the header is line 1)
    action: RowAction
    key: str | None
    problems: dict[str, str] = field(default_factory=dict)  # field (or column) -> why
    changes: dict[str, list[str]] = field(default_factory=dict)  # field -> [before, after]


@dataclass(frozen=True)
class ImportPlan:
    table: str
    mapping: dict[str, str | None]  # column header -> field (None: the column is ignored)
    rows: list[RowOutcome]
    applied: bool = False

    @property
    def counts(self) -> dict[str, int]:
        counts = {a.value: 0 for a in RowAction}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def refused(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.action is RowAction.REFUSED]


def read_upload(filename: str, content: bytes) -> Sheet:
    try:
        return read_table(filename, content)
    except UnreadableTable as exc:
        raise InvalidInput(str(exc), errors={"file": [str(exc)]}) from None


def suggest_mapping(table: Table, headers: list[str]) -> dict[str, str | None]:
    """Each column's field: the one whose name or label (中文 or English) the header is."""
    names: dict[str, str] = {}
    for spec in table.fields:
        zh, en = FIELD_LABELS.get(spec.name, (spec.name, spec.name))
        for alias in (spec.name, zh, en):
            names.setdefault(fold(alias).casefold(), spec.name)
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    for header in headers:
        found = names.get(fold(header).casefold())
        mapping[header] = found if found not in taken else None
        if found:
            taken.add(found)
    return mapping


SAMPLE_ROWS = 5


@dataclass(frozen=True)
class UploadColumns:
    """What the mapping step shows of a file: its columns, the field each seems to be, a few rows."""

    headers: list[str]
    mapping: dict[str, str | None]
    rows: int
    sample: list[list[str]]


def upload_columns(ctx: ServiceContext, actor: Principal, table_name: str, sheet: Sheet) -> UploadColumns:
    """The file's columns with the suggested field of each (``suggest_mapping``), before a dry run."""
    table = table_named(table_name)
    require_editor(actor, table)
    headers = list(sheet.headers)
    sample = [["" if cell is None else str(cell) for cell in row] for row in sheet.rows[:SAMPLE_ROWS]]
    return UploadColumns(headers, suggest_mapping(table, headers), len(sheet.rows), sample)


def _checked_mapping(table: Table, sheet: Sheet, mapping: Mapping[str, str | None] | None) -> dict[str, str | None]:
    chosen = dict(suggest_mapping(table, list(sheet.headers)))
    if mapping is not None:
        unknown_columns = [c for c in mapping if c not in sheet.headers]
        unknown_fields = [f for f in mapping.values() if f and f not in table.names]
        if unknown_columns or unknown_fields:
            errors = {c: ["no such column in the file"] for c in unknown_columns}
            errors.update({f: [f"not a field of the {table.name}"] for f in unknown_fields})
            raise InvalidInput("the column mapping does not fit the file", errors=errors)
        chosen.update({c: (f or None) for c, f in mapping.items()})
    fields = [f for f in chosen.values() if f]
    twice = sorted({f for f in fields if fields.count(f) > 1})
    missing = [s.name for s in table.fields if s.required and s.name not in fields]
    if twice or missing:
        errors = {f: ["two columns are mapped to it"] for f in twice}
        errors.update({f: ["required, but no column is mapped to it"] for f in missing})
        raise InvalidInput("the column mapping does not fit the table", errors=errors)
    return chosen


def _raw_rows(sheet: Sheet, mapping: Mapping[str, str | None]) -> list[dict[str, Any]]:
    columns = [(i, mapping.get(h)) for i, h in enumerate(sheet.headers)]
    return [{name: row[i] for i, name in columns if name} for row in sheet.rows]


def _plan(
    writer: RecordWriter, table: Table, raws: list[dict[str, Any]], progress: Progress | None
) -> tuple[list[RowOutcome], list[tuple[dict[str, Any], Any, dict[str, list[str]]]]]:
    """Every row's outcome, and what to write for the rows that change something."""
    keys: list[str | None] = []
    key_spec = table.field(table.key)
    for raw in raws:
        try:
            keys.append(str(parse_value(key_spec, raw.get(table.key))))
        except ValueError:
            keys.append(None)
    existing = writer.uow.records.by_keys(table, [k for k in keys if k])
    writer.prefetch_references(
        [{s.name: _key_text(s, raw.get(s.name)) for s in table.fields if s.references} for raw in raws]
    )
    outcomes: list[RowOutcome] = []
    writes = []
    first_line: dict[str, int] = {}
    for index, (raw, key) in enumerate(zip(raws, keys, strict=True)):
        line = index + 2
        row = existing.get(key) if key else None
        values, problems, changes = writer.check(raw, row, partial=row is not None)  # unmapped fields kept
        if key and key in first_line:
            problems[table.key] = f"{key} is also on line {first_line[key]}"
        elif key:
            first_line[key] = line
        if problems:
            outcomes.append(RowOutcome(line, RowAction.REFUSED, key, problems))
        elif row is None:
            outcomes.append(RowOutcome(line, RowAction.CREATE, key, changes=changes))
            writes.append((values, None, changes))
        elif changes:
            outcomes.append(RowOutcome(line, RowAction.UPDATE, key, changes=changes))
            writes.append((values, row, changes))
        else:
            outcomes.append(RowOutcome(line, RowAction.UNCHANGED, key))
        if progress is not None and ((index + 1) % PROGRESS_EVERY == 0 or index + 1 == len(raws)):
            progress(index + 1, len(raws))
    return outcomes, writes


def _key_text(spec, value: Any) -> str | None:
    try:
        parsed = parse_value(spec, value)
    except ValueError:
        return None
    return str(parsed) if parsed else None


def plan_import(
    ctx: ServiceContext,
    actor: Principal,
    table_name: str,
    sheet: Sheet,
    mapping: Mapping[str, str | None] | None = None,
    *,
    progress: Progress | None = None,
) -> ImportPlan:
    """The dry run: what importing ``sheet`` would do, row by row; nothing is written."""
    table = table_named(table_name)
    require_editor(actor, table)
    chosen = _checked_mapping(table, sheet, mapping)
    with ctx.uow() as uow:
        writer = RecordWriter(uow, table, actor, ctx.clock.now())
        outcomes, _ = _plan(writer, table, _raw_rows(sheet, chosen), progress)
    return ImportPlan(table.name, chosen, outcomes)


def apply_import(
    ctx: ServiceContext,
    actor: Principal,
    table_name: str,
    sheet: Sheet,
    mapping: Mapping[str, str | None] | None = None,
    *,
    source: str | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Import ``sheet`` whole, or — if any row is refused — nothing (InvalidInput naming every bad row)."""
    table = table_named(table_name)
    require_editor(actor, table)
    chosen = _checked_mapping(table, sheet, mapping)
    raws = _raw_rows(sheet, chosen)
    with ctx.uow() as uow:
        writer = RecordWriter(uow, table, actor, ctx.clock.now(), source=source)
        outcomes, writes = _plan(writer, table, raws, progress)
        plan = ImportPlan(table.name, chosen, outcomes)
        if plan.refused:
            raise InvalidInput(
                f"{len(plan.refused)} of {len(outcomes)} rows refused; nothing was imported",
                errors={f"line {r.line}": [f"{k}: {v}" for k, v in r.problems.items()] for r in plan.refused},
            )
        with uow.racing():  # a key someone else created since the check: Busy, nothing kept
            for first in range(0, len(writes), PROGRESS_EVERY):
                chunk = writes[first : first + PROGRESS_EVERY]
                for values, row, changes in chunk:
                    if row is not None:
                        writer.write(values, row, changes, ChangeAction.IMPORTED)
                created = [(values, changes) for values, row, changes in chunk if row is None]
                writer.create_many(created, ChangeAction.IMPORTED)
                if progress is not None:
                    progress(first + len(chunk), len(writes))
        uow.commit()
    if len(writes) >= ANALYSE_AFTER:
        with ctx.uow() as uow:
            uow.records.refresh_statistics(table)
            uow.commit()
    return ImportPlan(table.name, chosen, outcomes, applied=True)


def export_table(ctx: ServiceContext, actor: Principal, table_name: str, fmt: str = "xlsx") -> Download:
    """Every record of the table, with the field names as headers: the import format, read back as is."""
    table = table_named(table_name)
    require_reader(actor, table)
    with ctx.uow() as uow:
        rows, _ = uow.records.page(table, RecordQuery(limit=EXPORT_LIMIT))
        records = [uow.records.values(table, r) for r in rows]
    body = [[format_value(s, record[s.name]) for s in table.fields] for record in records]
    return download([Sheet(table.name, list(table.names), body)], fmt, table.name)
