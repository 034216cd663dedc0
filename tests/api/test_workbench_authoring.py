"""Starting a procedure in the workbench: new from a blank pool with lanes or as a copy, import of
a .bpmn file (errors refuse, warnings shown), the lint of one piece of code as it is typed, the
roles a lane may pick, and the page of a procedure not deployed yet."""

from __future__ import annotations

import base64
import io
import zipfile

from tests.api.test_web import login
from tests.conftest import PROCESSES

INTEROP = PROCESSES.parent / "tests" / "interop"
NEW = {"key": "installation_acceptance", "name_zh": "安装调试验收", "name_en": "Installation acceptance"}


def put_json(api, path, body):
    return api.client.put(f"/api/v1{path}", json=body, headers=api._headers())


def test_a_new_blank_procedure_is_a_draft_with_the_lanes_chosen_that_deploys_as_version_1(as_user):
    api = as_user("process_owner")
    made = api.post("/workbench/procedures", json={**NEW, "lanes": ["cs_agent", "technician"]})
    assert made.status_code == 201 and made.json["process_key"] == "installation_acceptance"
    draft = api.get("/workbench/drafts/installation_acceptance").json
    assert draft["base_version"] is None and draft["forms"] == {}
    xml = draft["xml"]
    assert 'id="lane_cs_agent" name="客服专员 / Customer service agent"' in xml and 'id="lane_technician"' in xml
    assert 'name="安装调试验收 / Installation acceptance"' in xml and "lane_supervisor" not in xml
    body = {"filename": "installation_acceptance.bpmn", "xml": xml, "forms": {}}
    assert api.post("/workbench/validate", json=body).json == {"problems": [], "warnings": []}

    again = api.post("/workbench/procedures", json={**NEW, "lanes": ["cs_agent"]})
    assert again.status_code == 409 and "already have a draft" in again.json["message"]
    assert api.post("/workbench/deploy", json=body).json["version"] == 1
    taken = api.post("/workbench/procedures", json={**NEW, "lanes": ["cs_agent"]})
    assert taken.status_code == 409 and "already deployed" in taken.json["message"]

    refused = api.post("/workbench/procedures", json={"key": "Bad Key", "name_zh": "", "name_en": "x / y"})
    assert refused.status_code == 422 and set(refused.json["fields"]) == {"key"}
    unnamed = api.post("/workbench/procedures", json={"key": "other", "name_zh": "", "name_en": "x / y"})
    assert unnamed.status_code == 422 and set(unnamed.json["fields"]) == {"name_zh", "name_en"}
    no_lanes = api.post("/workbench/procedures", json={**NEW, "key": "other", "lanes": ["auditor"]})
    assert no_lanes.status_code == 422 and "lanes" in no_lanes.json["fields"]
    assert as_user("supervisor").post("/workbench/procedures", json=NEW).status_code == 403


def test_a_copy_renames_the_process_and_moves_its_forms(as_user):
    api = as_user("process_owner")
    made = api.post("/workbench/procedures", json={**NEW, "key": "refund_b", "copy_of": "refund"})
    assert made.status_code == 201
    draft = api.get("/workbench/drafts/refund_b").json
    assert '<bpmn:process id="refund_b" name="安装调试验收 / Installation acceptance"' in draft["xml"]
    assert "forms/refund/" not in draft["xml"] and "forms/refund_b/" in draft["xml"]
    source = api.get("/processes/refund/source").json
    assert len(draft["forms"]) == len(source["forms"]) > 0
    assert all(path.startswith("forms/refund_b/") for path in draft["forms"])
    body = {"filename": "refund_b.bpmn", "xml": draft["xml"], "forms": draft["forms"]}
    assert api.post("/workbench/validate", json=body).json["problems"] == []
    missing = api.post("/workbench/procedures", json={**NEW, "key": "copy_x", "copy_of": "nope"})
    assert missing.status_code == 422 and "copy_of" in missing.json["fields"]


def test_import_refuses_what_a_deploy_refuses_and_keeps_the_rest_as_a_draft_with_its_warnings(as_user):
    api = as_user("process_owner")
    lanes = (INTEROP / "spiff-lanes.bpmn").read_text(encoding="utf-8")
    imported = api.post("/workbench/import", json={"filename": "spiff-lanes.bpmn", "xml": lanes})
    assert imported.status_code == 201 and imported.json["process_key"] == "lanes"
    rules = {w["rule"] for w in imported.json["warnings"]}
    assert {"lane-names-role", "process-id-is-file-name"} <= rules
    assert api.get("/workbench/drafts/lanes").json["xml"] == lanes

    xslt = (INTEROP / "camunda-xslt-example.bpmn").read_text(encoding="utf-8")
    refused = api.post("/workbench/import", json={"filename": "camunda-xslt-example.bpmn", "xml": xslt})
    assert refused.status_code == 422
    assert any("written in 'xslt'" in e["reason"] for e in refused.json["errors"])
    assert [d["process_key"] for d in api.get("/workbench/drafts").json] == ["lanes"]


def test_lint_of_one_expression_says_what_the_deploy_would(as_user):
    api = as_user("process_owner")

    def lint(code, kind):
        return [p["reason"] for p in api.post("/workbench/lint", json={"code": code, "kind": kind}).json["problems"]]

    assert lint("approved == True", "condition") == []
    assert lint("approved ==", "condition") == ["condition is not valid Python: invalid syntax"]
    assert "imports are not allowed" in lint("import os", "script")[0]
    assert "JUEL" in lint("${approved}", "condition")[0]
    assert lint("P2D", "timer") == [] and lint("add_working_days(now(), 2)", "timer") == []
    assert "neither a valid ISO 8601 value" in lint("P2X", "timer")[0]
    assert api.post("/workbench/lint", json={"code": "x", "kind": "sql"}).status_code == 422


def test_lane_roles_are_the_working_roles_with_their_users(as_user, ctx):
    roles = {r["role"]: r for r in as_user("process_owner").get("/workbench/lane-roles").json}
    with ctx.uow() as uow:
        technicians = len(uow.users.with_role("technician"))
    assert technicians > 1 and roles["technician"] == {
        "role": "technician",
        "lane_id": "lane_technician",
        "name": "服务工程师 / Service engineer",
        "users": technicians,
    }
    assert roles["cs_agent"]["users"] == 1 and roles["sales"]["users"] == 0
    assert "auditor" not in roles and "process_owner" not in roles


def test_the_index_offers_new_and_import_and_a_new_procedure_opens_in_the_editor(app, as_user):
    owner = app.test_client()
    login(owner, "process_owner")
    index = owner.get("/workbench").get_data(as_text=True)
    assert 'id="wb-new-form"' in index and 'id="wb-import-form"' in index and "workbench-index.js" in index
    assert owner.get("/workbench/installation_acceptance").status_code == 404
    as_user("process_owner").post("/workbench/procedures", json={**NEW, "lanes": ["technician"]})
    index = owner.get("/workbench").get_data(as_text=True)
    assert "安装调试验收" in index and "尚未部署" in index
    page = owner.get("/workbench/installation_acceptance").get_data(as_text=True)
    assert "bpmn-modeler.js" in page and "/api/v1/workbench/drafts/installation_acceptance" in page
    assert 'id="wb-no-versions"' in page and "安装调试验收" in page
    auditor = app.test_client()
    login(auditor, "auditor")
    assert 'id="wb-new-form"' not in auditor.get("/workbench").get_data(as_text=True)
    assert auditor.get("/workbench/installation_acceptance").status_code == 404


PHOTO_FORM = {
    "type": "object",
    "title": "调试 / Commissioning",
    "properties": {
        "photo": {"type": "string", "title": "设备照片 / Photo of the unit", "contentMediaType": "image/*"},
    },
    "required": ["photo"],
}
PNG = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 64).decode()


def with_commissioning(xml: str) -> tuple[str, str]:
    """A new procedure's blank diagram with a user task "commissioning" (a photo form) between its
    start and end: the start's flow is rerouted to it, the task and a flow to the end are added."""
    path = "forms/installation_acceptance/commissioning.json"
    task = (
        '<bpmn:userTask id="commissioning" name="调试 / Commissioning"><bpmn:extensionElements>'
        f'<spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename" value="{path}"/>'
        "</spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>flow_start_end</bpmn:incoming>"
        "<bpmn:outgoing>flow_done</bpmn:outgoing></bpmn:userTask>"
        '<bpmn:sequenceFlow id="flow_start_end" sourceRef="start" targetRef="commissioning"/>'
        '<bpmn:sequenceFlow id="flow_done" sourceRef="commissioning" targetRef="end"/>'
    )
    xml = xml.replace('<bpmn:sequenceFlow id="flow_start_end" sourceRef="start" targetRef="end"/>', task)
    xml = xml.replace(
        "<bpmn:incoming>flow_start_end</bpmn:incoming></bpmn:endEvent>",
        "<bpmn:incoming>flow_done</bpmn:incoming></bpmn:endEvent>",
    )
    xml = xml.replace(
        "<bpmn:flowNodeRef>end</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>end</bpmn:flowNodeRef><bpmn:flowNodeRef>commissioning</bpmn:flowNodeRef>",
    )
    xml = xml.replace(  # its shape, the start's flow ending at it, and its flow to the end (engine/authoring.py)
        '<di:waypoint x="286" y="155"/><di:waypoint x="880" y="155"/>',
        '<di:waypoint x="286" y="155"/><di:waypoint x="400" y="155"/></bpmndi:BPMNEdge>'
        '<bpmndi:BPMNShape id="commissioning_di" bpmnElement="commissioning">'
        '<dc:Bounds x="400" y="115" width="100" height="80"/></bpmndi:BPMNShape>'
        '<bpmndi:BPMNEdge id="flow_done_di" bpmnElement="flow_done">'
        '<di:waypoint x="500" y="155"/><di:waypoint x="880" y="155"/>',
    )
    assert 'bpmnElement="flow_done"' in xml
    return xml, path


def test_a_photo_field_of_a_new_procedure_stores_the_upload_as_an_attachment(as_user):
    """contentMediaType marks a file field: the uploaded data URL becomes an attachment of the case."""
    api = as_user("process_owner")
    api.post("/workbench/procedures", json={**NEW, "lanes": ["cs_agent"]})
    xml, path = with_commissioning(api.get("/workbench/drafts/installation_acceptance").json["xml"])
    body = {"filename": "installation_acceptance.bpmn", "xml": xml, "forms": {path: PHOTO_FORM}}
    deployed = api.post("/workbench/deploy", json=body)
    assert deployed.status_code == 201, deployed.json
    case_id = as_user("agent").post("/processes/installation_acceptance/instances").json["id"]
    [ready] = as_user("admin").get(f"/tasks?instance_id={case_id}").json
    agent = as_user("agent")
    typed = agent.post(f"/tasks/{ready['id']}/complete", json={"photo": "a photo"})
    assert typed.status_code == 422 and "photo" in typed.json["fields"]
    assert agent.post(f"/tasks/{ready['id']}/complete", json={"photo": PNG}).status_code == 200
    data = as_user("admin").get(f"/instances/{case_id}").json["data"]
    assert data["photo"].startswith("attachment:")
    [attachment] = agent.get(f"/instances/{case_id}/attachments").json
    assert (attachment["field"], attachment["media_type"]) == ("photo", "image/png")


def test_a_version_downloads_as_a_zip_that_uploads_back_as_a_draft(as_user):
    api = as_user("process_owner")
    download = api.client.get("/api/v1/processes/refund/versions/1/archive.zip", headers=api._headers())
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert 'filename="refund-v1.zip"' in download.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        names = archive.namelist()
        source = api.get("/processes/refund/source").json
        assert names[0] == "refund.bpmn" and archive.read("refund.bpmn").decode() == source["xml"]
        assert sorted(names[1:]) == sorted(source["forms"])

    def upload(content: bytes, name: str = "refund-v1.zip"):
        return api.client.post(
            "/api/v1/workbench/import-archive",
            headers=api._headers(),
            data={"file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )

    uploaded = upload(download.data)
    assert uploaded.status_code == 201 and uploaded.json["process_key"] == "refund"
    assert uploaded.json["base_version"] == 1
    draft = api.get("/workbench/drafts/refund").json
    assert draft["xml"] == source["xml"] and draft["forms"] == source["forms"]

    assert upload(b"not a zip").status_code == 422
    sneaky = io.BytesIO()
    with zipfile.ZipFile(sneaky, "w") as archive:
        archive.writestr("refund.bpmn", source["xml"])
        archive.writestr("../etc/passwd", "x")
    refused = upload(sneaky.getvalue())
    assert refused.status_code == 422 and "not a plain relative path" in refused.json["message"]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("refund.bpmn", " " * (3 * 1024 * 1024))
    too_big = upload(bomb.getvalue())
    assert too_big.status_code == 422 and "bytes uncompressed" in too_big.json["message"]
