"""Repairing running cases: a failed step retried with corrected data; a case moved to a new version."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from app.demo.repairs import ON_SITE
from app.services.processes.deployments import deploy_directory
from tests.conftest import Api
from tests.repair_driver import RepairCase
from tests.services.test_engine_edges import WAIT_THEN_DIVIDE


@pytest.fixture
def failing(app_with_diagram):
    app = app_with_diagram(WAIT_THEN_DIVIDE, ("agent", "process_owner", "auditor"))
    client = app.test_client()
    return app.extensions["aftersales"], lambda username: Api(client, username)


def test_a_failed_step_is_retried_with_corrected_data(failing, clock):
    ctx, as_user = failing
    case = as_user("agent").post("/processes/tiny/instances").json
    [task] = as_user("agent").get(f"/tasks?instance_id={case['id']}").json
    as_user("agent").post(f"/tasks/{task['id']}/complete", json={"ok": False})
    clock.advance(timedelta(days=4))
    from app.services.timing.timer_firing import fire_due

    fire_due(ctx)
    assert as_user("agent").get(f"/instances/{case['id']}").json["status"] == "error"
    assert as_user("auditor").post(f"/instances/{case['id']}/retry", json={}).status_code == 403
    again = as_user("process_owner").post(f"/instances/{case['id']}/retry", json={})
    assert again.status_code == 200 and again.json["status"] == "error"  # same data, same failure
    fixed = as_user("process_owner").post(f"/instances/{case['id']}/retry", json={"data": {"ok": True}})
    assert fixed.status_code == 200 and fixed.json["status"] == "completed" and fixed.json["data"]["result"] == 100
    types = [e["type"] for e in as_user("agent").get(f"/instances/{case['id']}/events").json]
    assert types.count("instance_retried") == 2 and types[-1] == "instance_completed"
    assert as_user("process_owner").post(f"/instances/{case['id']}/retry", json={}).status_code == 409


def new_version(app, tmp_path, change):
    changed = tmp_path / "processes-v2"
    shutil.copytree(app.config["PROCESSES_DIR"], changed)
    xml = (changed / "repair.bpmn").read_text(encoding="utf-8")
    (changed / "repair.bpmn").write_text(change(xml), encoding="utf-8")
    deploy_directory(app.extensions["aftersales"], changed)


def test_a_running_case_moves_to_a_new_version_keeping_its_deadlines_and_claims(app, as_user, tmp_path):
    case = RepairCase(as_user)
    contact = case.ready()["contact_customer"]
    as_user("agent").post(f"/tasks/{contact['id']}/claim")
    new_version(
        app,
        tmp_path,
        lambda xml: xml.replace(
            "首次联系客户，确定服务方式 / First contact: reach the customer, choose the service mode",
            "电话联系客户 / Phone the customer",
        ),
    )
    moved = as_user("process_owner").post(f"/instances/{case.id}/migrate", json={"reason": "new wording"})
    assert moved.status_code == 200 and moved.json["version"] == 2
    task = case.ready()["contact_customer"]
    assert task["name"] == "电话联系客户 / Phone the customer" and task["assignee"] == "agent"
    assert task["due_at"] == contact["due_at"]  # the 24 h deadline still counts from the request
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")
    assert "diagnose_on_site" in case.ready()
    assert as_user("auditor").get(f"/instances/{case.id}/conformance").json["fitness"] == 1.0


def test_a_case_whose_path_does_not_fit_the_new_version_is_not_moved(app, as_user, tmp_path):
    case = RepairCase(as_user)
    case.walk("contact_customer")
    new_version(
        app,
        tmp_path,
        lambda xml: (
            xml.replace('"contact_customer"', '"call_customer"')
            .replace(">contact_customer<", ">call_customer<")
            .replace("_contact_customer", "_call_customer")
            .replace("contact_customer_", "call_customer_")
            .replace("contact_customer.json", "contact_customer.json")
        ),
    )
    refused = as_user("process_owner").post(f"/instances/{case.id}/migrate", json={"reason": "new wording"})
    assert refused.status_code == 409
    assert {"kind": "inserted", "element_id": "contact_customer"}.items() <= refused.json["errors"][0].items()
    assert as_user("admin").get(f"/instances/{case.id}").json["version"] == 1
    assert "dispatch_notice" in case.ready()  # untouched


def test_suspend_resume_skip_repeat_and_a_changed_deadline_are_audited(app, ctx, clock, as_user):
    from app.services.timing.timer_firing import fire_due

    owner = as_user("process_owner")
    case = RepairCase(as_user)
    assert owner.post(f"/instances/{case.id}/suspend", json={"reason": ""}).status_code == 422
    assert owner.post(f"/instances/{case.id}/suspend", json={"reason": "客户出差"}).json["status"] == "suspended"
    assert case.submit("contact_customer").status_code == 409  # nothing moves while suspended
    clock.advance(timedelta(hours=25))
    assert fire_due(ctx).timers == 0
    assert owner.post(f"/instances/{case.id}/resume", json={"reason": "客户回来"}).json["status"] == "running"
    assert fire_due(ctx).timers == 2  # the overdue contact and the missed arrival escalate now

    assert not [t for t in as_user("admin").get(f"/instances/{case.id}/timers").json if t["status"] == "waiting"]
    skipped = owner.post(
        f"/instances/{case.id}/tasks/{case.ready()['contact_customer']['id']}/skip",
        json={"reason": "电话已在系统外联系", "data": {"customer_reached": True, "service_mode": "on_site"}},
    )
    assert skipped.status_code == 200 and "dispatch_notice" in case.ready()
    assert as_user("tech_urban1").post(f"/instances/{case.id}/suspend", json={"reason": "x"}).status_code == 403

    case.walk(*ON_SITE[1:], "payment_invoice")
    report_due = next(
        t
        for t in as_user("admin").get(f"/instances/{case.id}/timers").json
        if t["element_id"] == "report_escalation" and t["status"] == "waiting"
    )
    later = "2026-03-20T09:00:00+08:00"
    moved = as_user("process_owner").client.patch(
        f"/api/v1/instances/{case.id}/timers/{report_due['id']}",
        json={"due_at": later, "reason": "工程师出差"},
        headers=owner._headers(),
    )
    assert moved.status_code == 200
    timers = {
        t["element_id"]: t
        for t in as_user("admin").get(f"/instances/{case.id}/timers").json
        if t["status"] == "waiting"
    }
    assert timers["report_escalation"]["due_at"].startswith("2026-03-20T01:00")

    repeated = owner.post(f"/instances/{case.id}/repeat", json={"element_id": "perform_service", "reason": "返工"})
    assert repeated.status_code == 200
    assert sorted(case.ready()) == [
        "perform_service",
        "supervisor_contact_followup",
        "supervisor_late_arrival",
    ]  # report undone
    not_reached = {"element_id": "callback_answer", "reason": "x"}
    assert owner.post(f"/instances/{case.id}/repeat", json=not_reached).status_code == 409
    types = [e["type"] for e in case.events()]
    for audited in ("instance_suspended", "instance_resumed", "task_skipped", "deadline_changed", "step_repeated"):
        assert audited in types
    conformance = as_user("auditor").get(f"/instances/{case.id}/conformance").json
    assert conformance["fitness"] < 1.0  # the skip and the repeat are deviations from the model
