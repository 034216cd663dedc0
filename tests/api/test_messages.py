"""Messages into cases: an outside system (the ERP) tells a waiting case that the spare part shipped;
the message is correlated by case number or by keys of the case's data, the one case waiting for it
moves on with the payload, and a message that matches no case or several is refused, moving nothing."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.diagrams import TINY
from tests.diagrams import with_start_form

AWAITING = with_start_form(
    TINY.replace(
        "<bpmn:flowNodeRef>compute</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>parts_shipped</bpmn:flowNodeRef><bpmn:flowNodeRef>compute</bpmn:flowNodeRef>",
    )
    .replace(
        '<bpmn:sequenceFlow id="f2" sourceRef="do_it" targetRef="compute"/>',
        (
            '<bpmn:sequenceFlow id="f2" sourceRef="do_it" targetRef="parts_shipped"/>'
            '<bpmn:sequenceFlow id="f2b" sourceRef="parts_shipped" targetRef="compute"/>'
        ),
    )
    .replace(
        "<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>",
        ("<bpmn:incoming>f2b</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>"),
    )
    .replace(
        '<bpmn:endEvent id="finish"',
        (
            '<bpmn:intermediateCatchEvent id="parts_shipped" name="备件已发 / Parts shipped">'
            "<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f2b</bpmn:outgoing>"
            '<bpmn:messageEventDefinition id="parts_shipped_def" messageRef="msg_parts_shipped">'
            "<bpmn:extensionElements><spiffworkflow:messageVariable>shipment</spiffworkflow:messageVariable>"
            "</bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:intermediateCatchEvent>"
            '<bpmn:endEvent id="finish"'
        ),
    )
    .replace("</bpmn:process>", '</bpmn:process><bpmn:message id="msg_parts_shipped" name="parts_shipped"/>')
)


@pytest.fixture
def api(app_with_diagram):
    client = app_with_diagram(AWAITING, ("admin", "agent", "auditor", "tech_urban1")).test_client()
    return lambda username: Api(client, username)


def waiting_case(api, order_no: str) -> dict:
    started = api("agent").post("/processes/tiny/instances", json={"note": order_no})
    assert started.status_code == 201, started.json
    [task] = api("agent").get(f"/tasks?instance_id={started.json['id']}").json
    assert api("agent").post(f"/tasks/{task['id']}/complete", json={"ok": True}).status_code == 200
    return api("agent").get(f"/instances/{started.json['id']}").json


def test_a_message_by_case_number_moves_the_waiting_case_with_its_payload(api):
    case = waiting_case(api, "PO-1")
    assert case["status"] == "running"
    sent = api("agent").post(
        "/messages", json={"name": "parts_shipped", "case_no": case["case_no"], "payload": {"waybill": "SF123"}}
    )
    assert sent.status_code == 200, sent.json
    after = api("agent").get(f"/instances/{case['id']}").json
    assert after["status"] == "completed" and after["data"]["shipment"] == {"waybill": "SF123"}
    [received] = [
        e for e in api("agent").get(f"/instances/{case['id']}/events").json if e["type"] == "message_received"
    ]
    assert received["actor"] == "agent" and received["data"]["message"] == "parts_shipped"
    again = api("agent").post("/messages", json={"name": "parts_shipped", "case_no": case["case_no"]})
    assert again.status_code == 404  # it no longer waits


def test_correlation_keys_pick_one_case_and_refuse_several_or_none(api):
    first, second = waiting_case(api, "PO-7"), waiting_case(api, "PO-8")
    both = api("agent").post("/messages", json={"name": "parts_shipped", "correlation_keys": {"ok": True}})
    assert both.status_code == 409 and first["case_no"] in both.json["detail"]
    none = api("agent").post("/messages", json={"name": "parts_shipped", "correlation_keys": {"note": "PO-9"}})
    assert none.status_code == 404
    wrong_name = api("agent").post("/messages", json={"name": "invoice_paid", "correlation_keys": {"note": "PO-7"}})
    assert wrong_name.status_code == 404
    one = api("agent").post("/messages", json={"name": "parts_shipped", "correlation_keys": {"note": "PO-8"}})
    assert one.status_code == 200 and one.json["id"] == second["id"] and one.json["status"] == "completed"
    assert api("agent").get(f"/instances/{first['id']}").json["status"] == "running"  # untouched
    unaddressed = api("agent").post("/messages", json={"name": "parts_shipped"})
    assert unaddressed.status_code == 422


def test_a_message_reaches_only_cases_the_sender_may_read(api):
    case = waiting_case(api, "PO-3")
    stranger = api("tech_urban1").post("/messages", json={"name": "parts_shipped", "case_no": case["case_no"]})
    assert stranger.status_code == 404
    assert (
        api("auditor").post("/messages", json={"name": "parts_shipped", "case_no": case["case_no"]}).status_code == 403
    )
    assert api("agent").get(f"/instances/{case['id']}").json["status"] == "running"
