"""Service categories of seed 000 Table 1 have their own paths in repair.bpmn: installation and
commissioning without a fault diagnosis (T-01), training with attendance and mailed materials (T-02),
major on-site support only with the leader's approval (T-03, R-03), and a unit the customer ships to
the factory enters the return-to-factory branch directly (§4.5.7)."""

from __future__ import annotations

from tests.repair_driver import FORMS
from tests.repair_driver import RepairCase

VISIT = ("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")


def arrival_status(case: RepairCase) -> str:
    [timer] = [t for t in case.timer_rows() if t["element_id"] == "arrival_deadline_passed"]
    return timer["status"]


def test_an_installation_is_commissioned_and_accepted_without_a_fault_diagnosis(as_user):
    case = RepairCase(as_user, service_category="installation", fault_description="新机安装 / new unit to install")
    case.walk(*VISIT)
    assert list(case.ready()) == ["commission_unit"]
    unrecorded = {k: v for k, v in FORMS["commission_unit"].items() if k != "commissioning_record"}
    refused = case.submit("commission_unit", unrecorded)
    assert refused.status_code == 422 and "commissioning_record" in refused.json["fields"]
    failed_trial = case.submit("commission_unit", {**FORMS["commission_unit"], "trial_run_ok": False})
    assert failed_trial.status_code == 422 and "trial_run_ok" in failed_trial.json["fields"]
    case.do("commission_unit")
    assert list(case.ready()) == ["customer_acceptance"]
    case.do("customer_acceptance")
    path = case.completed_path()
    assert "diagnose_on_site" not in path and "perform_service" not in path
    assert case.data["commissioning_record"].startswith("安装就位")


def test_a_training_records_its_mode_attendance_and_the_materials_mailed(as_user):
    case = RepairCase(as_user, service_category="training", fault_description="新员工培训 / training for new staff")
    case.walk(*VISIT)
    assert list(case.ready()) == ["deliver_training"]
    nobody = case.submit("deliver_training", {**FORMS["deliver_training"], "attendees": 0})
    assert nobody.status_code == 422 and "attendees" in nobody.json["fields"]
    case.do("deliver_training", training_mode="class_at_company")
    assert list(case.ready()) == ["customer_acceptance"]
    assert "diagnose_on_site" not in case.completed_path()
    assert (case.data["training_mode"], case.data["attendees"], case.data["materials_mailed"]) == (
        "class_at_company",
        12,
        True,
    )


def test_major_support_waits_for_the_leaders_approval_before_anyone_is_dispatched(as_user):
    case = RepairCase(as_user, service_category="major_support", fault_description="重大演练现场保障")
    case.do("contact_customer")  # asked for ad hoc, not in the plan: still approved first
    [approval] = case.ready().values()
    assert approval["element_id"] == "approve_major_support"
    assert (
        as_user("supervisor").post(f"/tasks/{approval['id']}/complete", json=FORMS["approve_major_support"]).status_code
        == 403
    )
    case.do("approve_major_support")
    assert list(case.ready()) == ["dispatch_notice"]
    case.walk("dispatch_notice", "agree_appointment", "record_arrival")
    assert list(case.ready()) == ["perform_service"]  # the support itself, no fault diagnosis
    assert [e["actor"] for e in case.events("task_completed") if e["element_id"] == "approve_major_support"] == [
        "executive"
    ]


def test_major_support_not_approved_ends_the_case_and_stops_the_arrival_clock(as_user):
    case = RepairCase(as_user, service_category="major_support")
    case.do("contact_customer")
    case.do("approve_major_support", support_approved=False, approval_notes="不具备条件")
    body = case.body
    assert body["status"] == "completed" and "support_declined" in case.completed_path()
    assert "dispatch_notice" not in case.completed_path()
    assert arrival_status(case) == "cancelled"


def test_major_support_by_remote_guidance_needs_no_approval(as_user):
    case = RepairCase(as_user, service_category="major_support")
    case.do("contact_customer", service_mode="remote")
    assert list(case.ready()) == ["remote_support"]


def test_a_unit_the_customer_ships_in_goes_straight_to_the_factory_branch(as_user):
    case = RepairCase(as_user)
    case.do("contact_customer", service_mode="ship_to_factory")
    assert list(case.ready()) == ["rtf_receive"]  # no dispatch, no visit
    assert arrival_status(case) == "cancelled"  # nobody is due on site
    case.walk("rtf_receive", "rtf_repair", "qa_inspection", "ship_back", "customer_acceptance")
    path = case.completed_path()
    assert "dispatch_notice" not in path and "diagnose_on_site" not in path
