"""A tiny valid diagram for loader and engine tests, and ways to break it."""

from __future__ import annotations

import json

FORM = {
    "type": "object",
    "title": "做 / Do",
    "properties": {"ok": {"type": "boolean", "title": "好 / OK"}},
    "required": ["ok"],
    "additionalProperties": False,
}

TINY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs_tiny" targetNamespace="http://x">
  <bpmn:collaboration id="collab_tiny">
    <bpmn:participant id="participant_tiny" name="小流程 / Tiny" processRef="tiny"/>
  </bpmn:collaboration>
  <bpmn:process id="tiny" name="小流程 / Tiny" isExecutable="true">
    <bpmn:laneSet id="lanes_tiny">
      <bpmn:lane id="lane_cs_agent" name="客服 / Agent">
        <bpmn:flowNodeRef>begin</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>do_it</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>late</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>compute</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>finish</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_supervisor" name="主管 / Supervisor">
        <bpmn:flowNodeRef>chase</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>chased</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="begin" name="开始 / Begin"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="do_it" name="做事 / Do it">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="forms/do_it.json"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="late" name="超时 / Late" attachedToRef="do_it" cancelActivity="false">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="timer_kind" value="escalation"/>
          <spiffworkflow:property name="clause" value="D-01"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:timerEventDefinition id="late_timer">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT24H"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:scriptTask id="compute" name="计算 / Compute">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>result = "yes" if ok else "no"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="finish" name="结束 / Finish"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:userTask id="chase" name="催办 / Chase">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="forms/do_it.json"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="chased" name="已催办 / Chased"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="do_it"/>
    <bpmn:sequenceFlow id="f2" sourceRef="do_it" targetRef="compute"/>
    <bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="finish"/>
    <bpmn:sequenceFlow id="f4" sourceRef="late" targetRef="chase"/>
    <bpmn:sequenceFlow id="f5" sourceRef="chase" targetRef="chased"/>
  </bpmn:process>
</bpmn:definitions>
"""


# What a case of TINY_STARTING may be opened with (TINY itself takes no start data).
START_FORM = {
    "type": "object",
    "title": "开始 / Start",
    "properties": {
        "note": {"type": "string", "title": "备注 / Note", "maxLength": 200},
        "kind": {"type": "string", "title": "类别 / Kind", "maxLength": 20},
        "visit": {"type": "integer", "title": "走访 / Visit", "minimum": 0},
        "computed": {"type": "integer", "title": "系统计算 / Computed", "readOnly": True},
    },
    "additionalProperties": False,
}


def with_start_form(xml: str, path: str = "forms/begin.json") -> str:
    """``xml`` whose start event ``begin`` names the start form at ``path``."""
    return xml.replace(
        '<bpmn:startEvent id="begin" name="开始 / Begin">',
        '<bpmn:startEvent id="begin" name="开始 / Begin"><bpmn:extensionElements><spiffworkflow:properties>'
        f'<spiffworkflow:property name="formJsonSchemaFilename" value="{path}"/>'
        "</spiffworkflow:properties></bpmn:extensionElements>",
    )


TINY_STARTING = with_start_form(TINY)

# A customer-lane step: the agent records the customer's contacts, then the customer signs and rates
# through a case link (services/customers/), then the agent closes.
CONTACT_FORM = {
    "type": "object",
    "title": "客户联系方式 / Customer contact",
    "x-facts": [],
    "properties": {
        "customer_name": {"type": "string", "title": "客户 / Customer", "maxLength": 100},
        "customer_phone": {"type": "string", "title": "电话 / Phone", "maxLength": 40},
        "customer_email": {"type": "string", "title": "邮箱 / E-mail", "maxLength": 200},
        "customer_language": {"type": "string", "title": "语言 / Language", "enum": ["zh_Hans", "en"]},
    },
    "required": ["customer_name", "customer_phone"],
    "additionalProperties": False,
}
CUSTOMER_SIGN_FORM = {
    "type": "object",
    "title": "客户签字评价 / Customer signs and rates",
    "x-facts": [],
    "properties": {
        "signature": {"type": "string", "title": "签名 / Signature", "minLength": 1, "x-widget": "signature"},
        "rating": {
            "type": "integer",
            "format": "radio",
            "enum": [1, 2, 3, 4],
            "enumNames": ["1 差 / 1 poor", "2 一般 / 2 fair", "3 好 / 3 good", "4 很好 / 4 very good"],
            "title": "满意度 / Satisfaction",
        },
    },
    "required": ["signature", "rating"],
    "additionalProperties": False,
}
CUSTOMER_STEP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs_sign" targetNamespace="http://x">
  <bpmn:collaboration id="collab_sign">
    <bpmn:participant id="participant_sign" name="客户签字 / Customer signs" processRef="customer_signs"/>
  </bpmn:collaboration>
  <bpmn:process id="customer_signs" name="客户签字 / Customer signs" isExecutable="true">
    <bpmn:laneSet id="lanes_sign">
      <bpmn:lane id="lane_cs_agent" name="客服 / Agent">
        <bpmn:flowNodeRef>begin</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>record_contact</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>close_case</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>finish</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_customer" name="客户 / Customer">
        <bpmn:flowNodeRef>customer_sign</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="begin" name="开始 / Begin"><bpmn:outgoing>s1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="record_contact" name="记录联系方式 / Record the contact">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="forms/customer_contact.json"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>s1</bpmn:incoming><bpmn:outgoing>s2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="customer_sign" name="客户签字评价 / Sign and rate">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="forms/customer_sign.json"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>s2</bpmn:incoming><bpmn:outgoing>s3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="close_case" name="结案 / Close">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="forms/do_it.json"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>s3</bpmn:incoming><bpmn:outgoing>s4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="finish" name="结束 / Finish"><bpmn:incoming>s4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="s1" sourceRef="begin" targetRef="record_contact"/>
    <bpmn:sequenceFlow id="s2" sourceRef="record_contact" targetRef="customer_sign"/>
    <bpmn:sequenceFlow id="s3" sourceRef="customer_sign" targetRef="close_case"/>
    <bpmn:sequenceFlow id="s4" sourceRef="close_case" targetRef="finish"/>
  </bpmn:process>
</bpmn:definitions>
"""
FORMS = {
    "forms/do_it.json": FORM,
    "forms/begin.json": START_FORM,
    "forms/customer_contact.json": CONTACT_FORM,
    "forms/customer_sign.json": CUSTOMER_SIGN_FORM,
}


def write_tiny(directory, xml: str = TINY, name: str = "tiny.bpmn") -> None:
    (directory / "forms").mkdir(parents=True, exist_ok=True)
    for path, form in FORMS.items():
        (directory / path).write_text(json.dumps(form))
    (directory / name).write_text(xml, encoding="utf-8")


def read_form(path: str) -> bytes:
    if path in FORMS:
        return json.dumps(FORMS[path]).encode()
    raise FileNotFoundError(path)
