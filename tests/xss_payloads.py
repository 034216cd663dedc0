"""A diagram and a form that try to run script in the staff's browsers (stored XSS): markup in every
string of the form a page shows, json-editor's own hooks (input attributes, links, header templates,
object enums), XHTML ``<script>`` in the diagram's XML, and markup in case data. Each payload that ran
would add its name to ``window.__xss`` and set ``document.title`` to ``XSS``."""

from __future__ import annotations

import json
from pathlib import Path

KEY = "xss"
FORM_PATH = f"forms/{KEY}/fill.json"
START_FORM_PATH = f"forms/{KEY}/start.json"


def run(name: str) -> str:
    """JavaScript that marks the page as attacked by ``name``."""
    return f"window.__xss=(window.__xss||[]).concat('{name}');document.title='XSS'"


def img(name: str) -> str:
    return f'<img src=x onerror="{run(name)}">'


def script(name: str) -> str:
    return f"<script>{run(name)}</script>"


FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": f"{img('form title')}填写 / Fill in",
    "description": f"{script('form description script')}{img('form description')}说明 / Notes",
    "properties": {
        "note": {
            "type": "string",
            "title": f"{img('property title')}备注 / Note",
            "description": f"{img('property description')}{script('property description script')}",
            "maxLength": 200,
        },
        "choice": {
            "type": "string",
            "title": "选择 / Choice",
            "enum": ["a", "b"],
            "enumNames": [f"{img('enum title')}甲 / A", "乙 / B"],
        },
        "pick": {
            "type": "string",
            "title": "挑选 / Pick",
            "oneOf": [{"const": "x", "title": f"{img('oneOf title')}X"}, {"const": "y", "title": "Y"}],
        },
        "greeting": {"type": "string", "title": "问候 / Greeting", "default": img("default value")},
        "focused": {
            "type": "string",
            "title": "焦点 / Focus",
            "options": {"inputAttributes": {"onfocus": run("inputAttributes"), "autofocus": "autofocus"}},
        },
        "linked": {
            "type": "string",
            "title": "链接 / Link",
            "links": [{"rel": "open", "href": f"javascript:{run('links')}"}],
            "media": {"binaryEncoding": "base64", "type": "image/png"},
        },
        "shape": {
            "type": "object",
            "title": "形状 / Shape",
            "enum": [{img("object enum key"): 1}],
        },
        "lines": {
            "type": "array",
            "title": f"{img('array title')}明细 / Lines",
            "headerTemplate": img("headerTemplate"),
            "items": {
                "type": "object",
                "title": f"{img('item title')}行 / Line",
                "headerTemplate": "{{ self.text }}",
                "properties": {"text": {"type": "string", "title": f"{img('item property title')}文字 / Text"}},
            },
        },
    },
    "additionalProperties": False,
}

# What a user typed into an earlier form (it is shown again as the start value of this one).
CASE_DATA = {"note": img("case data value"), "lines": [{"text": img("case data row")}]}
# What the case may be opened with: the hostile values arrive as start data a user typed.
START_FORM = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "note": {"type": "string"},
        "lines": {"type": "array", "items": {"type": "object", "properties": {"text": {"type": "string"}}}},
    },
}

XHTML = 'xmlns:html="http://www.w3.org/1999/xhtml"'
ESCAPED_INSTRUCTIONS = img("instructions").replace("<", "&lt;").replace('"', "&quot;")
DIAGRAM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs_xss" targetNamespace="http://x">
  <bpmn:process id="{KEY}" name="跨站 / Cross-site" isExecutable="true">
    <bpmn:documentation><html:script {XHTML}>{run("documentation script")}</html:script></bpmn:documentation>
    <bpmn:laneSet id="lanes_xss">
      <bpmn:lane id="lane_cs_agent" name="客服 / Agent">
        <bpmn:flowNodeRef>begin</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>fill</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>finish</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="begin" name="开始 / Begin">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="{START_FORM_PATH}"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="fill" name="填写 &lt;b&gt;表单&lt;/b&gt; / Fill in">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="{FORM_PATH}"/>
        </spiffworkflow:properties>
        <spiffworkflow:instructionsForEndUser>{ESCAPED_INSTRUCTIONS}</spiffworkflow:instructionsForEndUser>
        <html:script {XHTML}>{run("extensionElements script")}</html:script>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="finish" name="结束 / Finish"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="fill"/>
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="finish"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_xss">
    <bpmndi:BPMNPlane id="plane_xss" bpmnElement="{KEY}">
      <bpmndi:BPMNShape id="begin_di" bpmnElement="begin">
        <dc:Bounds x="100" y="100" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="fill_di" bpmnElement="fill">
        <dc:Bounds x="200" y="78" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="finish_di" bpmnElement="finish">
        <dc:Bounds x="370" y="100" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1">
        <di:waypoint x="136" y="118"/><di:waypoint x="200" y="118"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2">
        <di:waypoint x="300" y="118"/><di:waypoint x="370" y="118"/></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def write(directory: Path) -> Path:
    """The hostile diagram and its form as files of a processes folder."""
    (directory / "forms" / KEY).mkdir(parents=True, exist_ok=True)
    (directory / FORM_PATH).write_text(json.dumps(FORM, ensure_ascii=False), encoding="utf-8")
    (directory / START_FORM_PATH).write_text(json.dumps(START_FORM), encoding="utf-8")
    (directory / f"{KEY}.bpmn").write_text(DIAGRAM, encoding="utf-8")
    return directory
