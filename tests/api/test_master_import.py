"""Importing the department's spreadsheets: 10 000 customers with 20 000 units from XLSX (dry run, apply,
the same file again), a file with bad rows refused whole, a GB 18030 CSV with Chinese headers, a column
mapping of the user's, and the sample files under docs/."""

from __future__ import annotations

import io
from datetime import date
from datetime import timedelta

import pytest
import xlsxwriter

from app.domain.master_data import FIELD_LABELS
from app.domain.master_data import TABLES
from app.domain.principal import Principal
from app.errors import InvalidInput
from app.integrations.spreadsheets import Sheet
from app.services.master_data import imports

ADMIN = Principal("admin", frozenset({"admin"}))
AGENT = Principal("agent", frozenset({"cs_agent"}))
CUSTOMERS = 10_000
UNITS_EACH = 2


def xlsx(headers: list[str], rows: list[list]) -> bytes:
    """A workbook as a department keeps one: text, numbers and real date cells."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("data")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, day)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def customer_rows(count: int) -> tuple[list[str], list[list]]:
    headers = ["code", "name", "kind", "region", "branch", "address", "phone", "key_customer"]
    rows = [
        [
            f"K{n:06d}",
            f"客户 {n}",
            "company" if n % 7 == 0 else "person",
            "urban" if n % 3 else "suburban",
            "市区 Urban" if n % 3 else "郊县 Suburban",
            f"北京市朝阳区建国路 {n} 号",
            13900000000 + n,  # a number cell, as a spreadsheet holds a phone typed without separators
            "yes" if n % 50 == 0 else "no",
        ]
        for n in range(count)
    ]
    return headers, rows


def unit_rows(customers: int, each: int) -> tuple[list[str], list[list]]:
    headers = ["serial_no", "customer_code", "product_category", "model", "purchase_date", "invoice_no", "tampered"]
    first = date(2024, 1, 1)
    rows = [
        [
            f"SN-K{n:06d}-{i}",
            f"K{n:06d}",
            "refrigeration" if i == 0 else "laundry",
            "BCD-520W" if i == 0 else "XQG100",
            first + timedelta(days=(n + i) % 700),
            f"INV-{n:06d}-{i}",
            "no",
        ]
        for n in range(customers)
        for i in range(each)
    ]
    return headers, rows


def test_ten_thousand_customers_and_twenty_thousand_units_dry_run_apply_and_again_unchanged(ctx):
    customers = imports.read_upload("customers.xlsx", xlsx(*customer_rows(CUSTOMERS)))
    units = imports.read_upload("units.xlsx", xlsx(*unit_rows(CUSTOMERS, UNITS_EACH)))
    seen: list[tuple[int, int]] = []

    plan = imports.plan_import(ctx, ADMIN, "customers", customers, progress=lambda d, t: seen.append((d, t)))
    assert plan.counts == {"create": CUSTOMERS, "update": 0, "unchanged": 0, "refused": 0} and not plan.applied
    assert seen[-1] == (CUSTOMERS, CUSTOMERS) and len(seen) >= CUSTOMERS // imports.PROGRESS_EVERY
    with ctx.uow() as uow:
        assert not uow.records.existing_keys(TABLES["customers"], ["K000000"])  # the dry run wrote nothing

    assert imports.apply_import(ctx, ADMIN, "customers", customers).counts["create"] == CUSTOMERS
    refused = imports.plan_import(ctx, ADMIN, "units", units)  # a dry run checks against the customers now there
    assert refused.counts["create"] == CUSTOMERS * UNITS_EACH
    applied = imports.apply_import(ctx, ADMIN, "units", units, source="units.xlsx")
    assert applied.applied and applied.counts["create"] == CUSTOMERS * UNITS_EACH

    again = imports.apply_import(ctx, ADMIN, "customers", customers)
    assert again.counts == {"create": 0, "update": 0, "unchanged": CUSTOMERS, "refused": 0}
    again = imports.apply_import(ctx, ADMIN, "units", units)
    assert again.counts == {"create": 0, "update": 0, "unchanged": CUSTOMERS * UNITS_EACH, "refused": 0}
    with ctx.uow() as uow:
        unit = uow.records.get(TABLES["units"], "SN-K000123-1")
        assert unit.customer.code == "K000123" and unit.purchase_date == date(2024, 1, 1) + timedelta(days=124)
        assert uow.records.get(TABLES["customers"], "K000123").phone == "13900000123"
        assert len(uow.records.history(TABLES["units"], "SN-K000123-1")) == 1  # unchanged rows leave no change row


def test_a_file_with_bad_rows_is_refused_whole_with_every_bad_row_named_and_nothing_written(ctx):
    headers = ["serial_no", "customer_code", "product_category", "model", "purchase_date"]
    rows = [
        ["SN-NEW-1", "C001", "refrigeration", "BCD-520W", "2025-03-01"],  # good
        ["SN-NEW-2", "C001", "laundry", "XQG100", "2025-02-30"],  # no such day
        ["SN-NEW-3", "C999", "laundry", "XQG100", "2025-03-01"],  # no such customer
        ["SN-NEW-1", "C002", "laundry", "XQG100", "2025-03-01"],  # the serial of line 2 again
        ["SN-NEW-5", "C002", "", "XQG100", "2025-03-01"],  # the category is required
        ["ＳＮ－ＮＥＷ－６", "C002", "tv_av", "65Q9", "2025/03/01"],  # full width and slashes: fine
    ]
    sheet = imports.read_upload("units.xlsx", xlsx(headers, rows))
    plan = imports.plan_import(ctx, AGENT, "units", sheet)
    assert plan.counts == {"create": 2, "update": 0, "unchanged": 0, "refused": 4}
    assert {r.line: r.problems for r in plan.refused} == {
        3: {"purchase_date": "'2025-02-30' is not a date (YYYY-MM-DD)"},
        4: {"customer_code": "no customers record 'C999'"},
        5: {"serial_no": "SN-NEW-1 is also on line 2"},
        6: {"product_category": "required"},
    }
    with pytest.raises(InvalidInput) as refused:
        imports.apply_import(ctx, AGENT, "units", sheet)
    assert refused.value.message == "4 of 6 rows refused; nothing was imported"
    assert set(refused.value.errors) == {"line 3", "line 4", "line 5", "line 6"}
    assert refused.value.errors["line 4"] == ["customer_code: no customers record 'C999'"]
    with ctx.uow() as uow:
        assert not uow.records.existing_keys(TABLES["units"], ["SN-NEW-1", "SN-NEW-6"])


def gb18030_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    lines = [",".join(headers)] + [",".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")  # what Excel on a Chinese Windows saves


def test_a_gb18030_csv_with_chinese_headers_is_imported(ctx):
    names = ["code", "name", "kind", "region", "branch", "address", "phone", "mobile", "key_customer", "language"]
    headers = [FIELD_LABELS[n][0] for n in names]
    rows = [
        [
            "ｃ１０１",
            "赵敏",
            "person",
            "urban",
            "市区",
            "北京市东城区王府井大街 1 号",
            "１３９ ００００ ０１０１",
            "",
            "否",
            "",
        ],
        [
            "C102",
            "鑫达电器有限公司",
            "company",
            "suburban",
            "郊县",
            "北京市顺义区府前街 9 号",
            "010-6940 0102",
            "",
            "是",
            "en",
        ],
    ]
    content = gb18030_csv(headers, rows)
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # really GB 18030, not UTF-8
    sheet = imports.read_upload("客户.csv", content)
    plan = imports.apply_import(ctx, AGENT, "customers", sheet, source="客户.csv")
    assert plan.mapping == dict(zip(headers, names, strict=True))
    assert plan.counts["create"] == 2
    with ctx.uow() as uow:
        first = uow.records.get(TABLES["customers"], "C101")
        second = uow.records.get(TABLES["customers"], "C102")
        assert (first.name, first.phone, first.key_customer) == ("赵敏", "13900000101", False)
        assert (second.phone, second.key_customer, second.kind) == ("01069400102", True, "company")
        assert (first.language, second.language) == (None, "en")  # messages to C102 go out in English
        [change] = uow.records.history(TABLES["customers"], "C102")
        assert (change.action, change.actor, change.source) == ("imported", "agent", "客户.csv")


def test_a_column_mapping_given_by_the_user_names_the_fields_of_other_headers(ctx):
    headers = ["Kunde", "Firma", "Typ", "Gebiet", "Filiale", "Anschrift", "Tel", "Bemerkung"]
    rows = [["D001", "Müller GmbH", "company", "urban", "市区", "北京市朝阳区 1 号", "13800009001", "ignored"]]
    sheet = Sheet("d.csv", headers, rows)
    with pytest.raises(InvalidInput) as unmapped:
        imports.plan_import(ctx, AGENT, "customers", sheet)  # no header is a field name or label
    assert unmapped.value.errors["code"] == ["required, but no column is mapped to it"]
    mapping = dict(zip(headers[:7], ["code", "name", "kind", "region", "branch", "address", "phone"], strict=True))
    plan = imports.apply_import(ctx, AGENT, "customers", sheet, {**mapping, "Bemerkung": None})
    assert plan.counts["create"] == 1 and plan.mapping["Bemerkung"] is None
    with ctx.uow() as uow:
        assert uow.records.get(TABLES["customers"], "D001").name == "Müller GmbH"
    with pytest.raises(InvalidInput) as twice:
        imports.plan_import(ctx, AGENT, "customers", sheet, {**mapping, "Bemerkung": "name"})
    assert twice.value.errors == {"name": ["two columns are mapped to it"]}
    with pytest.raises(InvalidInput) as unknown:
        imports.plan_import(ctx, AGENT, "customers", sheet, {"Telefon": "phone", "Tel": "fax"})
    assert unknown.value.errors == {"Telefon": ["no such column in the file"], "fax": ["not a field of the customers"]}


def test_an_import_changes_only_what_differs_and_says_from_what_to_what(ctx):
    sheet = Sheet("c.csv", ["code", "name", "kind", "region", "branch", "address", "phone", "key_customer"], [])
    with ctx.uow() as uow:
        c001 = uow.records.values(TABLES["customers"], uow.records.get(TABLES["customers"], "C001"))
    row = [c001[n] for n in sheet.headers]
    row[sheet.headers.index("key_customer")] = "是"
    new = ["C777", "新客户", "person", "urban", "市区", "北京市 7 号", "13800007777", "no"]
    plan = imports.apply_import(ctx, AGENT, "customers", Sheet("c.csv", sheet.headers, [row, new]))
    outcome, created = plan.rows
    assert (outcome.action, outcome.changes) == ("update", {"key_customer": ["no", "yes"]})
    assert created.action == "create" and created.changes["phone"] == ["", "13800007777"]
    with ctx.uow() as uow:
        assert uow.records.get(TABLES["customers"], "C001").revision == 2
        assert uow.records.get(TABLES["customers"], "C777").revision == 1
        assert [h.action for h in uow.records.history(TABLES["customers"], "C777")] == ["imported"]
    assert imports.apply_import(ctx, AGENT, "customers", Sheet("c.csv", sheet.headers, [row, new])).counts == {
        "create": 0,
        "update": 0,
        "unchanged": 2,
        "refused": 0,
    }


def test_the_sample_files_under_docs_import_as_the_readme_says(ctx):
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "docs" / "master-data-sample"
    for table, count in (("customers", 3), ("units", 4)):
        sheet = imports.read_upload(f"{table}.csv", (sample / f"{table}.csv").read_bytes())
        plan = imports.apply_import(ctx, AGENT, table, sheet)
        assert plan.counts == {"create": count, "update": 0, "unchanged": 0, "refused": 0}, plan.refused
        assert None not in plan.mapping.values()  # every column is a field
    with ctx.uow() as uow:
        assert uow.records.get(TABLES["customers"], "S1003").phone == "+8613810001003"
        unit = uow.records.get(TABLES["units"], "SN-S-IT-01")
        assert (unit.customer.code, unit.purchase_date) == ("S1002", date(2024, 9, 1))


def test_a_record_created_by_someone_else_during_the_import_is_a_conflict_and_nothing_is_kept(ctx, monkeypatch):
    from app.errors import Conflict
    from app.persistence.repositories.master_records import MasterRecordRepository

    headers, rows = customer_rows(3)
    rows[2][0] = "C001"  # exists; the look-up below misses it, as if it was created after the check
    real = MasterRecordRepository.by_keys
    monkeypatch.setattr(
        MasterRecordRepository,
        "by_keys",
        lambda self, table, keys: {k: v for k, v in real(self, table, keys).items() if k != "C001"},
    )
    with pytest.raises(Conflict, match="changed by someone else"):  # 409, as a stale edit
        imports.apply_import(ctx, ADMIN, "customers", Sheet("c.csv", headers, rows))
    monkeypatch.undo()
    with ctx.uow() as uow:
        assert not uow.records.existing_keys(TABLES["customers"], ["K000000", "K000001"])
        assert uow.records.history(TABLES["customers"], "K000000") == []
