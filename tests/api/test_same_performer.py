""" "The same person as step X": a user task whose ``same_performer_as`` names an earlier user task goes
to whoever completed that step in the case, so the technician who commissioned the unit does its
acceptance without claiming it again; a step the diagram lacks is a deploy error."""

from __future__ import annotations

from tests.interop_driver import upload

ACCEPTANCE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs_acc" targetNamespace="http://x">
  <bpmn:process id="acceptance" name="安装验收 / Acceptance" isExecutable="true">
    <bpmn:laneSet id="lanes_acc">
      <bpmn:lane id="lane_technician" name="服务工程师 / Technician">
        <bpmn:flowNodeRef>begin</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>commission</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>accept</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>finish</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="begin" name="开始 / Begin"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="commission" name="调试 / Commission">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="accept" name="验收 / Acceptance">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="same_performer_as" value="STEP"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="finish" name="结束 / Finish"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="commission"/>
    <bpmn:sequenceFlow id="f2" sourceRef="commission" targetRef="accept"/>
    <bpmn:sequenceFlow id="f3" sourceRef="accept" targetRef="finish"/>
  </bpmn:process>
</bpmn:definitions>
"""


def diagram(step: str) -> bytes:
    return ACCEPTANCE.replace("STEP", step).encode()


def test_the_acceptance_goes_to_the_technician_who_commissioned_the_unit(as_user):
    admin, tech1, tech2 = as_user("admin"), as_user("tech_urban1"), as_user("tech_urban2")
    deployed = upload(admin, "acceptance.bpmn", diagram("commission"))
    assert deployed.status_code == 201, deployed.json
    case_id = admin.post("/processes/acceptance/instances", json={}).json["id"]
    (commission,) = admin.get(f"/tasks?instance_id={case_id}").json
    assert commission["element_id"] == "commission" and commission["assignee"] is None  # anyone of the lane
    assert tech1.post(f"/tasks/{commission['id']}/complete", json={}).status_code == 200

    (accept,) = admin.get(f"/tasks?instance_id={case_id}").json
    assert (accept["element_id"], accept["assignee"]) == ("accept", "tech_urban1")
    assert tech2.post(f"/tasks/{accept['id']}/claim").status_code == 409  # no second technician takes it
    assert tech1.post(f"/tasks/{accept['id']}/complete", json={}).status_code == 200
    assert admin.get(f"/instances/{case_id}").json["status"] == "completed"


def test_a_same_performer_step_the_diagram_lacks_is_refused_at_deploy(as_user):
    refused = upload(as_user("admin"), "acceptance.bpmn", diagram("comission"))
    assert refused.status_code == 422
    [error] = [e for e in refused.json["errors"] if e["severity"] == "error"]
    assert (error["rule"], error["element_id"]) == ("same-performer-known", "accept")
    assert "comission" in error["reason"]
    assert as_user("admin").get("/processes/acceptance").status_code == 404
