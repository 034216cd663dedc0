"""Tables as downloads (XLSX workbooks by XlsxWriter, CSV) and uploads read back (``read_table``).

Every CSV download is UTF-8 with a byte-order mark (``csv_bytes``): Excel on a Chinese Windows reads
a CSV without one as GB 18030 and garbles the Chinese; other tools skip the mark (our own reader
does). Cells are written by type, never interpreted: a text starting with ``=`` stays text in the
workbook, and in CSV it is prefixed with ``'`` so a spreadsheet does not run it (logs are uploaded
by users, names come from diagrams). Times are written as local times without a zone.

Uploads: XLSX, XLS and ODS are read by python-calamine (values as the workbook holds them: text,
numbers, dates, booleans; formulas as their cached results, never evaluated); CSV in UTF-8 (with
or without BOM) or GB 18030, comma, semicolon or tab separated.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

import xlsxwriter
from python_calamine import CalamineError
from python_calamine import CalamineWorkbook

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMN_WIDTH = 60


@dataclass(frozen=True)
class Sheet:
    """One table: a name (at most 31 characters), its column headers and rows of plain values."""

    name: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one worksheet per table: bold frozen header, filters, fitted columns."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "remove_timezone": True}
    workbook = xlsxwriter.Workbook(buffer, options)
    bold = workbook.add_format({"bold": True, "bg_color": "#E5E7EB", "border": 1})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for sheet in sheets:
        worksheet = workbook.add_worksheet(_sheet_name(sheet.name))
        widths = [len(str(h)) for h in sheet.headers]
        for column, header in enumerate(sheet.headers):
            worksheet.write_string(0, column, str(header), bold)
        for r, row in enumerate(sheet.rows, start=1):
            for column, value in enumerate(row):
                _write(worksheet, r, column, value, when, day)
                if column < len(widths):
                    widths[column] = max(widths[column], _width(value))
        for column, width in enumerate(widths):
            worksheet.set_column(column, column, min(width + 2, MAX_COLUMN_WIDTH))
        worksheet.freeze_panes(1, 0)
        if sheet.headers:
            worksheet.autofilter(0, 0, max(len(sheet.rows), 1), len(sheet.headers) - 1)
    workbook.close()
    return buffer.getvalue()


def _write(worksheet, row: int, column: int, value: Any, when, day) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        worksheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        worksheet.write_number(row, column, value)
    elif isinstance(value, datetime):
        worksheet.write_datetime(row, column, value, when)
    elif isinstance(value, date):
        worksheet.write_datetime(row, column, datetime.combine(value, datetime.min.time()), day)
    else:
        worksheet.write_string(row, column, str(value))


def _width(value: Any) -> int:
    if isinstance(value, datetime):
        return 19
    text = str(value) if value is not None else ""
    # CJK characters take two columns
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")
    return cleaned[:31] or "Sheet"


def to_csv(sheet: Sheet) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(sheet.headers)
    for row in sheet.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Download:
    body: bytes
    mimetype: str
    filename: str


CSV_ENCODING = "utf-8-sig"  # UTF-8 with a byte-order mark, for every CSV download (see the module docstring)
CSV_MIMETYPE = "text/csv; charset=utf-8"


def csv_bytes(text: str) -> bytes:
    """A CSV download's body: ``text`` in UTF-8 with a byte-order mark."""
    return text.encode(CSV_ENCODING)


def download(sheets: Sequence[Sheet], fmt: str, stem: str) -> Download:
    """``xlsx``: every table in one workbook; ``csv``: the first (main) table."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)  # it goes into a Content-Disposition header
    if fmt == "xlsx":
        return Download(to_xlsx(sheets), XLSX_MIMETYPE, f"{stem}.xlsx")
    return Download(csv_bytes(to_csv(sheets[0])), CSV_MIMETYPE, f"{stem}.csv")


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_UPLOAD_ROWS = 200_000


class UnreadableTable(ValueError):
    """An upload that is not a table this module reads; the message says why."""


def decode_text(content: bytes) -> str:
    """A text upload in UTF-8 (BOM or not) or GB 18030 (what Excel saves as CSV on a Chinese Windows)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableTable("the file is neither UTF-8 nor GB 18030 text")


def read_table(filename: str, content: bytes) -> Sheet:
    """The first worksheet of a workbook, or a CSV file, as a header row and rows (blank rows dropped)."""
    if filename.lower().endswith(WORKBOOK_SUFFIXES):
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
            sheet = workbook.get_sheet_by_index(0)
            name, rows = sheet.name, sheet.to_python(skip_empty_area=False)
        except (CalamineError, ValueError, IndexError) as exc:
            raise UnreadableTable(f"{filename} cannot be read as a workbook: {exc}") from None
    else:
        text = decode_text(content)
        first_line = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first_line.count)
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            raise UnreadableTable(f"{filename} cannot be read as CSV: {exc}") from None
        name = filename
    rows = [r for r in rows if any(_filled(v) for v in r)]
    if not rows:
        raise UnreadableTable(f"{filename} holds no rows")
    if len(rows) > MAX_UPLOAD_ROWS + 1:
        raise UnreadableTable(f"{filename} has {len(rows) - 1} rows; at most {MAX_UPLOAD_ROWS} in one file")
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    width = len(headers)
    body = [list(r[:width]) + [""] * (width - len(r)) for r in rows[1:]]
    return Sheet(name, headers, body)


def _filled(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))
