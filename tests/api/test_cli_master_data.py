"""``aftersales import-records`` / ``export-records``: a dry run, the apply with its progress line, a refused
file with every bad line (exit code 1), a column mapping, and an export read back unchanged."""

from __future__ import annotations

from app.domain.master_data import TABLES
from tests.api.test_cli import run

UNITS = (
    "serial_no,customer_code,product_category,model,purchase_date\n"
    "SN-CLI-1,C001,refrigeration,BCD-520W,2025-03-01\n"
    "SN-CLI-2,C002,laundry,XQG100,2025-03-02\n"
)


def test_import_a_dry_run_then_the_apply_with_progress_on_stderr(app, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(UNITS, encoding="utf-8")
    dry = run(app, "import-records", "units", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "units (dry run, nothing written): 2 to create, 0 to update, 0 unchanged, 0 refused" in dry.stdout
    assert "\runits: checked 2 / 2 rows\n" in dry.stderr
    with app.extensions["aftersales"].uow() as uow:
        assert not uow.records.existing_keys(TABLES["units"], ["SN-CLI-1"])
    applied = run(app, "import-records", "units", str(path))
    assert applied.exit_code == 0, applied.output
    assert "units: 2 created, 0 updated, 0 unchanged" in applied.stdout
    assert "units: checked 2 / 2 rows\n" in applied.stderr and "units: written 2 / 2 rows\n" in applied.stderr
    with app.extensions["aftersales"].uow() as uow:
        [change] = uow.records.history(TABLES["units"], "SN-CLI-2")
        assert (change.actor, change.source) == ("cli", "units.csv")
    assert "units: 0 created, 0 updated, 2 unchanged" in run(app, "import-records", "units", str(path)).stdout


def test_a_refused_file_names_every_bad_line_and_exits_1(app, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(UNITS + "SN-CLI-1,C404,laundry,XQG100,2025-13-01\nSN-CLI-4,C001,,XQG100,\n", encoding="utf-8")
    for dry_run in (["--dry-run"], []):
        result = run(app, "import-records", "units", str(path), *dry_run)
        assert result.exit_code == 1, result.output
        [line_4] = [line for line in result.stderr.splitlines() if line.startswith("  line 4: ")]
        assert "purchase_date: '2025-13-01' is not a date (YYYY-MM-DD)" in line_4
        assert "customer_code: no customers record 'C404'" in line_4 and "SN-CLI-1 is also on line 2" in line_4
        assert "line 5: product_category: required" in result.stderr
    assert "error: 2 of 4 rows refused; nothing was imported" in result.stderr
    with app.extensions["aftersales"].uow() as uow:
        assert not uow.records.existing_keys(TABLES["units"], ["SN-CLI-1", "SN-CLI-2"])


def test_a_mapping_names_the_columns_and_a_bad_one_is_refused(app, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(UNITS.replace("serial_no,customer_code", "Seriennummer,Kunde"), encoding="utf-8")
    mapping = '{"Seriennummer": "serial_no", "Kunde": "customer_code"}'
    result = run(app, "import-records", "units", str(path), "--mapping", mapping)
    assert result.exit_code == 0 and "units: 2 created" in result.stdout, result.output
    unmapped = run(app, "import-records", "units", str(path), "--dry-run")
    assert unmapped.exit_code == 1 and "serial_no: required, but no column is mapped to it" in unmapped.stderr
    assert "columns ignored" not in unmapped.stdout
    bad = run(app, "import-records", "units", str(path), "--mapping", "[1]")
    assert bad.exit_code == 2 and "a JSON object of column" in bad.stderr


def test_export_records_writes_the_import_format_which_imports_back_unchanged(app, tmp_path):
    target = tmp_path / "out" / "customers.csv"
    target.parent.mkdir()
    result = run(app, "export-records", "customers", "--format", "csv", "-o", str(target))
    assert result.exit_code == 0 and f"wrote {target}" in result.stdout, result.output
    assert target.read_text(encoding="utf-8-sig").startswith("code,name,kind,region,branch,address,phone,")
    again = run(app, "import-records", "customers", str(target))
    assert "customers: 0 created, 0 updated, 6 unchanged" in again.stdout, again.output
    xlsx = run(app, "export-records", "units", "-o", str(tmp_path / "units.xlsx"))
    assert xlsx.exit_code == 0 and (tmp_path / "units.xlsx").read_bytes()[:2] == b"PK"
    assert (
        "units: 0 created, 0 updated, 8 unchanged"
        in run(app, "import-records", "units", str(tmp_path / "units.xlsx")).stdout
    )
