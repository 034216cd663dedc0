"""The QA tables as downloads: conformance, deadline and KPI reports as XLSX (every table) or CSV."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from app.demo.repairs import ON_SITE
from app.demo.repairs import UNPAID_TAIL
from app.services.timing.timer_firing import fire_due
from tests.repair_driver import RepairCase
from tests.xlsx_reader import read_xlsx

PERIOD = "from=2026-03-01&to=2026-04-01"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def excel_serial(moment: datetime) -> float:
    """How a spreadsheet stores a (local, zone-less) date and time: days since 1899-12-30."""
    return (moment - datetime(1899, 12, 30)) / timedelta(days=1)


def test_the_conformance_report_downloads_as_xlsx_and_csv(as_user):
    case = RepairCase(as_user)
    task = case.ready()["contact_customer"]
    skipped = as_user("process_owner").post(
        f"/instances/{case.id}/tasks/{task['id']}/skip",
        json={"reason": "在系统外电话联系", "data": {"customer_reached": True, "service_mode": "on_site"}},
    )
    assert skipped.status_code == 200
    response = as_user("auditor").get(f"/reports/conformance.xlsx?process_key=repair&{PERIOD}")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert 'filename="conformance-repair.xlsx"' in response.headers["Content-Disposition"]
    sheets = read_xlsx(response.data)
    assert list(sheets) == ["Cases", "Deviations", "By element", "Summary"]
    header, row = sheets["Cases"]
    assert header[:5] == ["case_id", "case_no", "version", "status", "fitness"] and header[-1] == "deviations"
    assert row[:4] == [float(case.id), case.body["case_no"], 1.0, "running"] and row[4] < 1.0 and row[-1] == 1.0
    assert sheets["Deviations"][1][2:4] == ["skipped", "contact_customer"]
    response = as_user("auditor").get(f"/reports/conformance.csv?process_key=repair&{PERIOD}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.data.decode("utf-8-sig")
    assert lines.splitlines()[0].startswith("case_id,case_no,version,status,fitness")


def test_the_deadline_report_downloads_with_local_times(ctx, clock, as_user):
    late = RepairCase(as_user)
    clock.advance(timedelta(hours=25))
    fire_due(ctx)
    late.do("supervisor_contact_followup")
    late.do("contact_customer")  # 25 h after the request: 1 h late
    response = as_user("auditor").get(f"/reports/deadlines.xlsx?{PERIOD}")
    assert response.status_code == 200
    sheets = read_xlsx(response.data)
    assert list(sheets) == ["Deadlines", "By clause", "By person", "By branch", "By month"]
    header, *rows = sheets["Deadlines"]
    row = dict(zip(header, next(r for r in rows if r[3] == "contact_overdue"), strict=False))
    assert (row["outcome"], row["hours"], row["clause"], row["person"]) == ("breached", 1.0, "D-01", "agent")
    # due 24 h after the request of Monday 09:00 in Shanghai: Tuesday 09:00 local time
    assert row["due_at"] == excel_serial(datetime(2026, 3, 3, 9, 0))
    clause_header, *clauses = sheets["By clause"]
    assert clause_header == ["clause", "met", "breached", "open", "at_risk", "met_rate", "median_breach_hours"]
    assert ["D-01", 0.0, 1.0] == next(c for c in clauses if c[0] == "D-01")[:3]


def test_the_kpi_table_downloads_and_is_for_report_roles_only(as_user):
    case = RepairCase(as_user, contract_no="MC-2025-001")
    case.walk(*ON_SITE, *UNPAID_TAIL)
    response = as_user("qa").get("/reports/kpi.xlsx?quarter=2026-Q1")
    assert response.status_code == 200 and response.mimetype == XLSX
    kpis = read_xlsx(response.data)["KPIs"]
    assert kpis[0] == [
        "quarter",
        "kpi",
        "name",
        "value",
        "target",
        "weight",
        "met",
        "cases",
        "case_ids",
        "missed_case_ids",
    ]
    first_time_fix = next(r for r in kpis if r[1] == "first_time_fix")
    assert first_time_fix[:6] == ["2026-Q1", "first_time_fix", "维修一次成功率 / First-time fix rate", 1.0, 0.9, 0.25]
    assert first_time_fix[6:9] == [True, 1.0, str(case.id)]
    csv_lines = as_user("qa").get("/reports/kpi.csv?quarter=2026-Q1").data.decode("utf-8-sig").splitlines()
    assert len(csv_lines) == 5 and csv_lines[0].startswith("quarter,kpi,name,value")
    assert as_user("agent").get("/reports/kpi.xlsx?quarter=2026-Q1").status_code == 403
    assert as_user("qa").get("/reports/kpi.xlsx?quarter=2026-Q5").status_code == 422
    assert as_user("qa").get("/reports/kpi.ods?quarter=2026-Q1").status_code == 404


def test_a_download_names_its_file_safely(as_user):
    response = as_user("auditor").get(f"/reports/deadlines.csv?{PERIOD}&process_key=re%0D%0Apair%22x")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="deadlines-re_pair_x.csv"'
