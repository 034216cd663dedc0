"""A form field shown only when another field has a value (``x-visible-if``, the form builder's
"shown only when") is required only while shown: the server refuses what the browser would not send
(the field while shown) and takes the form without it while hidden — written as JSON Schema if/then
(as the builder writes it) or as a plain ``required`` the server reads the same way."""

from __future__ import annotations

from tests.diagrams import acceptance

INSPECT = acceptance({"formJsonSchemaFilename": "forms/acceptance/accept.json"})
FORM = {
    "type": "object",
    "title": "验收 / Acceptance",
    "x-facts": [],
    "properties": {
        "fault": {"type": "boolean", "title": "有缺陷 / Fault found"},
        "fault_detail": {"type": "string", "title": "缺陷 / Fault", "maxLength": 200, "x-visible-if": {"fault": True}},
        "result": {"type": "string", "title": "结论 / Result", "enum": ["accepted", "rejected"]},
        "reason": {"type": "string", "title": "原因 / Reason", "x-visible-if": {"result": "rejected"}},
    },
    "required": ["fault", "result", "reason"],  # reason: only while shown (the server reads it so)
    "allOf": [  # as the form builder writes a field required while shown
        {
            "if": {"properties": {"fault": {"not": {"enum": [False, 0, "", None, []]}}}, "required": ["fault"]},
            "then": {"required": ["fault_detail"]},
        }
    ],
    "additionalProperties": False,
}


def accept_task(as_user):
    owner, admin = as_user("process_owner"), as_user("admin")
    body = {"filename": "acceptance.bpmn", "xml": INSPECT, "forms": {"forms/acceptance/accept.json": FORM}}
    deployed = owner.post("/workbench/deploy", json=body)
    assert deployed.status_code == 201, deployed.json
    case_id = admin.post("/processes/acceptance/instances", json={}).json["id"]
    (commission,) = admin.get(f"/tasks?instance_id={case_id}").json
    assert as_user("tech_urban1").post(f"/tasks/{commission['id']}/complete", json={}).status_code == 200
    (accept,) = admin.get(f"/tasks?instance_id={case_id}").json
    return accept["id"]


def test_a_field_shown_only_when_another_has_a_value_is_required_only_then(as_user):
    task_id = accept_task(as_user)
    tech = as_user("tech_urban1")
    shown = tech.post(f"/tasks/{task_id}/complete", json={"fault": True, "result": "rejected"})
    assert shown.status_code == 422
    assert {e["field"] for e in shown.json["errors"]} == {"fault_detail", "reason"}  # shown, required, missing
    done = tech.post(f"/tasks/{task_id}/complete", json={"fault": False, "result": "accepted"})  # both hidden
    assert done.status_code == 200, done.json


def test_the_form_as_the_browser_gets_it_keeps_its_condition(as_user):
    form = as_user("tech_urban1").get(f"/tasks/{accept_task(as_user)}").json["form"]
    assert form["properties"]["reason"]["x-visible-if"] == {"result": "rejected"}
    assert form["allOf"][0]["then"] == {"required": ["fault_detail"]}
