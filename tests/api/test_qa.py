"""QA: deadlines met and breached by how much, and conformance of recorded paths to the diagram."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from app.demo.repairs import ON_SITE
from app.demo.repairs import UNPAID_TAIL
from app.domain.principal import Principal
from app.engine import RecordedStep
from app.services.qa.conformance import case_conformance
from app.services.qa.deadline_conformance import deadline_report
from app.services.timing.timer_firing import fire_due
from tests.conftest import T0
from tests.repair_driver import FORMS
from tests.repair_driver import RepairCase
from tests.repair_driver import register

AUDITOR = Principal("auditor", frozenset({"auditor"}))
MARCH = (datetime(2026, 3, 1, tzinfo=T0.tzinfo), datetime(2026, 4, 1, tzinfo=T0.tzinfo))


def test_the_24h_contact_deadline_is_met_breached_or_at_risk_per_case(app, ctx, clock, as_user):
    on_time = RepairCase(as_user)
    late = RepairCase(as_user)
    clock.advance(timedelta(hours=2))
    on_time.do("contact_customer")  # 2 h after the request
    clock.advance(timedelta(hours=27))
    fire_due(ctx)  # the late case escalates at 24 h
    late.do("supervisor_contact_followup")
    late.do("contact_customer")  # 29 h after the request: 5 h late
    at_risk = RepairCase(as_user)
    clock.advance(timedelta(hours=21))  # 3 h left of 24

    report = deadline_report(ctx, *MARCH, AUDITOR)
    outcomes = {(r["case_id"], r["deadline"]): (r["outcome"], round(r["seconds"] / 3600, 2)) for r in report["rows"]}
    assert outcomes[(on_time.id, "contact_overdue")] == ("met", 22.0)
    assert outcomes[(late.id, "contact_overdue")] == ("breached", 5.0)
    assert outcomes[(at_risk.id, "contact_overdue")] == ("at_risk", 3.0)
    [d01] = [g for g in report["by_clause"] if g["clause"] == "D-01"]
    assert (d01["met"], d01["breached"], d01["at_risk"], d01["met_rate"], d01["median_breach_hours"]) == (
        1,
        1,
        1,
        0.5,
        5.0,
    )
    assert {g["person"]: g["breached"] for g in report["by_person"]}["agent"] == 1


def test_a_case_run_by_the_engine_conforms_fully(ctx, as_user):
    case = RepairCase(as_user, contract_no="MC-2025-001")
    case.walk(*ON_SITE, *UNPAID_TAIL)
    result = case_conformance(ctx, case.id, AUDITOR)
    assert (result["fitness"], result["steps"], result["deviations"]) == (1.0, 12, [])


def test_a_replay_after_the_deadlines_fires_only_the_timers_that_fired(ctx, clock, as_user):
    """The shadow's timers do not read the application's clock: replayed days later, a case done in
    time is not charged with the escalations due since, and a real firing is no inserted step."""
    in_time = RepairCase(as_user, contract_no="MC-2025-001")
    in_time.walk(*ON_SITE, *UNPAID_TAIL)
    late = RepairCase(as_user)
    clock.advance(timedelta(hours=25))
    fire_due(ctx)  # the late case's 24 h contact escalates; its arrival promise passes too
    late.do("supervisor_contact_followup")
    late.do("contact_customer")
    clock.advance(timedelta(days=30))  # every timer of both cases is long due by now
    assert case_conformance(ctx, in_time.id, AUDITOR)["deviations"] == []
    result = case_conformance(ctx, late.id, AUDITOR)
    assert (result["fitness"], result["deviations"]) == (1.0, []), repr(result["deviations"])


def test_a_path_that_skips_the_service_notice_is_flagged_with_exact_fitness(ctx):
    with ctx.uow() as uow:
        latest = uow.versions.latest("repair")
        process = ctx.versions.get(uow, latest.id)
    steps = [
        RecordedStep("task", "register_request", {**register(), "on_record": {"unit": None, "contract": None}}),
        RecordedStep("task", "contact_customer", FORMS["contact_customer"]),
        # dispatch_notice was skipped by hand
        RecordedStep("task", "diagnose_on_site", FORMS["diagnose_on_site"]),
    ]
    start = {"case_no": "SR-X", "received_at": "2026-03-02T09:00:00+08:00", "started_by": "agent"}
    start["recall_case_no"] = ""  # the start form's default, as the application gives it
    result = ctx.engine.replay(process, start, steps, recorded_completed=True)
    kinds = [(d.kind, d.element_id, d.position) for d in result.deviations]
    assert kinds == [("inserted", "diagnose_on_site", 2), ("missing", "dispatch_notice", None)]
    assert result.matched == 2 and result.fitness == 0.5  # 2 matched of 3 recorded + 1 missing


def test_qa_reports_are_refused_to_staff_roles(ctx):
    import pytest

    from app.errors import Forbidden

    with pytest.raises(Forbidden):
        deadline_report(ctx, *MARCH, Principal("agent", frozenset({"cs_agent"})))


def test_the_event_log_exports_as_xes_and_csv(ctx, as_user):
    from lxml import etree

    from app.services.qa.event_log_export import event_log
    from app.services.qa.event_log_export import to_csv
    from app.services.qa.event_log_export import to_xes

    case = RepairCase(as_user)
    case.do("contact_customer", service_mode="remote")
    case.walk("remote_support", "callback_answer")
    rows = event_log(ctx, "repair", *MARCH, AUDITOR)
    activities = [r["element_id"] for r in rows]
    assert activities == [
        "request_received",
        "register_request",
        "classify_fee",
        "contact_customer",
        "customer_reached",  # reached: the 24 h contact clock stops ...
        "no_visit_remote",  # ... no visit: the arrival clock stops (the signals are caught after both)
        "customer_reached_signalled",
        "contact_watch_done",
        "arrival_signalled",
        "arrival_watch_done",
        "remote_support",
        "callback_answer",
        "case_closed",
    ]
    assert [r["resource"] for r in rows if r["event_type"] == "task_completed"] == [
        "agent",
        "agent",
        "tech_urban1",
        "agent",
    ]
    xes = etree.fromstring(to_xes(rows, "repair 2026-03"))
    ns = {"x": "http://www.xes-standard.org/"}
    [trace] = xes.findall("x:trace", ns)
    assert trace.find("x:string[@key='concept:name']", ns).get("value") == case.body["case_no"]
    names = [e.find("x:string[@key='concept:name']", ns).get("value") for e in trace.findall("x:event", ns)]
    assert names[3] == "首次联系客户，确定服务方式 / First contact: reach the customer, choose the service mode"
    assert all(e.find("x:date[@key='time:timestamp']", ns) is not None for e in trace.findall("x:event", ns))
    lines = to_csv(rows).splitlines()
    assert lines[0] == "case_no,process_key,version,element_id,activity,event_type,timestamp,resource"
    assert len(lines) == 1 + len(activities)


def test_an_accepted_deviation_is_marked_and_counted_as_conforming(as_user):
    case = RepairCase(as_user)
    owner = as_user("process_owner")
    skipped = owner.post(
        f"/instances/{case.id}/tasks/{case.ready()['contact_customer']['id']}/skip",
        json={"reason": "在系统外电话联系", "data": {"customer_reached": True, "service_mode": "on_site"}},
    )
    assert skipped.status_code == 200
    before = as_user("auditor").get(f"/instances/{case.id}/conformance").json
    assert before["fitness_with_accepted"] == before["fitness"] < 1.0
    assert [(d["kind"], d["element_id"]) for d in before["deviations"]] == [("skipped", "contact_customer")]
    assert (
        as_user("auditor")
        .post(
            "/accepted-deviations",
            json={"process_key": "repair", "element_id": "contact_customer", "kind": "missing", "reason": "x"},
        )
        .status_code
        == 403
    )
    accepted = owner.post(
        "/accepted-deviations",
        json={
            "process_key": "repair",
            "element_id": "contact_customer",
            "kind": "skipped",
            "reason": "热线系统外联系的客户，由主管补录 / contacts made outside the hotline system",
        },
    )
    assert accepted.status_code == 201
    after = as_user("auditor").get(f"/instances/{case.id}/conformance").json
    assert [d["accepted"] for d in after["deviations"]] == [True]
    assert after["fitness"] == before["fitness"] and after["fitness_with_accepted"] == 1.0
    assert (
        owner.post(
            "/accepted-deviations",
            json={k: accepted.json[k] for k in ("process_key", "element_id", "kind")} | {"reason": "again"},
        ).status_code
        == 409
    )
