"""Every branch of repair.bpmn, through the HTTP API, with the clock moved instead of waited for."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.services.timing.timer_firing import fire_due_timers
from tests.conftest import make_app
from tests.repair_driver import FORMS
from tests.repair_driver import TO_ACCEPTANCE
from tests.repair_driver import RepairCase

ON_SITE_TAIL = ("record_arrival", "diagnose_on_site", "accept_plan", "perform_service", "customer_acceptance")


def fire(app) -> int:
    return fire_due_timers(app.extensions["aftersales"]).timers


def test_on_site_repair_out_of_warranty_is_charged_reported_archived_and_closed(as_user):
    case = RepairCase(as_user)
    assert case.body["data"]["fee_type"] == "A"
    case.walk(
        "contact_customer",
        "dispatch_notice",
        "agree_appointment",
        *ON_SITE_TAIL,
        "payment_invoice",
        "file_report",
        "archive_report",
        "callback_answer",
    )
    body = case.body
    assert body["status"] == "completed" and body["completed_at"] is not None and body["next_timer_at"] is None
    assert body["data"]["archive_no"].startswith("AR-") and body["data"]["invoice_no"] == "FP-0001"
    path = case.completed_path()
    assert path[0] == "request_received" and path[-1] == "case_closed"
    assert path.index("classify_fee") < path.index("contact_customer") < path.index("dispatch_notice")
    assert path.index("dispatch_notice") < path.index("agree_appointment") < path.index("record_arrival")
    assert {"gw_chargeable", "gw_report_approved", "gw_satisfied"} <= set(path)
    assert all(status == "cancelled" for _, status in case.timers())  # every deadline was met
    completed = {e["element_id"]: e for e in case.events("task_completed")}
    assert completed["diagnose_on_site"]["actor"] == "tech_urban1"
    assert completed["payment_invoice"]["data"]["amount"] == 245  # the quote: relay 45 + labour 150 + call-out 50


@pytest.mark.parametrize(
    ("register_overrides", "fee_type"),
    [
        ({"purchase_date": "2026-01-10"}, "C"),  # in warranty with an invoice
        ({"purchase_date": "2026-01-10", "warranty_evidence": "none"}, "A"),  # no invoice or card
        ({"purchase_date": "2026-01-10", "tampered": True}, "A"),  # 私自拆修 voids the warranty
        ({"contract_no": "MC-2025-001"}, "B"),  # the customer's maintenance contract, in force
        ({"contract_no": "MC-2026-003"}, "A"),  # another customer's contract does not cover this unit
        ({"contract_no": "MC-9999"}, "A"),  # a number no contract has
    ],
)
def test_fee_type_decides_whether_payment_is_collected(as_user, register_overrides, fee_type):
    case = RepairCase(as_user, **register_overrides)
    assert case.body["data"]["fee_type"] == fee_type
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", *ON_SITE_TAIL)
    assert ("payment_invoice" in case.ready()) == (fee_type == "A")
    assert ("file_report" in case.ready()) == (fee_type != "A")


def test_the_24h_first_contact_counts_from_the_request_not_from_the_last_attempt(app, as_user, clock):
    case = RepairCase(as_user)
    first_due = case.ready()["contact_customer"]["due_at"]
    assert first_due.startswith("2026-03-03T01:00")  # 24 h after the request
    unreached = {"customer_reached": False, "service_mode": "on_site", "contact_notes": "无人接听"}
    for _ in range(3):  # three failed calls over 60 h
        clock.advance(timedelta(hours=20))
        case.do("contact_customer", unreached)
        assert case.ready()["contact_customer"]["due_at"] == first_due  # the deadline did not move
        fire(app)
    escalations = [e for e in case.events("escalation") if e["element_id"] == "contact_overdue"]
    assert len(escalations) == 1 and "supervisor_contact_followup" in case.ready()  # escalated once, at 24 h
    case.do("contact_customer")
    assert "dispatch_notice" in case.ready()
    assert [s for e, s in case.timers() if e == "contact_overdue"] == ["fired"]


def test_remote_support_that_resolves_goes_to_callback_and_a_dissatisfied_customer_ends_apart(as_user):
    case = RepairCase(as_user)
    case.do("contact_customer", service_mode="remote")
    case.do("remote_support")
    case.do("callback_answer", satisfied=False, satisfaction_score=40)
    assert case.body["status"] == "completed"
    assert case.completed_path()[-1] == "closed_dissatisfied"
    assert "dispatch_notice" not in case.completed_path()


def test_remote_support_that_does_not_resolve_sends_a_technician(as_user):
    case = RepairCase(as_user)
    case.do("contact_customer", service_mode="remote")
    case.do("remote_support", resolved=False)
    assert list(case.ready()) == ["dispatch_notice"]


def test_mailing_parts_is_confirmed_by_phone_then_called_back(as_user):
    case = RepairCase(as_user, purchase_date="2025-12-01")  # in warranty: nothing to pay
    case.do("contact_customer", service_mode="mail_parts")
    case.walk("mail_parts", "confirm_delivery", "callback_answer")
    assert case.body["status"] == "completed" and case.completed_path()[-1] == "case_closed"


def test_a_declined_repair_plan_ends_the_service(as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")
    case.do("diagnose_on_site")
    case.do("accept_plan", plan_accepted=False, decline_reason="报价太高 / too expensive")
    assert case.body["status"] == "completed" and case.completed_path()[-1] == "service_declined"


def test_return_to_factory_loops_until_qa_passes(as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")
    case.do("diagnose_on_site", fixable_on_site=False)
    case.do("accept_plan")
    case.walk("rtf_receive", "rtf_repair")
    case.do("qa_inspection", inspection_passed=False, inspection_notes="噪音超标")
    assert list(case.ready()) == ["rtf_repair"]  # back to the bench
    case.walk("rtf_repair", "qa_inspection", "ship_back", "customer_acceptance", "payment_invoice")
    assert list(case.ready()) == ["file_report"]
    assert case.completed_path().count("rtf_repair") == 2


def test_an_irreparable_unit_gets_an_agreed_substitute(as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")
    case.do("diagnose_on_site", fixable_on_site=False)
    case.do("accept_plan")
    case.do("rtf_receive")
    case.do("rtf_repair", repair_outcome="irreparable")
    case.walk("agree_substitute", "ship_substitute")
    assert list(case.ready()) == ["customer_acceptance"]
    assert "qa_inspection" not in case.completed_path() and "ship_back" not in case.completed_path()


def test_a_report_returned_by_mis_is_filed_again(as_user):
    case = RepairCase(as_user, contract_no="MC-2025-001")
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", *ON_SITE_TAIL, "file_report")
    case.do("archive_report", {"report_approved": False, "review_comments": "缺少故障照片"})
    assert list(case.ready()) == ["file_report"]
    case.walk("file_report", "archive_report", "callback_answer")
    assert case.completed_path().count("file_report") == 2 and case.body["status"] == "completed"


def test_acceptance_without_a_signature_is_refused(as_user):
    case = RepairCase(as_user)
    case.walk(*TO_ACCEPTANCE)
    unsigned = {k: v for k, v in FORMS["customer_acceptance"].items() if k != "signature"}
    response = case.submit("customer_acceptance", unsigned)
    assert response.status_code == 422 and "signature" in response.json["fields"]
    response = case.submit("customer_acceptance", {**FORMS["customer_acceptance"], "signature": ""})
    assert response.status_code == 422 and "signature" in response.json["fields"]
    assert "customer_acceptance" in case.ready()


def test_a_failed_functional_test_cannot_be_reported_as_done(as_user):
    case = RepairCase(as_user)
    case.walk(
        "contact_customer", "dispatch_notice", "agree_appointment", "record_arrival", "diagnose_on_site", "accept_plan"
    )
    response = case.submit("perform_service", {**FORMS["perform_service"], "functional_test_ok": False})
    assert response.status_code == 422 and "functional_test_ok" in response.json["fields"]


def test_the_service_notice_proposes_certified_technicians_ranked_and_assigns_the_chosen_one(as_user):
    case = RepairCase(as_user, region="suburban")
    case.do("contact_customer")
    task = case.ready()["dispatch_notice"]
    form = as_user("dispatcher").get(f"/tasks/{task['id']}").json["form"]
    proposed = [o["const"] for o in form["properties"]["technician"]["oneOf"]]
    assert proposed[0] == "tech_suburb1"  # suburban + refrigeration, certified
    assert "tech_expired" not in proposed  # certificate expired: may not be dispatched
    refused = case.submit("dispatch_notice", {**FORMS["dispatch_notice"], "technician": "tech_expired"})
    assert refused.status_code == 422 and "technician" in refused.json["fields"]
    case.do("dispatch_notice", technician="tech_suburb1")
    case.do("agree_appointment")
    check_in = case.ready()["record_arrival"]
    assert check_in["assignee"] == "tech_suburb1"
    other = as_user("tech_urban1").post(f"/tasks/{check_in['id']}/complete", json={})
    assert other.status_code == 403
    mine = as_user("tech_suburb1").get("/tasks?mine=true").json
    assert [t["element_id"] for t in mine] == ["record_arrival"]
    assert case.submit("record_arrival", FORMS["record_arrival"], user="tech_suburb1").status_code == 200
    assert case.ready()["diagnose_on_site"]["assignee"] == "tech_suburb1"


def test_the_wrong_role_cannot_work_a_repair_task(as_user):
    case = RepairCase(as_user)
    response = case.submit("contact_customer", user="dispatcher")
    assert response.status_code == 403
    assert "contact_customer" in case.ready()


def test_no_contact_within_24h_escalates_to_the_supervisor(app, as_user, clock):
    case = RepairCase(as_user)
    assert sorted(case.timers()) == [("arrival_deadline_passed", "waiting"), ("contact_overdue", "waiting")]
    clock.advance(timedelta(hours=23, minutes=59))
    assert fire(app) == 1  # only the arrival promise (6 working hours) has passed
    assert sorted(case.ready()) == ["contact_customer", "supervisor_late_arrival"]
    clock.advance(timedelta(minutes=1, seconds=1))
    assert fire(app) == 1
    assert sorted(case.ready()) == ["contact_customer", "supervisor_contact_followup", "supervisor_late_arrival"]
    [escalation] = [e for e in case.events("escalation") if e["element_id"] == "contact_overdue"]
    assert escalation["data"]["clause"] == "D-01"
    supervisor_inbox = as_user("supervisor").get("/tasks").json
    assert sorted(t["element_id"] for t in supervisor_inbox) == [
        "supervisor_contact_followup",
        "supervisor_late_arrival",
    ]
    case.do("supervisor_contact_followup")
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")
    assert "diagnose_on_site" in case.ready()


def test_the_report_is_reminded_after_2_days_and_escalated_after_3(app, as_user, clock):
    case = RepairCase(as_user, contract_no="MC-2025-001")
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", *ON_SITE_TAIL)
    due = case.ready()["file_report"]["due_at"]
    # Due 3 days after the technician's return is recorded: the escalation is the deadline, the
    # reminder at 2 days only a nudge; the passed deadline stays the task's due time.
    assert due.startswith("2026-03-05T01:00")
    clock.advance(timedelta(days=2, seconds=1))
    assert fire(app) == 1
    assert [e["element_id"] for e in case.events("reminder")] == ["report_reminder"]
    assert list(case.ready()) == ["file_report"]
    assert case.ready()["file_report"]["due_at"] == due
    clock.advance(timedelta(days=1))
    assert fire(app) == 1
    assert sorted(case.ready()) == ["file_report", "supervisor_report_followup"]
    assert case.ready()["file_report"]["due_at"] == due
    assert [e["element_id"] for e in case.events("escalation")] == ["report_escalation"]
    case.walk("supervisor_report_followup", "file_report", "archive_report", "callback_answer")
    assert case.body["status"] == "completed"


def test_the_24h_timer_fires_after_a_restart(app, as_user, clock, database_url):
    case = RepairCase(as_user)
    app.extensions["aftersales.db"].dispose()  # the service goes down ...
    clock.advance(timedelta(hours=30))  # ... for 30 hours
    restarted = make_app(database_url, clock)
    assert fire(restarted) == 2  # the start-up sweep: the arrival promise and the 24 h contact
    assert {"supervisor_contact_followup", "supervisor_late_arrival"} <= set(case.ready())
    [fired] = [e for e in case.events("timer_fired") if e["element_id"] == "contact_overdue"]
    assert fired["data"]["late_seconds"] == 6 * 3600
    restarted.extensions["aftersales.db"].dispose()


def test_a_factory_repair_overdue_after_10_days_is_negotiated(app, as_user, clock):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")
    case.do("diagnose_on_site", fixable_on_site=False)
    case.do("accept_plan")
    case.do("rtf_receive")
    clock.advance(timedelta(days=10, seconds=1))
    assert fire(app) == 1
    assert sorted(case.ready()) == ["rtf_negotiate_delay", "rtf_repair"]
    case.walk("rtf_negotiate_delay", "rtf_repair", "qa_inspection", "ship_back")
    assert "customer_acceptance" in case.ready()


def test_running_cases_stay_on_their_version_when_a_new_one_is_deployed(app, as_user, tmp_path):
    import shutil

    from app.services.processes.deployments import deploy_directory

    case = RepairCase(as_user)
    changed = tmp_path / "processes"
    shutil.copytree(app.config["PROCESSES_DIR"], changed)
    xml = (changed / "repair.bpmn").read_text(encoding="utf-8")
    xml = xml.replace(
        "contact_due = contact_deadline(received_at, sla_profile)", "contact_due = add_hours(received_at, 12)"
    )
    (changed / "repair.bpmn").write_text(xml, encoding="utf-8")
    results = {r.process_key: r for r in deploy_directory(app.extensions["aftersales"], changed)}
    assert (results["repair"].version, results["repair"].created) == (2, True)
    assert not any(r.created for key, r in results.items() if key != "repair")  # unchanged diagrams stay
    newer = RepairCase(as_user)
    assert (case.body["version"], newer.body["version"]) == (1, 2)
    assert case.ready()["contact_customer"]["due_at"] > newer.ready()["contact_customer"]["due_at"]
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")
    assert "diagnose_on_site" in case.ready()
