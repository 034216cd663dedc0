"""Diagrams drawn in other modelers: Camunda form fields become a JSON Schema form, a user task
without any form gets a generic completion form, and Camunda groups or lane names give roles."""

from __future__ import annotations

from app.engine import load_definition
from tests.diagrams import TINY
from tests.diagrams import read_form

CAMUNDA_NS = 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs_tiny"'
FORM_LINE = '<spiffworkflow:property name="formJsonSchemaFilename" value="forms/do_it.json"/>'
FIELDS = (
    "<camunda:formData>"
    '<camunda:formField id="amount" label="Amount" type="long" defaultValue="3">'
    '<camunda:validation><camunda:constraint name="required"/></camunda:validation></camunda:formField>'
    '<camunda:formField id="approved" label="Approved?" type="boolean"/>'
    '<camunda:formField id="level" label="Level" type="enum">'
    '<camunda:value id="low" name="Low"/><camunda:value id="high" name="High"/></camunda:formField>'
    '<camunda:formField id="when" type="date" defaultValue="${now()}"/>'
    "</camunda:formData>"
)


def camunda(xml: str) -> str:
    return xml.replace('id="defs_tiny"', CAMUNDA_NS, 1)


def test_camunda_form_fields_become_a_json_schema_form():
    xml = camunda(TINY.replace(FORM_LINE, "", 1).replace("<spiffworkflow:properties>", FIELDS, 1))
    xml = xml.replace("</spiffworkflow:properties>", "", 1)
    definition = load_definition("tiny.bpmn", xml.encode(), read_form)
    form = definition.form_of("do_it")
    assert form["required"] == ["amount"]
    assert form["properties"]["amount"] == {"type": "integer", "title": "Amount", "default": 3}
    assert form["properties"]["approved"] == {"type": "boolean", "title": "Approved?"}
    assert form["properties"]["level"]["enum"] == ["low", "high"]
    assert form["properties"]["when"] == {"type": "string", "format": "date", "title": "when"}  # JUEL default dropped
    [warning] = [w for w in definition.warnings if w.rule == "user-task-form"]
    assert warning.element_id == "do_it" and "Camunda form fields are used" in warning.reason


def test_a_user_task_without_a_form_gets_a_generic_completion_form():
    definition = load_definition("tiny.bpmn", TINY.replace(FORM_LINE, "", 1).encode(), read_form)
    form = definition.form_of("do_it")
    assert form["title"] == "做事 / Do it" and list(form["properties"]) == ["comment"]
    assert form["additionalProperties"] is False
    assert any("generic completion form" in w.reason for w in definition.warnings)


def test_camunda_candidate_groups_and_lane_names_give_roles():
    xml = camunda(TINY).replace('id="lane_supervisor" name="主管 / Supervisor"', 'id="Lane_1" name="Supervisor"')
    xml = xml.replace('<bpmn:userTask id="do_it"', '<bpmn:userTask id="do_it" camunda:candidateGroups="accounting, QA"')
    xml = xml.replace('id="lane_cs_agent"', 'id="Lane_0"')
    definition = load_definition("tiny.bpmn", xml.encode(), read_form)
    assert definition.elements["do_it"].role == "qa"  # the first group that names a role
    assert definition.elements["chase"].role == "supervisor"
    assert {w.rule for w in definition.warnings} == {"lane-names-role"}


def test_a_user_task_whose_role_nothing_names_is_worked_only_by_an_administrator():
    xml = TINY.replace('id="lane_supervisor"', 'id="Lane_1"')
    definition = load_definition("tiny.bpmn", xml.encode(), read_form)
    assert definition.elements["chase"].role is None
    [warning] = [w for w in definition.warnings if w.rule == "user-task-in-role-lane"]
    assert warning.element_id == "chase" and "only an administrator" in warning.reason


def test_a_collaboration_deploys_each_executable_process_under_its_id():
    from pathlib import Path

    from app.engine import load_definitions

    xml = (Path(__file__).resolve().parents[1] / "interop" / "spiff-correlation.bpmn").read_bytes()
    definitions = load_definitions("spiff-correlation.bpmn", xml, read_form)
    assert [d.key for d in definitions] == ["proc_1", "proc_2"]
    assert len({d.content_hash for d in definitions}) == 2  # the same file, two versions' worth
