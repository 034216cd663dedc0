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
    response = as_user("auditor").get(f"/reports/conformance.xlsx?process_key=repair&{PERIOD}&lang=en")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert 'filename="conformance-repair.xlsx"' in response.headers["Content-Disposition"]
    sheets = read_xlsx(response.data)
    assert list(sheets) == ["Cases", "Deviations", "By element", "Summary"]
    header, row = sheets["Cases"]
    assert header[:5] == ["Case id", "Case number", "Version", "Status", "Fitness"] and header[-1] == "Deviations"
    assert row[:4] == [float(case.id), case.body["case_no"], 1.0, "running"] and row[4] < 1.0 and row[-1] == 1.0
    assert sheets["Deviations"][1][2:4] == ["skipped", "contact_customer"]
    # In Chinese, the session's language by default; the CSV carries a byte-order mark like every CSV download
    response = as_user("auditor").get(f"/reports/conformance.csv?process_key=repair&{PERIOD}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.data.decode("utf-8-sig").splitlines()[0].startswith("案件编号 (内部),案件号,流程版本,状态,拟合度")
    chinese = read_xlsx(as_user("auditor").get(f"/reports/conformance.xlsx?process_key=repair&{PERIOD}").data)
    assert list(chinese) == ["案件", "偏差", "按元素", "汇总"]


def test_the_deadline_report_downloads_with_local_times(ctx, clock, as_user):
    late = RepairCase(as_user)
    clock.advance(timedelta(hours=25))
    fire_due(ctx)
    late.do("supervisor_contact_followup")
    late.do("contact_customer")  # 25 h after the request: 1 h late
    response = as_user("auditor").get(f"/reports/deadlines.xlsx?{PERIOD}&lang=en")
    assert response.status_code == 200
    sheets = read_xlsx(response.data)
    assert list(sheets) == ["Deadlines", "By clause", "By person", "By branch", "By month"]
    header, *rows = sheets["Deadlines"]
    row = dict(zip(header, next(r for r in rows if r[3] == "contact_overdue"), strict=False))
    assert (row["Outcome"], row["Hours (margin/breach)"], row["Clause"], row["Person"]) == (
        "breached",
        1.0,
        "D-01",
        "agent",
    )
    # due 24 h after the request of Monday 09:00 in Shanghai: Tuesday 09:00 local time
    assert row["Due at"] == excel_serial(datetime(2026, 3, 3, 9, 0))
    clause_header, *clauses = sheets["By clause"]
    assert clause_header == ["Clause", "Clause name", "Met", "Breached", "Not yet due", "At risk", "Met rate"] + [
        "Median breach (h)"
    ]
    d01 = next(c for c in clauses if c[0] == "D-01")
    assert d01[1] == "24小时未联系（PREMIUM 1小时） / No contact in 24 h (PREMIUM 1 h)"  # its deadlines' names
    assert [0.0, 1.0] == d01[2:4]


def test_the_kpi_table_downloads_and_is_for_report_roles_only(as_user):
    case = RepairCase(as_user, contract_no="MC-2025-001")
    case.walk(*ON_SITE, *UNPAID_TAIL)
    response = as_user("qa").get("/reports/kpi.xlsx?quarter=2026-Q1&lang=en")
    assert response.status_code == 200 and response.mimetype == XLSX
    kpis = read_xlsx(response.data)["KPIs"]
    assert kpis[0] == ["Quarter", "KPI", "Name", "Value", "Target", "Weight", "Met", "Cases", "Case ids"] + [
        "Missed case ids"
    ]
    first_time_fix = next(r for r in kpis if r[1] == "first_time_fix")
    assert first_time_fix[:6] == ["2026-Q1", "first_time_fix", "维修一次成功率 / First-time fix rate", 1.0, 0.9, 0.25]
    assert first_time_fix[6:9] == [True, 1.0, str(case.id)]
    csv_lines = as_user("qa").get("/reports/kpi.csv?quarter=2026-Q1").data.decode("utf-8-sig").splitlines()
    assert len(csv_lines) == 5 and csv_lines[0].startswith("季度,指标,名称,实际值")
    assert as_user("qa").get("/reports/kpi.csv?quarter=2026-Q1&lang=fr").status_code == 422
    assert as_user("agent").get("/reports/kpi.xlsx?quarter=2026-Q1").status_code == 403
    assert as_user("qa").get("/reports/kpi.xlsx?quarter=2026-Q5").status_code == 422
    assert as_user("qa").get("/reports/kpi.ods?quarter=2026-Q1").status_code == 404


def test_a_download_names_its_file_safely(as_user):
    response = as_user("auditor").get(f"/reports/deadlines.csv?{PERIOD}&process_key=re%0D%0Apair%22x")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="deadlines-re_pair_x.csv"'


def test_the_event_log_exports_without_a_period_give_the_whole_log(clock, as_user):
    march = RepairCase(as_user)
    clock.advance(timedelta(days=40))  # into April
    april = RepairCase(as_user)
    auditor = as_user("auditor")
    whole = auditor.get("/exports/repair.xes")
    assert whole.status_code == 200
    assert whole.data.count(b"<trace>") == 2 and b'value="repair (all cases)"' in whole.data
    assert auditor.get(f"/exports/repair.xes?{PERIOD}").data.count(b"<trace>") == 1
    assert auditor.get("/exports/repair.xes?from=2026-04-01").data.count(b"<trace>") == 1
    csv_body = auditor.get("/exports/repair.csv").data
    # The same byte-order mark as every CSV download: the QA tables' and the master data's too
    for body in (csv_body, auditor.get(f"/reports/deadlines.csv?{PERIOD}").data):
        assert body.startswith(b"\xef\xbb\xbf")
    assert as_user("admin").get("/master/customers/export?format=csv").data.startswith(b"\xef\xbb\xbf")
    cases = {line.split(",")[0] for line in csv_body.decode("utf-8-sig").splitlines()[1:]}
    assert cases == {march.body["case_no"], april.body["case_no"]}
