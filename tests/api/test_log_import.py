"""The log check: legacy event logs (CSV, XES) replayed by token replay on a chosen diagram version.

Token counts are worked out by hand in the comments: p produced (the start token included),
c consumed (the end token included), m missing, r remaining; fitness = ½(1 − m/c) + ½(1 − r/p).
On service_check.bpmn every transition consumes one token and produces one.
"""

from __future__ import annotations

import gzip
import io
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from app.errors import InvalidInput
from app.integrations.event_log_formats import read_event_log
from app.services.timing.timer_firing import fire_due
from tests.conftest import Api
from tests.repair_driver import RepairCase
from tests.service_check import service_check_app
from tests.xlsx_reader import read_xlsx

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI)

# Legacy traces of service_check.bpmn, by activity name (either half of "中文 / English", any case).
TRACES = {
    # start, register, gateway→on site, diagnose, repair, merge, close, end: 8 transitions.
    # p = 1 + 8 = 9, c = 8 + 1 = 9, m = r = 0 → 1.0
    "C1-fits": ["Register", "Diagnose", "Repair", "Close the case"],
    # start, 登记, gateway→remote, 远程支持, merge, 结案, end: 7 → p = c = 8 → 1.0
    "C2-remote": ["登记", "远程支持", "结案"],
    # Repair without Diagnose: the token waits before the gateway, so Repair lacks 1 (m = 1) and
    # the gateway's token is left (r = 1). Fired: start, register, repair, merge, close, end = 6.
    # p = 1 + 6 = 7, c = 6 + 1 = 7 → ½(1 − 1/7) + ½(1 − 1/7) = 6/7 = 0.8571
    "C3-skips-diagnose": ["register", "REPAIR", "close the case"],
    # An activity the diagram lacks is a transition with its own places: m + 1, r + 1, p + 1, c + 1
    # on top of C1: p = c = 10, m = r = 1 → 0.9
    "C4-unknown": ["Register", "Coffee break", "Diagnose", "Repair", "Close the case"],
    # Repair before Diagnose: Repair lacks 1 (m = 1); then gateway, Diagnose (its token to Repair
    # is left: r = 1), merge, close, end. Fired: start, register, repair, gateway, diagnose, merge,
    # close, end = 8 → p = c = 9 → ½(1 − 1/9) + ½(1 − 1/9) = 8/9 = 0.8889
    "C5-out-of-order": ["Register", "Repair", "Diagnose", "Close the case"],
    # Repair on the remote path: nothing leads there (m = 1), its token to the merge is left
    # (r = 1). Fired: start, register, gateway, remote, repair, merge, close, end = 8 → 0.8889
    "C6-inserted": ["Register", "Remote support", "Repair", "Close the case"],
}
EXPECTED = {  # case → (fitness, p, c, m, r, [(kind, activity, position)])
    "C1-fits": (1.0, 9, 9, 0, 0, []),
    "C2-remote": (1.0, 8, 8, 0, 0, []),
    "C3-skips-diagnose": (0.8571, 7, 7, 1, 1, [("missing", "sc_diagnose", 1)]),
    "C4-unknown": (0.9, 10, 10, 1, 1, [("unknown_activity", "Coffee break", 1)]),
    "C5-out-of-order": (0.8889, 9, 9, 1, 1, [("out_of_order", "sc_repair", 1)]),
    "C6-inserted": (0.8889, 9, 9, 1, 1, [("inserted", "sc_repair", 2)]),
}


def stamp(n: int) -> str:
    return (START + timedelta(hours=n)).isoformat()


def csv_log(traces: dict[str, list[str]], header: str = "case_id,activity,timestamp,resource", sep: str = ",") -> bytes:
    rows = [
        sep.join((case, a, stamp(n), "clerk")) for case, activities in traces.items() for n, a in enumerate(activities)
    ]
    # Rows in reverse: the check orders each case's events by timestamp.
    return (header + "\n" + "\n".join(reversed(rows)) + "\n").encode()


def xes_log(traces: dict[str, list[str]]) -> bytes:
    events = lambda activities: "".join(  # noqa: E731
        f'<event><string key="concept:name" value="{a}"/><date key="time:timestamp" value="{stamp(n)}"/>'
        f'<string key="lifecycle:transition" value="complete"/></event>'
        for n, a in enumerate(activities)
    )
    traces_xml = "".join(
        f'<trace><string key="concept:name" value="{case}"/>{events(activities)}</trace>'
        for case, activities in traces.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">'
        '<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>'
        f"{traces_xml}</log>"
    ).encode()


@pytest.fixture
def checker(tmp_path, database_url, clock):
    app = service_check_app(tmp_path, database_url, clock)
    yield Api(app.test_client(), "auditor")
    app.extensions["aftersales.db"].dispose()


def upload(api: Api, content: bytes, filename: str, query: str = "process=service_check&version=1&complete=true"):
    return api.client.post(
        f"/api/v1/qa/log-check?{query}",
        data={"file": (io.BytesIO(content), filename)},
        headers=api._headers(),
        content_type="multipart/form-data",
    )


def outcome(case: dict) -> tuple:
    deviations = [(d["kind"], d["activity"], d["position"]) for d in case["deviations"]]
    return case["fitness"], case["produced"], case["consumed"], case["missing"], case["remaining"], deviations


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("legacy.csv", csv_log(TRACES)),
        ("legacy-xes-columns.csv", csv_log(TRACES, "case:concept:name;concept:name;time:timestamp;org:resource", ";")),
        ("legacy.xes", xes_log(TRACES)),
        ("legacy.xes.gz", gzip.compress(xes_log(TRACES))),
    ],
)
def test_a_legacy_log_is_replayed_with_hand_counted_tokens(checker, filename, content):
    response = upload(checker, content, filename)
    assert response.status_code == 200, response.json
    report = response.json
    assert (report["process_key"], report["version"], report["format"]) == (
        "service_check",
        1,
        "xes" if ".xes" in filename else "csv",
    )
    assert {c["case_id"]: outcome(c) for c in report["cases"]} == EXPECTED
    summary = report["summary"]
    # average of the six: (1 + 1 + 0.8571 + 0.9 + 0.8889 + 0.8889) / 6 = 0.9225; over the whole log
    # p = c = 9 + 8 + 7 + 10 + 9 + 9 = 52, m = r = 4 → 1 − 4/52 = 0.9231
    assert (summary["cases"], summary["events"], summary["fitting_cases"]) == (6, 23, 2)
    assert (summary["average_fitness"], summary["log_fitness"]) == (0.9225, 0.9231)
    assert (summary["produced"], summary["consumed"], summary["missing"], summary["remaining"]) == (52, 52, 4, 4)
    assert {(r["activity"], r["kind"]): r["count"] for r in summary["deviations_by_activity"]} == {
        ("sc_diagnose", "missing"): 1,
        ("Coffee break", "unknown_activity"): 1,
        ("sc_repair", "out_of_order"): 1,
        ("sc_repair", "inserted"): 1,
    }


def test_deviations_name_the_step_and_say_why(checker):
    report = upload(checker, csv_log(TRACES), "legacy.csv").json
    details = {c["case_id"]: c["deviations"] for c in report["cases"]}
    [skipped] = details["C3-skips-diagnose"]
    assert skipped["name"] == "诊断 / Diagnose" and skipped["detail"] == "skipped before sc_repair"
    [early] = details["C5-out-of-order"]
    assert early["detail"] == "before sc_diagnose, which the model requires first"


def test_work_left_undone_at_the_end_is_missing_unless_the_case_is_still_open(checker):
    traces = {"open": ["Register", "Diagnose", "Repair"]}
    # start, register, gateway, diagnose, repair = 5 fired: p = 6; nothing silent gets nearer the
    # end (the merge only moves the token), no end token: m = 1, c = 5 + 1 = 6; the token before
    # the merge is left: r = 1 → 5/6 = 0.8333, and Close is what the model still expected.
    [case] = upload(checker, csv_log(traces), "open.csv", "process=service_check&complete=true").json["cases"]
    assert outcome(case) == (0.8333, 6, 6, 1, 1, [("missing", "sc_close", 3)])
    # By default the cases may be unfinished: nothing is owed at the end (start, register, gateway,
    # diagnose, repair: p = 6, c = 5).
    report = upload(checker, csv_log(traces), "open.csv", "process=service_check").json
    assert report["complete"] is False and outcome(report["cases"][0]) == (1.0, 6, 5, 0, 0, [])


REPAIR_ON_SITE = [  # the legacy system's names: Chinese or English halves, any case
    "登记服务请求",
    "首次联系客户，确定服务方式",
    "签发售后服务通知单",
    "告知工程师并约定上门时间",
    "Check in on site",
    "on-site diagnosis and repair plan",
    "Accept the plan and quote",
    "实施服务",
    "客户验收签字",
    "File the service report",
    "审查、编号、归档",
    "回访客户",
]


def test_legacy_repair_logs_are_checked_against_repair_bpmn(app, as_user):
    traces = {
        # 39 transitions: request_received, register_request, classify_fee (script, silent), the fork
        # of the two clocks (one token in, three out), contact_customer, a gateway branch, the
        # "reached" signal, a gateway branch, dispatch_notice, agree_appointment, record_arrival, a
        # gateway branch (customer there), the arrival signal, a gateway branch (repair), diagnose_on_site,
        # accept_plan (the customer's answer), the answers' merge, two gateway branches, perform_service,
        # a gateway branch (no quality feedback), the merge before the acceptance, customer_acceptance,
        # the signatures' merge, a gateway branch, file_report, archive_report, a gateway branch, the
        # customer's 48 h without an answer (the legacy desk phoned: 回访客户 is the phone callback),
        # callback, the callbacks' merge, a gateway branch, case_closed; and on each watch: the gateway's
        # signal branch, the signal caught, its end. p = 1 + 38 + 3 = 42, c = 39 + 3 ends = 42 → 1.0
        "R1": REPAIR_ON_SITE,
        # Without the service notice: agree_appointment lacks its token (m = 1); the two gateway branches
        # with the "reached" signal between them and dispatch_notice never fire (35 transitions), the
        # token before the first gateway is left (r = 1). p = 1 + 34 + 3 = 38, c = 35 + 3 = 38
        # → 1 - 1/38 = 0.9737
        "R2": [a for a in REPAIR_ON_SITE if a != "签发售后服务通知单"],
        # Without the callback: 33 transitions up to archive_report and the two watches' ends; the
        # token before the customer's answer is left (r = 1) and the ends the watches reached are consumed
        # (m = 0): p = 1 + 32 + 3 = 36, c = 33 + 2 = 35 → ½ + ½ (1 - 1/36) = 0.9861
        "R3": REPAIR_ON_SITE[:-1],
    }
    auditor = as_user("auditor")
    response = upload(auditor, csv_log(traces), "old-crm.csv", "process=repair&complete=true")
    assert response.status_code == 200, response.json
    assert {c["case_id"]: outcome(c) for c in response.json["cases"]} == {
        "R1": (1.0, 42, 42, 0, 0, []),
        "R2": (0.9737, 38, 38, 1, 1, [("missing", "dispatch_notice", 2)]),
        "R3": (0.9861, 36, 35, 0, 1, [("missing", "callback_answer", 11)]),
    }


def test_the_apps_own_exports_import_back_as_conforming(app, ctx, clock, as_user):
    on_site = RepairCase(as_user, contract_no="MC-2025-001")
    remote = RepairCase(as_user)
    late = RepairCase(as_user)
    remote.do("contact_customer", service_mode="remote")
    on_site.do("contact_customer")
    clock.advance(timedelta(hours=25))
    fire_due(ctx)  # the late case's 24 h contact deadline fires: the supervisor follows up
    late.do("supervisor_contact_followup")
    for case in (on_site, late):  # nobody was on site 6 working hours after the request
        case.do("supervisor_late_arrival")
    on_site.walk(
        "dispatch_notice", "agree_appointment", "record_arrival", "diagnose_on_site", "accept_plan", "perform_service"
    )
    remote.walk("remote_support", "callback_answer")
    late.do("contact_customer", service_mode="remote")
    on_site.walk("customer_acceptance", "file_report", "archive_report", "callback_answer")
    late.walk("remote_support", "callback_answer")
    auditor = as_user("auditor")
    for extension in ("xes", "csv"):
        exported = auditor.get(f"/exports/repair.{extension}?from=2026-03-01&to=2026-04-01")
        assert exported.status_code == 200
        report = upload(auditor, exported.data, f"repair.{extension}", "process=repair&version=1&complete=true").json
        assert report["summary"]["cases"] == 3 and report["summary"]["fitting_cases"] == 3, [
            (c["case_id"], c["fitness"], c["deviations"]) for c in report["cases"]
        ]
        assert {c["fitness"] for c in report["cases"]} == {1.0}
        assert [c["deviations"] for c in report["cases"]] == [[], [], []]
    late_case = next(c for c in report["cases"] if c["case_id"] == late.body["case_no"])
    # request_received, register_request, classify_fee, contact_overdue (the timer), the supervisor's
    # follow-up and its end event (the contact watch's timer path), the arrival deadline, the
    # supervisor's late-arrival task and its end, contact_customer, the "reached" signal, the no-visit
    # signal, remote_support, callback_answer, case_closed: all replayed
    assert late_case["events"] == 15 and late_case["produced"] == late_case["consumed"]


def test_the_report_downloads_as_xlsx_and_csv(checker):
    response = upload(checker, csv_log(TRACES), "legacy.csv", "process=service_check&format=xlsx&complete=true&lang=en")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="log-check-service_check-v1.xlsx"' in response.headers["Content-Disposition"]
    sheets = read_xlsx(response.data)
    assert list(sheets) == ["Cases", "Deviations", "By activity", "Summary"]
    cases = sheets["Cases"]
    assert cases[0] == [
        "Case id",
        "Events",
        "Fitness",
        "Fitting",
        "Produced tokens",
        "Consumed tokens",
        "Missing tokens",
        "Remaining tokens",
        "Deviations",
    ]
    row = {r[0]: r for r in cases[1:]}["C3-skips-diagnose"]
    assert row[1:8] == [3.0, 0.8571, False, 7.0, 7.0, 1.0, 1.0] and row[8] == "missing sc_diagnose @1"
    assert ["C4-unknown", 1.0, "unknown_activity", "Coffee break", "Coffee break"] in [
        r[:5] for r in sheets["Deviations"]
    ]
    csv_response = upload(
        checker, csv_log(TRACES), "legacy.csv", "process=service_check&format=csv&complete=true&lang=en"
    )
    lines = csv_response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Case id,Events,Fitness,Fitting,Produced tokens,Consumed tokens,Missing tokens,Remaining tokens,Deviations"
    )
    assert "C1-fits,4,1.0,True,9,9,0,0," in lines


def test_a_formula_in_an_uploaded_activity_stays_text(checker):
    traces = {"=SUM(1)": ["Register", "=HYPERLINK(1)", "Remote support", "Close the case"]}
    response = upload(checker, csv_log(traces), "evil.csv", "process=service_check&format=csv&complete=true")
    assert response.data.decode("utf-8-sig").splitlines()[1].startswith("'=SUM(1),4,0.8889,False")
    # Sheet names in the user's language (Chinese by default)
    response = upload(checker, csv_log(traces), "evil.csv", "process=service_check&format=xlsx")
    sheets = read_xlsx(response.data)
    assert list(sheets) == ["案件", "偏差", "按活动", "汇总"] and sheets["案件"][0][:3] == [
        "案件编号 (内部)",
        "事件数",
        "拟合度",
    ]
    assert ["=SUM(1)", 1.0, "unknown_activity", "=HYPERLINK(1)"] == sheets["偏差"][1][:4]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE log [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>
<log><trace><string key="concept:name" value="&c;"/></trace></log>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE log [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<log><trace><event><string key="concept:name" value="&secret;"/></event></trace></log>"""
# A DOCTYPE after 4 KB of comments (the check used to look only at the first 4 KB), with only an
# external id (no ENTITY to spot), and a UTF-16 log whose entity declaration no byte search finds.
LATE_DOCTYPE = (
    b'<?xml version="1.0"?>\n<!-- '
    + b"padding " * 1024
    + b'-->\n<!DOCTYPE log SYSTEM "http://127.0.0.1:9/x.dtd">\n'
    + xes_log(TRACES).split(b"?>", 1)[1]
)
UTF16_ENTITY = (
    '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE log [<!ENTITY who "C1">]>\n'
    '<log><trace><string key="concept:name" value="&who;"/><event><string key="concept:name" value="Register"/>'
    "</event></trace></log>"
).encode("utf-16")


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("bad.xes", b"<log><trace><event></trace></log>", "the XES is not well-formed XML"),
        ("laughs.xes", BILLION_LAUGHS, "DTDs and entity declarations are not allowed in an XES log"),
        ("xxe.xes", EXTERNAL_ENTITY, "DTDs and entity declarations are not allowed in an XES log"),
        ("late-doctype.xes", LATE_DOCTYPE, "DTDs and entity declarations are not allowed in an XES log"),
        ("late-doctype.xes.gz", gzip.compress(LATE_DOCTYPE), "DTDs and entity declarations are not allowed"),
        ("utf16.xes", UTF16_ENTITY, "DTDs and entity declarations are not allowed in an XES log"),
        ("other.xml", b"<definitions/>", "the XML's root element is <definitions>, not an XES <log>"),
        (
            "nameless.xes",
            b'<log><trace><string key="concept:name" value="A"/><event><date key="time:timestamp" '
            b'value="2026-01-05T09:00:00+08:00"/></event></trace></log>',
            "1 bad event(s) in the XES: trace 'A', event 1 (line 1): no concept:name",
        ),
        (
            "columns.csv",
            b"case,when\nA,2026-01-05T09:00:00\n",
            "the CSV lacks the column(s) activity, timestamp",
        ),
        (
            "times.csv",
            b"case_id,activity,timestamp\nA,Register,2026-01-05T09:00:00\nA,Close the case,yesterday\n",
            "1 bad row(s) in the CSV: row 3: timestamp 'yesterday' is not an ISO 8601 date and time",
        ),
        ("empty.csv", b"", "the CSV is empty"),
        ("only-header.csv", b"case_id,activity,timestamp\n", "the log has no completed events"),
        ("gbk.csv", b"\xff\xfe\x00\xd8", "the CSV"),
    ],
)
def test_malformed_logs_are_refused_with_a_clear_422(checker, filename, content, message):
    response = upload(checker, content, filename)
    assert response.status_code == 422, response.json
    assert response.json["message"].startswith(message), response.json["message"]
    assert response.json["fields"]["file"]


def test_an_upload_without_a_file_or_for_an_unknown_version_is_refused(checker):
    response = checker.client.post("/api/v1/qa/log-check?process=service_check", headers=checker._headers())
    assert response.status_code == 422 and response.json["fields"] == {"file": ["missing"]}
    assert upload(checker, csv_log(TRACES), "a.csv", "process=service_check&version=9").status_code == 404
    assert upload(checker, csv_log(TRACES), "a.csv", "process=nothing").status_code == 404
    assert upload(checker, csv_log(TRACES), "a.csv", "version=1").status_code == 422  # no process


def test_a_compressed_log_may_not_unpack_beyond_the_limit():
    bomb = gzip.compress(b"case_id,activity,timestamp\n" + b"A,Register,2026-01-05T09:00:00\n" * 400)
    assert len(bomb) < 200
    with pytest.raises(InvalidInput, match="the log is larger than"):
        read_event_log("bomb.csv.gz", bomb, SHANGHAI, max_bytes=1000)
    assert read_event_log("bomb.csv.gz", bomb, SHANGHAI).events == 400


def test_the_auditor_may_run_the_check_but_staff_may_not(tmp_path, database_url, clock):
    app = service_check_app(tmp_path, database_url, clock)
    client = app.test_client()
    try:
        assert upload(Api(client, "auditor"), csv_log(TRACES), "a.csv").status_code == 200
        assert upload(Api(client, "agent"), csv_log(TRACES), "a.csv").status_code == 403
        # the exemption is this one analysis: the auditor still changes nothing elsewhere
        assert Api(client, "auditor").post("/processes/service_check/instances").status_code == 403
    finally:
        app.extensions["aftersales.db"].dispose()
