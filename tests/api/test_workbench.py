"""The process workbench: a version's source, validation with the deploy's own checks over the forms
sent (never the processes/ folder), deploying a new version while running cases stay, who may do
what, drafts, size limits, and the page."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from app.domain.principal import Principal
from app.errors import DiagramError
from app.errors import Forbidden
from app.services.processes import workbench
from tests.api.test_web import login
from tests.conftest import PROCESSES
from tests.conftest import Api
from tests.repair_driver import RepairCase

REPAIR = (PROCESSES / "repair.bpmn").read_text(encoding="utf-8")
FORMS = {
    str(path.relative_to(PROCESSES)): json.loads(path.read_text(encoding="utf-8"))
    for path in (PROCESSES / "forms" / "repair").glob("*.json")
}
RENAMED = REPAIR.replace("首次联系客户，确定服务方式 / First contact", "电话联系客户 / Phone the customer")
OWNER = Principal("process_owner", frozenset({"process_owner"}))


def edited(xml: str = REPAIR, forms: dict | None = None, **extra) -> dict:
    return {"filename": "repair.bpmn", "xml": xml, "forms": FORMS if forms is None else forms, **extra}


def test_the_source_of_a_version_is_its_diagram_and_forms(as_user):
    latest = as_user("auditor").get("/processes/repair/source")
    assert latest.status_code == 200
    body = latest.json
    assert (body["key"], body["version"], body["filename"]) == ("repair", 1, "repair.bpmn")
    assert body["xml"] == REPAIR and body["forms"] == FORMS
    assert as_user("process_owner").get("/processes/repair/versions/1/source").json["xml"] == REPAIR
    assert as_user("admin").get("/processes/repair/versions/7/source").status_code == 404
    assert as_user("admin").get("/processes/nope/source").status_code == 404
    assert as_user("agent").get("/processes/repair/source").status_code == 403


def test_validate_refuses_a_mistyped_helper_and_a_helper_given_the_wrong_type(as_user):
    """Issue #19: both validated and deployed, and the case failed when it reached the timer."""
    api = as_user("process_owner")
    for timer, said in (
        ("add_workingdays(now(), 2)", "calls add_workingdays(), which is not a diagram helper"),
        ('add_working_days(now(), "two")', "add_working_days() takes days as int, not str 'two'"),
    ):
        answer = api.post("/workbench/validate", json=edited(REPAIR.replace('"P10D"', timer))).json
        [problem] = answer["problems"]
        assert (problem["element_id"], problem["rule"], problem["severity"]) == ("rtf_overdue", "helper-call", "error")
        assert said in problem["reason"]


def test_validate_returns_the_loaders_problems_with_reason_and_element(as_user):
    api = as_user("process_owner")
    fine = api.post("/workbench/validate", json=edited())
    assert fine.status_code == 200 and fine.json == {"problems": [], "warnings": []}
    unquoted = api.post("/workbench/validate", json=edited(REPAIR.replace('"P10D"', "P10D")))
    assert unquoted.json == {"problems": [], "warnings": []}  # ISO 8601 as other modelers write it

    mistyped = api.post("/workbench/validate", json=edited(REPAIR.replace('"P10D"', "P10X")))
    assert mistyped.status_code == 200
    [problem] = mistyped.json["problems"]
    assert problem["element_id"] == "rtf_overdue" and problem["file"] == "repair.bpmn" and problem["line"]
    assert "'P10X' is neither a valid ISO 8601 value" in problem["reason"] and problem["severity"] == "error"

    contact_name = 'name="首次联系客户，确定服务方式 / First contact: reach the customer, choose the service mode"'
    unnamed = edited(REPAIR.replace(contact_name, ""))
    advice = api.post("/workbench/validate", json=unnamed).json
    assert advice["problems"] == [] and [w["element_id"] for w in advice["warnings"]] == ["contact_customer"]
    assert advice["warnings"][0]["severity"] == "warning" and advice["warnings"][0]["rule"] == "element-named"
    strict = api.post("/workbench/validate", json={**unnamed, "strict": True}).json
    assert strict["warnings"] == [] and [p["rule"] for p in strict["problems"]] == ["element-named"]

    forms = {**FORMS, "forms/repair/contact_customer.json": '{"type": "object",'}  # typed, not yet JSON
    [bad_json] = api.post("/workbench/validate", json=edited(forms=forms)).json["problems"]
    assert bad_json["element_id"] == "contact_customer" and "not valid JSON" in bad_json["reason"]
    forms = {**FORMS, "forms/repair/contact_customer.json": {"type": "objekt"}}
    [bad_schema] = api.post("/workbench/validate", json=edited(forms=forms)).json["problems"]
    assert bad_schema["element_id"] == "contact_customer" and "not a valid JSON Schema" in bad_schema["reason"]
    forms = {**FORMS, "forms/repair/contact_customer.json": [1, 2]}
    [not_object] = api.post("/workbench/validate", json=edited(forms=forms)).json["problems"]
    assert "must be a JSON object" in not_object["reason"]

    broken_xml = api.post("/workbench/validate", json=edited("<bpmn:definitions")).json["problems"]
    assert len(broken_xml) == 1 and "not well-formed XML" in broken_xml[0]["reason"]


def test_validation_reads_only_the_forms_sent_never_the_processes_folder(ctx):
    without = {p: s for p, s in FORMS.items() if p != "forms/repair/callback.json"}
    [problem] = workbench.validate_source(ctx, "repair.bpmn", REPAIR, without, OWNER)
    assert problem.element_id == "callback" and "not found" in problem.reason
    assert (PROCESSES / "forms/repair/callback.json").is_file()  # it is on disk, and was not read
    with pytest.raises(DiagramError):
        workbench.deploy_source(ctx, "repair.bpmn", REPAIR, without, OWNER)


def test_deploy_creates_version_2_and_running_cases_stay_on_version_1(as_user):
    running = RepairCase(as_user)
    api = as_user("process_owner")
    deployed = api.post("/workbench/deploy", json=edited(RENAMED, base_version=1))
    assert deployed.status_code == 201
    assert deployed.json == {"key": "repair", "version": 2, "created": True, "warnings": []}
    assert as_user("admin").get(f"/instances/{running.id}").json["version"] == 1
    assert RepairCase(as_user).body["version"] == 2
    source = as_user("auditor").get("/processes/repair/source").json
    assert source["version"] == 2 and "电话联系客户" in source["xml"] and source["forms"] == FORMS

    again = api.post("/workbench/deploy", json=edited(RENAMED))
    assert again.status_code == 200
    assert again.json == {"key": "repair", "version": 2, "created": False, "warnings": []}
    stale = api.post("/workbench/deploy", json=edited(REPAIR, base_version=1))
    assert stale.status_code == 409 and "version 2" in stale.json["message"]
    refused = api.post("/workbench/deploy", json=edited(REPAIR.replace('"P10D"', "P10X")))
    assert refused.status_code == 422
    assert [e["element_id"] for e in refused.json["errors"]] == ["rtf_overdue"]
    assert as_user("admin").get("/processes/repair").json["versions"] == [1, 2]


def test_only_process_owners_and_admins_change_diagrams(as_user):
    for user in ("agent", "supervisor", "auditor"):
        api = as_user(user)
        assert api.post("/workbench/validate", json=edited()).status_code == 403
        assert api.post("/workbench/deploy", json=edited(RENAMED)).status_code == 403
        assert (
            api.client.put("/api/v1/workbench/drafts/repair", json=edited(), headers=api._headers()).status_code == 403
        )
        assert api.get("/workbench/drafts").status_code == 403
    assert as_user(None).post("/workbench/validate", json=edited()).status_code == 401
    assert as_user("admin").post("/workbench/validate", json=edited()).status_code == 200
    assert as_user("auditor").get("/processes/repair/versions/1/source").status_code == 200
    with pytest.raises(Forbidden):
        workbench.validate_source(None, "repair.bpmn", REPAIR, FORMS, Principal("auditor", frozenset({"auditor"})))


def test_drafts_round_trip_per_user_and_end_with_a_deploy(as_user):
    api = as_user("process_owner")
    headers = api._headers()
    url = "/api/v1/workbench/drafts/repair"
    assert api.get("/workbench/drafts/repair").status_code == 404
    half_typed = {**FORMS, "forms/repair/callback.json": '{"type": '}
    saved = api.client.put(url, json=edited(RENAMED, half_typed, base_version=1), headers=headers)
    assert saved.status_code == 200
    draft = api.get("/workbench/drafts/repair").json
    assert draft["xml"] == RENAMED and draft["forms"] == half_typed and draft["base_version"] == 1
    assert draft["filename"] == "repair.bpmn" and draft["updated_at"]
    assert [d["process_key"] for d in api.get("/workbench/drafts").json] == ["repair"]
    assert as_user("admin").get("/workbench/drafts/repair").status_code == 404  # private to its author
    wrong_name = api.client.put(url, json={**edited(), "filename": "complaint.bpmn"}, headers=headers)
    assert wrong_name.status_code == 422

    assert api.client.delete(url, headers=headers).status_code == 204
    assert api.client.delete(url, headers=headers).status_code == 204  # idempotent
    assert api.get("/workbench/drafts/repair").status_code == 404

    api.client.put(url, json=edited(RENAMED), headers=headers)
    assert api.post("/workbench/deploy", json=edited(RENAMED)).status_code == 201
    assert api.get("/workbench/drafts").json == []  # deployed, so no longer a draft


def test_oversized_diagrams_and_forms_are_refused_clearly(as_user):
    api = as_user("process_owner")
    padding = "<!--" + "x" * (2 * 1024 * 1024) + "-->"
    too_big = api.post("/workbench/validate", json=edited(REPAIR + padding))
    assert too_big.status_code == 413 and "limit is 2097152 bytes (2 MB)" in too_big.json["message"]
    forms = {**FORMS, "forms/repair/callback.json": {"type": "object", "description": "x" * 600_000}}
    too_many = api.post("/workbench/deploy", json=edited(forms=forms))
    assert too_many.status_code == 413 and "512 kB" in too_many.json["message"]
    bad_name = api.post("/workbench/validate", json={**edited(), "filename": "../repair.bpmn"})
    assert bad_name.status_code == 422 and "filename" in bad_name.json["fields"]


def test_the_workbench_page_for_owners_and_read_only_for_the_auditor(app, as_user, clock):
    owner = app.test_client()
    login(owner, "process_owner")
    assert 'id="workbench-link"' in owner.get("/inbox").get_data(as_text=True)
    page = owner.get("/workbench/repair").get_data(as_text=True)
    assert "bpmn-modeler.js" in page and 'id="wb-deploy"' in page and "/api/v1/processes/repair/source" in page
    assert "?version=1" in page and "流程工作台" in page
    old = owner.get("/workbench/repair?version=1").get_data(as_text=True)
    assert "bpmn-navigated-viewer.js" in old and 'id="wb-deploy"' not in old and "?from=1" in old
    assert "repair" in owner.get("/workbench").get_data(as_text=True)
    assert owner.get("/workbench/nope").status_code == 404
    assert owner.get("/workbench/repair?version=9").status_code == 404

    # A draft saved after version 1 was deployed is loaded instead, with a notice.
    clock.advance(timedelta(minutes=5))
    api = as_user("process_owner")
    api.client.put("/api/v1/workbench/drafts/repair", json=edited(RENAMED, base_version=1), headers=api._headers())
    with_draft = owner.get("/workbench/repair").get_data(as_text=True)
    assert 'id="wb-draft-notice"' in with_draft and "/api/v1/workbench/drafts/repair" in with_draft

    auditor = app.test_client()
    login(auditor, "auditor")
    assert 'id="workbench-link"' not in auditor.get("/inbox").get_data(as_text=True)
    read_only = auditor.get("/workbench/repair").get_data(as_text=True)
    assert "bpmn-navigated-viewer.js" in read_only and 'id="wb-deploy"' not in read_only

    agent = app.test_client()
    login(agent, "agent")
    assert agent.get("/workbench/repair").status_code == 403


def test_the_modeler_and_its_icon_font_are_served(app):
    client = app.test_client()
    for path in ("/vendor/bpmn-modeler.js", "/vendor/bpmn-font/css/bpmn.css", "/vendor/bpmn-font/font/bpmn.woff2"):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()
    assert client.get("/vendor/bpmn-font/font/other.js").status_code == 404


def test_two_owners_deploying_edits_of_the_same_version_at_once_cannot_both_win(app):
    """Both started from version 1: one deploys version 2, the other is told to start again (409)."""
    edits = [
        REPAIR.replace("首次联系客户，确定服务方式 / First contact", f"联系客户 {n} / Contact {n}") for n in range(4)
    ]
    barrier = threading.Barrier(len(edits))

    def deploy(xml: str) -> int:
        api = Api(app.test_client(), "process_owner")
        barrier.wait()
        return api.post("/workbench/deploy", json=edited(xml, base_version=1)).status_code

    with ThreadPoolExecutor(len(edits)) as pool:
        codes = list(pool.map(deploy, edits))
    assert sorted(codes) == [201, 409, 409, 409]


def test_one_deleted_flow_is_two_problems_in_the_users_language(as_user):
    """Issue #17: one deleted flow listed 95 warnings in English; now its two ends, in Chinese."""
    api = as_user("process_owner")
    flow = "flow_request_received_to_register_request"
    xml = REPAIR.replace(f"<bpmn:outgoing>{flow}</bpmn:outgoing>", "").replace(
        f"<bpmn:incoming>{flow}</bpmn:incoming>", ""
    )
    xml = xml.replace(next(line for line in xml.splitlines() if f'<bpmn:sequenceFlow id="{flow}"' in line), "")
    answer = api.post("/workbench/validate", json=edited(xml)).json
    assert answer["problems"] == []
    cut, stop = answer["warnings"]
    assert (cut["element_id"], cut["code"], stop["element_id"], stop["code"]) == (
        "register_request",
        "no-incoming-flow-cascade",
        "request_received",
        "no-outgoing-flow",
    )
    assert (
        cut["message"]
        == f"用户任务没有进入的顺序流，永远无法到达，只经由它才能到达的 {len(cut['folded'])} 个元素也无法到达"
    )
    assert "contact_customer" in cut["folded"] and cut["params"]["type"] == "userTask"
    assert stop["reason"] == "startEvent has no outgoing flow, so the case would stop there"  # English for clients

    refused = api.post("/workbench/deploy", json={**edited(xml), "strict": True})
    assert refused.status_code == 422
    assert [e["message"] for e in refused.json["errors"]] == [
        cut["message"],
        "开始事件没有离开的顺序流，案件会停在那里",
    ]
