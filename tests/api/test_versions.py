"""Process owners upload diagrams, compare versions, roll back, and dry-run a migration."""

from __future__ import annotations

import base64
import io
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import PROCESSES
from tests.repair_driver import RepairCase

REPAIR = (PROCESSES / "repair.bpmn").read_bytes()


def upload(as_user, xml: bytes, *, dry_run: bool = False, user: str = "process_owner"):
    api = as_user(user)
    return api.client.post(
        f"/api/v1/processes{'?dry_run=1' if dry_run else ''}",
        headers=api._headers(),
        data={"file": (io.BytesIO(xml), "repair.bpmn")},
        content_type="multipart/form-data",
    )


def test_an_uploaded_diagram_is_validated_deployed_compared_and_rolled_back(as_user):
    broken = REPAIR.replace(b'"P10D"', b"P10X")
    refused = upload(as_user, broken)
    assert refused.status_code == 422
    [problem] = refused.json["errors"]
    assert problem["element_id"] == "rtf_overdue" and problem["line"] and "neither" in problem["reason"]
    renamed = REPAIR.replace(
        "首次联系客户，确定服务方式 / First contact".encode(), "电话联系客户 / Phone the customer".encode()
    )
    checked = upload(as_user, renamed, dry_run=True)
    assert checked.status_code == 200 and checked.json["dry_run"] is True
    assert as_user("admin").get("/processes/repair").json["version"] == 1  # a dry run deploys nothing
    deployed = upload(as_user, renamed)
    assert deployed.status_code == 201 and deployed.json["version"] == 2
    assert upload(as_user, renamed, user="agent").status_code == 403

    diff = as_user("auditor").get("/processes/repair/diff?from=1&to=2").json
    assert diff["added"] == [] and diff["removed"] == [] and diff["forms_changed"] == []
    assert [c["element_id"] for c in diff["changed"]] == ["contact_customer"]
    renamed_to = "电话联系客户 / Phone the customer: reach the customer, choose the service mode"
    assert diff["changed"][0]["fields"]["name"][1] == renamed_to

    rolled = as_user("process_owner").post("/processes/repair/versions/1/redeploy")
    assert rolled.status_code == 201 and rolled.json["version"] == 3
    assert as_user("admin").get("/processes/repair/diff?from=1&to=3").json["changed"] == []


def waiting_and_contacted_then_version_2_renames_contact(as_user) -> tuple[RepairCase, RepairCase]:
    waiting = RepairCase(as_user)
    contacted = RepairCase(as_user)
    contacted.walk("contact_customer")
    without_contact = (
        REPAIR.replace(b'"contact_customer"', b'"call_customer"')
        .replace(b">contact_customer<", b">call_customer<")
        .replace(b"_contact_customer", b"_call_customer")
        .replace(b"contact_customer_", b"call_customer_")
    )
    assert upload(as_user, without_contact).status_code == 201
    return waiting, contacted


def test_a_migration_dry_run_says_which_cases_can_move_and_why_not(as_user):
    waiting, contacted = waiting_and_contacted_then_version_2_renames_contact(as_user)
    report = {
        r["case_id"]: r for r in as_user("process_owner").get("/processes/repair/migration-check?from=1&to=2").json
    }
    assert report[waiting.id]["can_move"] is True and report[waiting.id]["ready_there"] == ["call_customer"]
    assert report[contacted.id]["can_move"] is False
    assert "inserted contact_customer" in report[contacted.id]["why_not"][0]
    assert as_user("agent").get("/processes/repair/migration-check?from=1&to=2").status_code == 403


def test_migrating_every_case_of_a_version_moves_those_that_fit_and_leaves_the_others_untouched(as_user):
    waiting, contacted = waiting_and_contacted_then_version_2_renames_contact(as_user)
    before = contacted.body
    assert (
        as_user("agent")
        .post("/processes/repair/migrate", json={"from": 1, "to": 2, "reason": "v2 renames the contact"})
        .status_code
        == 403
    )
    report = as_user("process_owner").post(
        "/processes/repair/migrate", json={"from": 1, "to": 2, "reason": "v2 renames the contact"}
    )
    assert report.status_code == 200
    by_case = {r["case_id"]: r for r in report.json}
    assert by_case[waiting.id]["moved"] is True and by_case[waiting.id]["why_not"] == []
    assert by_case[contacted.id]["moved"] is False
    assert "inserted contact_customer" in by_case[contacted.id]["why_not"][0]
    assert waiting.body["version"] == 2 and list(waiting.ready()) == ["call_customer"]
    [moved] = waiting.events("instance_migrated")
    assert moved["actor"] == "process_owner" and moved["data"]["reason"] == "v2 renames the contact"
    assert (moved["data"]["from_version"], moved["data"]["to_version"]) == (1, 2) and "mapping" not in moved["data"]
    assert contacted.body == before and contacted.events("instance_migrated") == []
    again = (
        as_user("process_owner")
        .post("/processes/repair/migrate", json={"from": 1, "to": 2, "reason": "v2 renames the contact"})
        .json
    )
    assert [r["case_id"] for r in again] == [contacted.id]  # only what is still on version 1


def test_two_process_owners_deploying_at_the_same_moment_get_one_version_and_one_conflict(app):
    """The loser of the race gets 409 (try again), never 500, and no version number is used twice."""
    renamed = [
        REPAIR.replace("首次联系客户，确定服务方式 / First contact".encode(), f"联系客户 {n} / Contact {n}".encode())
        for n in range(4)
    ]
    barrier = threading.Barrier(len(renamed))

    def deploy(xml: bytes) -> int:
        client = app.test_client()
        barrier.wait()
        token = base64.b64encode(b"process_owner:process_owner").decode()
        return client.post(
            "/api/v1/processes",
            headers={"Authorization": f"Basic {token}"},
            data={"file": (io.BytesIO(xml), "repair.bpmn")},
            content_type="multipart/form-data",
        ).status_code

    with ThreadPoolExecutor(len(renamed)) as pool:
        codes = list(pool.map(deploy, renamed))
    assert set(codes) <= {201, 409} and 201 in codes, codes
    ctx = app.extensions["aftersales"]
    with ctx.uow() as uow:
        numbers = [v.version for v in uow.versions.all_versions("repair")]
    assert sorted(numbers) == list(range(1, 2 + codes.count(201)))


def test_an_element_mapping_moves_the_cases_a_renamed_task_had_held_back(as_user):
    """Version 2 calls contact_customer call_customer: saying so lets the contacted case move too."""
    waiting, contacted = waiting_and_contacted_then_version_2_renames_contact(as_user)
    owner = as_user("process_owner")
    check = owner.get("/processes/repair/migration-check?from=1&to=2&map=contact_customer:call_customer").json
    assert {r["case_id"]: r["can_move"] for r in check} == {waiting.id: True, contacted.id: True}
    assert owner.get("/processes/repair/migration-check?from=1&to=2&map=nonsense").status_code == 422
    mapping = {"contact_customer": "call_customer"}
    moved = owner.post(
        "/processes/repair/migrate", json={"from": 1, "to": 2, "mapping": mapping, "reason": "renamed"}
    ).json
    assert all(r["moved"] for r in moved) and len(moved) == 2
    assert contacted.body["version"] == 2 and list(contacted.ready()) == ["dispatch_notice"]
    [event] = contacted.events("instance_migrated")
    assert event["data"]["mapping"] == mapping and event["data"]["reason"] == "renamed"
