"""Diagrams are validated before deployment: bad ones are refused whole, with a precise reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine import load_definition
from app.engine import load_directory
from app.errors import DiagramError
from tests.diagrams import FORM
from tests.diagrams import TINY
from tests.diagrams import read_form
from tests.diagrams import write_tiny


def problems_of(xml: str, filename: str = "tiny.bpmn") -> list:
    with pytest.raises(DiagramError) as info:
        load_definition(filename, xml.encode(), read_form)
    return info.value.problems


def warnings_of(xml: str, filename: str = "tiny.bpmn") -> list:
    """The warnings of a diagram that deploys; a strict load refuses it with the same rows."""
    warnings = list(load_definition(filename, xml.encode(), read_form).warnings)
    with pytest.raises(DiagramError) as info:
        load_definition(filename, xml.encode(), read_form, strict=True)
    assert [p.reason for p in info.value.problems] == [p.reason for p in warnings]
    return warnings


def test_a_valid_diagram_loads_with_its_lanes_forms_and_timers():
    definition = load_definition("tiny.bpmn", TINY.encode(), read_form)
    assert definition.key == "tiny"
    do_it = definition.elements["do_it"]
    assert (do_it.role, do_it.form, do_it.name) == ("cs_agent", "forms/do_it.json", "做事 / Do it")
    late = definition.elements["late"]
    assert (late.attached_to, late.cancel_activity, late.timer, late.timer_kind, late.clause) == (
        "do_it",
        False,
        '"PT24H"',
        "escalation",
        "D-01",
    )
    assert definition.elements["chase"].role == "supervisor"
    assert definition.form_of("do_it")["required"] == ["ok"]


def test_not_well_formed_xml_names_the_line():
    [problem] = problems_of(TINY.replace("</bpmn:scriptTask>", "</bpmn:scriptTsk>"))
    assert problem.line is not None and "not well-formed" in problem.reason


def test_a_missing_target_is_refused_by_the_schema_with_its_line():
    [problem] = problems_of(TINY.replace(' targetRef="finish"', ""))
    assert "targetRef" in problem.reason and problem.line is not None


def test_entity_expansion_is_refused():
    bomb = TINY.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
    )
    [problem] = problems_of(bomb.replace('小流程 / Tiny" isExecutable', '&b;" isExecutable'))
    assert "entity" in problem.reason.lower() or "DTD" in problem.reason


def test_a_huge_file_is_refused_before_parsing():
    [problem] = problems_of(TINY.replace("</bpmn:definitions>", "<!--" + "x" * 3_000_000 + "--></bpmn:definitions>"))
    assert "limit" in problem.reason


def test_an_import_in_a_script_is_refused_at_deploy():
    problems = problems_of(TINY.replace('result = "yes" if ok else "no"', "import os\nresult = os.getpid()"))
    assert [(p.element_id, "sandbox" in p.reason) for p in problems] == [("compute", True)]


def test_a_dunder_escape_in_a_script_is_refused_at_deploy():
    escape = "x = ().__class__.__base__.__subclasses__()"
    [problem] = problems_of(TINY.replace('result = "yes" if ok else "no"', escape))
    assert problem.element_id == "compute" and "__class__" in problem.reason


@pytest.mark.parametrize("value", ["PT24H", " P7D ", "P1W", "2027-01-31T09:00:00", "2027-01-31T09:00:00+08:00"])
def test_an_unquoted_iso_timer_value_deploys_as_the_literal(value):
    definition = load_definition("tiny.bpmn", TINY.replace('"PT24H"', value).encode(), read_form)
    assert definition.warnings == ()


@pytest.mark.parametrize("value", ["P3X", "PT", "R6/P1X", "2027-13-01T09:00:00"])
def test_a_timer_value_neither_iso_nor_an_expression_is_refused(value):
    [problem] = problems_of(TINY.replace('"PT24H"', value))
    assert problem.element_id == "late" and "neither a valid ISO 8601 value" in problem.reason
    assert problem.rule == "timer-iso8601"


def test_a_bad_iso_duration_is_refused():
    [problem] = problems_of(TINY.replace('"PT24H"', '"P3X"'))
    assert problem.element_id == "late" and "ISO 8601" in problem.reason


def test_a_lane_that_names_no_role_is_a_warning():
    problems = warnings_of(TINY.replace('id="lane_supervisor"', 'id="lane_janitor"'))
    assert any("lane_janitor" in p.reason for p in problems)


def test_an_unnamed_element_is_a_warning_and_a_reserved_id_is_refused():
    xml = TINY.replace('name="计算 / Compute"', "").replace('"finish"', '"End"').replace(">finish<", ">End<")
    found = {p.element_id: (p.severity.value, p.reason) for p in problems_of(xml)}
    assert found["compute"][0] == "warning" and "no name" in found["compute"][1]
    assert found["End"][0] == "error" and "collides" in found["End"][1]


def test_a_missing_form_file_is_refused():
    problems = problems_of(TINY.replace("forms/do_it.json", "forms/nowhere.json"))
    assert {p.element_id for p in problems} == {"do_it", "chase"}
    assert all("not found" in p.reason for p in problems)


def test_the_key_is_the_process_id_and_another_file_name_is_a_warning():
    assert load_definition("other.bpmn", TINY.encode(), read_form).key == "tiny"
    [problem] = warnings_of(TINY, filename="other.bpmn")
    assert "should equal the file name" in problem.reason


def test_one_bad_file_refuses_the_whole_directory(tmp_path):
    write_tiny(tmp_path)
    write_tiny(
        tmp_path,
        TINY.replace('id="tiny"', 'id="broken"')
        .replace('processRef="tiny"', 'processRef="broken"')
        .replace('"PT24H"', '"P3X"'),
        name="broken.bpmn",
    )
    with pytest.raises(DiagramError) as info:
        load_directory(tmp_path)
    assert [p.file for p in info.value.problems] == ["broken.bpmn"]
    assert "broken.bpmn:" in str(info.value)


def test_an_unconnected_task_is_a_warning():
    xml = TINY.replace(
        "<bpmn:flowNodeRef>finish</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>finish</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>orphan</bpmn:flowNodeRef>",
    ).replace(
        '<bpmn:endEvent id="finish"',
        '<bpmn:manualTask id="orphan" name="孤立 / Orphan"/>\n    <bpmn:endEvent id="finish"',
    )
    reasons = sorted(p.reason for p in warnings_of(xml) if p.element_id == "orphan")
    assert reasons == [
        "manualTask has no incoming flow, so it can never be reached",
        "manualTask has no outgoing flow, so the case would stop there",
    ]


def test_an_island_of_tasks_that_only_lead_to_each_other_is_a_warning():
    island = (
        '<bpmn:manualTask id="ping" name="甲 / Ping"><bpmn:incoming>i2</bpmn:incoming>'
        "<bpmn:outgoing>i1</bpmn:outgoing></bpmn:manualTask>\n"
        '    <bpmn:manualTask id="pong" name="乙 / Pong"><bpmn:incoming>i1</bpmn:incoming>'
        "<bpmn:outgoing>i2</bpmn:outgoing></bpmn:manualTask>\n"
        '    <bpmn:sequenceFlow id="i1" sourceRef="ping" targetRef="pong"/>\n'
        '    <bpmn:sequenceFlow id="i2" sourceRef="pong" targetRef="ping"/>\n'
    )
    xml = TINY.replace(
        "<bpmn:flowNodeRef>finish</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>finish</bpmn:flowNodeRef><bpmn:flowNodeRef>ping</bpmn:flowNodeRef>"
        "<bpmn:flowNodeRef>pong</bpmn:flowNodeRef>",
    ).replace('    <bpmn:endEvent id="finish"', island + '    <bpmn:endEvent id="finish"')
    [island_problem] = warnings_of(xml)  # one problem for the island, on the element leading to the rest
    assert (island_problem.element_id, island_problem.folded) == ("ping", ("pong",))
    assert island_problem.reason == (
        "manualTask cannot be reached from a start event, nor 1 element(s) it leads to (no flow enters them)"
    )


def test_a_loop_without_a_way_out_is_a_warning():
    xml = TINY.replace(
        '<bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="finish"/>',
        '<bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="do_it"/>',
    )
    problems = {p.element_id: p for p in warnings_of(xml)}
    assert problems.pop("finish").reason == "endEvent has no incoming flow, so it can never be reached"
    [(stuck, loop)] = problems.items()  # the loop is one problem, on the element the others lead to
    assert (stuck, sorted(loop.folded)) == ("do_it", ["begin", "compute"])
    assert loop.reason == (
        "userTask has no path to an end event, nor 2 element(s) leading to it (a loop without a way out?)"
    )


def test_the_projects_own_processes_keep_every_house_convention():
    """CI deploys processes/ strictly: a broken convention there is an error, not advice."""
    definitions = load_directory(Path(__file__).resolve().parents[2] / "processes", strict=True)
    assert definitions and all(d.warnings == () for d in definitions)


def test_a_script_task_without_a_script_or_in_another_language_is_refused():
    empty = TINY.replace('<bpmn:script>result = "yes" if ok else "no"</bpmn:script>', "")
    [problem] = problems_of(empty)
    assert (problem.element_id, problem.rule) == ("compute", "script-task-has-script")
    assert "has no script" in problem.reason
    js = TINY.replace('<bpmn:scriptTask id="compute"', '<bpmn:scriptTask id="compute" scriptFormat="javascript"')
    assert "'javascript'; scripts here are Python" in problems_of(js)[0].reason


def test_a_juel_expression_is_refused_with_a_python_hint():
    [problem] = problems_of(TINY.replace('"PT24H"', "${dueDate}"))
    assert problem.element_id == "late" and "JUEL expression (Camunda); write it in Python" in problem.reason


def test_a_process_calling_itself_is_refused_before_it_could_hang_a_worker():
    xml = TINY.replace(
        '<bpmn:scriptTask id="compute" name="计算 / Compute">',
        '<bpmn:callActivity id="compute" name="计算 / Compute" calledElement="tiny">',
    ).replace(
        '<bpmn:script>result = "yes" if ok else "no"</bpmn:script>\n    </bpmn:scriptTask>', "</bpmn:callActivity>"
    )
    [problem] = problems_of(xml)
    assert problem.rule == "call-not-recursive" and "endless recursion" in problem.reason


def test_spiffworkflows_messages_are_said_plainly():
    from app.engine.spiff_messages import plain

    assert "names no operator" in plain("A Service Task must have an operator.")
    assert plain("Cannot resolve dataOutputAssociation <Element x at 0x7eff12>").startswith("a data association")
    assert "0x" not in plain("Something <Element y at 0x7eff12> went wrong")
    assert "<bpmn" not in plain("Unknown thing: b'<bpmn:boundaryEvent id=\"x\"/>'")


CALLER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs_caller"
    targetNamespace="http://example.com/caller">
  <bpmn:process id="caller" name="调用 / Caller" isExecutable="true">
    <bpmn:startEvent id="go" name="开始 / Go"><bpmn:outgoing>c1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:callActivity id="call_tiny" name="小流程 / Tiny" calledElement="tiny">
      <bpmn:incoming>c1</bpmn:incoming><bpmn:outgoing>c2</bpmn:outgoing>
    </bpmn:callActivity>
    <bpmn:endEvent id="stop" name="结束 / Stop"><bpmn:incoming>c2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="c1" sourceRef="go" targetRef="call_tiny"/>
    <bpmn:sequenceFlow id="c2" sourceRef="call_tiny" targetRef="stop"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_call_activity_into_another_file_of_the_set_takes_its_tasks_with_their_roles_and_forms(tmp_path):
    write_tiny(tmp_path)
    (tmp_path / "caller.bpmn").write_text(CALLER, encoding="utf-8")
    caller = next(d for d in load_directory(tmp_path) if d.key == "caller")
    assert list(caller.calls) == ["tiny.bpmn"]
    do_it = caller.element("do_it")
    assert (do_it.role, do_it.in_subprocess, caller.form_of("do_it")["title"]) == ("cs_agent", True, FORM["title"])


def test_a_call_activity_into_a_file_neither_in_the_set_nor_deployed_is_refused(tmp_path):
    (tmp_path / "caller.bpmn").write_text(CALLER, encoding="utf-8")
    with pytest.raises(DiagramError) as info:
        load_directory(tmp_path)
    assert any(
        "calls process 'tiny', which is neither in this file nor deployed" in p.reason for p in info.value.problems
    )
