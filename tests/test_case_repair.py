"""Repairing running cases: a failed step retried with corrected data; a case moved to a new version."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from app.services.deployments import deploy_directory
from app.services.users import create_user
from tests.conftest import Api
from tests.conftest import make_app
from tests.diagrams import write_tiny
from tests.repair_driver import RepairCase
from tests.test_engine_edges import WAIT_THEN_DIVIDE


@pytest.fixture
def failing(tmp_path, database_url, clock):
    processes = tmp_path / "processes"
    write_tiny(processes, WAIT_THEN_DIVIDE)
    app = make_app(database_url, clock, processes)
    ctx = app.extensions["aftersales"]
    deploy_directory(ctx)
    for username, roles in (("agent", ["cs_agent"]), ("process_owner", ["process_owner"]), ("auditor", ["auditor"])):
        create_user(ctx, username, username, roles)
    client = app.test_client()
    yield ctx, lambda username: Api(client, username)
    app.extensions["aftersales.db"].dispose()


def test_a_failed_step_is_retried_with_corrected_data(failing, clock):
    ctx, as_user = failing
    case = as_user("agent").post("/processes/tiny/instances").json
    [task] = as_user("agent").get(f"/tasks?instance_id={case['id']}").json
    as_user("agent").post(f"/tasks/{task['id']}/complete", json={"ok": False})
    clock.advance(timedelta(days=4))
    from app.services.timers import fire_due

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
            "联系客户确认预约 / Contact customer and confirm appointment", "电话联系客户 / Phone the customer"
        ),
    )
    moved = as_user("process_owner").post(f"/instances/{case.id}/migrate", json={})
    assert moved.status_code == 200 and moved.json["version"] == 2
    task = case.ready()["contact_customer"]
    assert task["name"] == "电话联系客户 / Phone the customer" and task["assignee"] == "agent"
    assert task["due_at"] == contact["due_at"]  # the 24 h deadline still counts from the request
    case.walk("contact_customer", "dispatch_notice")
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
    refused = as_user("process_owner").post(f"/instances/{case.id}/migrate", json={})
    assert refused.status_code == 409
    assert {"kind": "inserted", "element_id": "contact_customer"}.items() <= refused.json["errors"][0].items()
    assert as_user("admin").get(f"/instances/{case.id}").json["version"] == 1
    assert "dispatch_notice" in case.ready()  # untouched
