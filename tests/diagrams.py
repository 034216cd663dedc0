"""A tiny valid diagram for loader and engine tests, and ways to break it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field

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


@dataclass(frozen=True)
class Step:
    """A user task of :func:`sequence`: its id, "中文 / English" name, lane id, form and other properties."""

    id: str
    name: str
    lane: str
    form: str | None = None  # formJsonSchemaFilename
    properties: dict[str, str] = field(default_factory=dict)


def sequence(
    process_id: str, name: str, lanes: dict[str, str], steps: list[Step], *, collaboration: bool = True
) -> str:
    """A diagram of one process (with ``collaboration``, the participant of one): begin, the user tasks one
    after the other, finish. ``lanes`` gives each lane id its name; begin and finish are in the first
    step's lane. No layout (DI): the loader and the workbench's auto-layout do without."""
    members = {lane: [s.id for s in steps if s.lane == lane] for lane in lanes}
    members[steps[0].lane] = ["begin", *members[steps[0].lane], "finish"]
    lane_xml = "".join(
        f'<bpmn:lane id="{lane}" name="{lane_name}">'
        + "".join(f"<bpmn:flowNodeRef>{m}</bpmn:flowNodeRef>" for m in members[lane])
        + "</bpmn:lane>"
        for lane, lane_name in lanes.items()
    )
    ids = ["begin", *(s.id for s in steps), "finish"]
    flows = [(f"flow_{i}", source, target) for i, (source, target) in enumerate(zip(ids, ids[1:], strict=False))]
    tasks = []
    for i, step in enumerate(steps):
        properties = {**({"formJsonSchemaFilename": step.form} if step.form else {}), **step.properties}
        extension = "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in properties.items())
        tasks.append(
            f'<bpmn:userTask id="{step.id}" name="{step.name}">'
            + (f"<bpmn:extensionElements><spiffworkflow:properties>{extension}</spiffworkflow:properties>"
               "</bpmn:extensionElements>" if extension else "")
            + f"<bpmn:incoming>flow_{i}</bpmn:incoming><bpmn:outgoing>flow_{i + 1}</bpmn:outgoing></bpmn:userTask>"
        )  # fmt: skip
    participant = (
        f'<bpmn:collaboration id="collab_{process_id}"><bpmn:participant id="participant_{process_id}" '
        f'name="{name}" processRef="{process_id}"/></bpmn:collaboration>'
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs_{process_id}" targetNamespace="http://x">
  {participant if collaboration else ""}
  <bpmn:process id="{process_id}" name="{name}" isExecutable="true">
    <bpmn:laneSet id="lanes_{process_id}">{lane_xml}</bpmn:laneSet>
    <bpmn:startEvent id="begin" name="开始 / Begin"><bpmn:outgoing>flow_0</bpmn:outgoing></bpmn:startEvent>
    {"".join(tasks)}
    <bpmn:endEvent id="finish" name="结束 / Finish"><bpmn:incoming>flow_{len(steps)}</bpmn:incoming></bpmn:endEvent>
    {"".join(f'<bpmn:sequenceFlow id="{f}" sourceRef="{a}" targetRef="{b}"/>' for f, a, b in flows)}
  </bpmn:process>
</bpmn:definitions>
"""


def acceptance(accept: dict[str, str]) -> str:
    """A technician commissions a unit, then accepts it (the acceptance step with the properties ``accept``)."""
    return sequence(
        "acceptance",
        "安装验收 / Acceptance",
        {"lane_technician": "服务工程师 / Technician"},
        [
            Step("commission", "调试 / Commission", "lane_technician"),
            Step("accept", "验收 / Acceptance", "lane_technician", properties=accept),
        ],
        collaboration=False,
    )


CUSTOMER_STEP = sequence(
    "customer_signs",
    "客户签字 / Customer signs",
    {"lane_cs_agent": "客服 / Agent", "lane_customer": "客户 / Customer"},
    [
        Step("record_contact", "记录联系方式 / Record the contact", "lane_cs_agent", "forms/customer_contact.json"),
        Step("customer_sign", "客户签字评价 / Sign and rate", "lane_customer", "forms/customer_sign.json"),
        Step("close_case", "结案 / Close", "lane_cs_agent", "forms/do_it.json"),
    ],
)
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
