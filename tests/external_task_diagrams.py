"""Small diagrams with service tasks done by outside workers (engine/external_tasks.py)."""

from __future__ import annotations

from tests.diagrams import with_start_form

INVOICING = with_start_form("""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs_invoicing" targetNamespace="http://x">
  <bpmn:collaboration id="collab_invoicing">
    <bpmn:participant id="participant_invoicing" name="开票 / Invoicing" processRef="invoicing"/>
  </bpmn:collaboration>
  <bpmn:process id="invoicing" name="开票 / Invoicing" isExecutable="true">
    <bpmn:laneSet id="lanes_invoicing">
      <bpmn:lane id="lane_finance" name="财务 / Finance">
        <bpmn:flowNodeRef>begin</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>issue_invoice</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>no_customer</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>fix_customer</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>invoiced</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>fixed</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="begin" name="开始 / Begin"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="issue_invoice" name="开发票 / Issue invoice">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="topic" value="erp_invoice"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="no_customer" name="无此客户 / No such customer" attachedToRef="issue_invoice">
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:errorEventDefinition id="no_customer_def" errorRef="err_no_customer"/>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="fix_customer" name="核对客户 / Check the customer">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="forms/do_it.json"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="invoiced" name="已开票 / Invoiced"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="fixed" name="已核对 / Checked"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="issue_invoice"/>
    <bpmn:sequenceFlow id="f2" sourceRef="issue_invoice" targetRef="invoiced"/>
    <bpmn:sequenceFlow id="f3" sourceRef="no_customer" targetRef="fix_customer"/>
    <bpmn:sequenceFlow id="f4" sourceRef="fix_customer" targetRef="fixed"/>
  </bpmn:process>
  <bpmn:error id="err_no_customer" name="no_customer" errorCode="NO_CUSTOMER"/>
</bpmn:definitions>
""")

# The same service task (started with a note: forms/begin.json) as Camunda Modeler writes it.
CAMUNDA_INVOICING = INVOICING.replace(
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"',
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
).replace(
    """<bpmn:serviceTask id="issue_invoice" name="开发票 / Issue invoice">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="topic" value="erp_invoice"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>""",
    '<bpmn:serviceTask id="issue_invoice" name="开发票 / Issue invoice"'
    ' camunda:type="external" camunda:topic="erp_invoice">',
)
