"""The validation rules are a table: stable unique ids, and each rule names the problems it finds."""

from __future__ import annotations

import json
import re

import pytest

from app.engine import load_definition
from app.engine.rules import RULES
from app.engine.rules import RuleKind
from app.errors import DiagramError
from app.errors import Severity
from tests.diagrams import FORM
from tests.diagrams import FORMS
from tests.diagrams import START_FORM
from tests.diagrams import TINY
from tests.diagrams import TINY_STARTING
from tests.diagrams import read_form

LANE_END = "<bpmn:flowNodeRef>finish</bpmn:flowNodeRef>"
BEFORE_END = '    <bpmn:endEvent id="finish"'


def in_lane(xml: str, *ids: str) -> str:
    """``xml`` with the elements ``ids`` listed in the agent's lane."""
    return xml.replace(LANE_END, LANE_END + "".join(f"<bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i in ids))


def with_nodes(xml: str, nodes: str, *ids: str) -> str:
    """``xml`` with ``nodes`` (elements and flows) added to the process, the new elements in a lane."""
    return in_lane(xml.replace(BEFORE_END, f"    {nodes}\n{BEFORE_END}"), *ids)


def via(xml: str, new_target: str) -> str:
    """``xml`` whose flow out of ``compute`` leads to ``new_target`` instead of the end."""
    return xml.replace(
        'id="f3" sourceRef="compute" targetRef="finish"', f'id="f3" sourceRef="compute" targetRef="{new_target}"'
    )


def reader(**forms: dict) -> object:
    """A form reader with the tiny forms, some replaced by ``forms`` (keyword = file stem)."""
    table = {**FORMS, **{f"forms/{stem}.json": form for stem, form in forms.items()}}

    def read(path: str) -> bytes:
        if path in table:
            return json.dumps(table[path]).encode()
        raise FileNotFoundError(path)

    return read


PARALLEL_SPIN = (
    '<bpmn:parallelGateway id="fork" name="分 / Fork"><bpmn:incoming>f3</bpmn:incoming>'
    "<bpmn:outgoing>g1</bpmn:outgoing><bpmn:outgoing>g2</bpmn:outgoing></bpmn:parallelGateway>"
    '<bpmn:manualTask id="spin" name="转 / Spin"><bpmn:incoming>g2</bpmn:incoming><bpmn:incoming>g3</bpmn:incoming>'
    "<bpmn:outgoing>g3</bpmn:outgoing></bpmn:manualTask>"
    '<bpmn:sequenceFlow id="g1" sourceRef="fork" targetRef="finish"/>'
    '<bpmn:sequenceFlow id="g2" sourceRef="fork" targetRef="spin"/>'
    '<bpmn:sequenceFlow id="g3" sourceRef="spin" targetRef="spin"/>'
)
CHOICE = (
    '<bpmn:exclusiveGateway id="choose" name="选 / Choose"><bpmn:incoming>f3</bpmn:incoming>'
    "<bpmn:outgoing>g1</bpmn:outgoing><bpmn:outgoing>g2</bpmn:outgoing></bpmn:exclusiveGateway>"
    '<bpmn:endEvent id="other_end" name="另 / Other"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>'
    '<bpmn:sequenceFlow id="g1" sourceRef="choose" targetRef="finish">'
    '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">ok</bpmn:conditionExpression></bpmn:sequenceFlow>'
    '<bpmn:sequenceFlow id="g2" sourceRef="choose" targetRef="other_end">'
    '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">not ok</bpmn:conditionExpression></bpmn:sequenceFlow>'
)
ISLAND = (
    '<bpmn:manualTask id="ping" name="甲 / Ping"><bpmn:incoming>i2</bpmn:incoming>'
    "<bpmn:outgoing>i1</bpmn:outgoing></bpmn:manualTask>"
    '<bpmn:manualTask id="pong" name="乙 / Pong"><bpmn:incoming>i1</bpmn:incoming>'
    "<bpmn:outgoing>i2</bpmn:outgoing></bpmn:manualTask>"
    '<bpmn:sequenceFlow id="i1" sourceRef="ping" targetRef="pong"/>'
    '<bpmn:sequenceFlow id="i2" sourceRef="pong" targetRef="ping"/>'
)
FORM_PROPERTY_LINE = '<spiffworkflow:property name="formJsonSchemaFilename" value="forms/do_it.json"/>'

# Rule id -> (file name, diagram, form reader) of a diagram that breaks that rule and no other.
BROKEN = {
    # the project's conventions: every one of them
    "process-id-is-file-name": ("other.bpmn", TINY, read_form),
    "lane-names-role": (
        "tiny.bpmn",
        TINY.replace("</bpmn:laneSet>", '<bpmn:lane id="lane_janitor" name="保洁 / Janitor"/></bpmn:laneSet>'),
        read_form,
    ),
    "element-named": ("tiny.bpmn", TINY.replace('name="计算 / Compute"', ""), read_form),
    "element-in-one-lane": ("tiny.bpmn", TINY.replace("<bpmn:flowNodeRef>compute</bpmn:flowNodeRef>", ""), read_form),
    "user-task-form": ("tiny.bpmn", TINY.replace(FORM_PROPERTY_LINE, "", 1), read_form),
    "flow-incoming": (
        "tiny.bpmn",
        with_nodes(TINY, '<bpmn:endEvent id="spare" name="备 / Spare"/>', "spare"),
        read_form,
    ),
    "flow-outgoing": (
        "tiny.bpmn",
        with_nodes(TINY, '<bpmn:startEvent id="begin2" name="又 / Again"/>', "begin2"),
        read_form,
    ),
    "reachable-from-start": ("tiny.bpmn", with_nodes(TINY, ISLAND, "ping", "pong"), read_form),
    "path-to-end": ("tiny.bpmn", with_nodes(via(TINY, "fork"), PARALLEL_SPIN, "fork", "spin"), read_form),
    "gateway-default-flow": ("tiny.bpmn", with_nodes(via(TINY, "choose"), CHOICE, "choose", "other_end"), read_form),
    "user-task-in-role-lane": ("tiny.bpmn", re.sub(r"<bpmn:laneSet.*</bpmn:laneSet>", "", TINY, flags=re.S), read_form),
    # engine limits: a handful
    "an-executable-process": ("tiny.bpmn", TINY.replace('isExecutable="true"', 'isExecutable="false"'), read_form),
    "unsupported-construct": (
        "tiny.bpmn",
        with_nodes(
            TINY,
            '<bpmn:intermediateThrowEvent id="jump" name="跳 / Jump">'
            '<bpmn:linkEventDefinition id="jump_link" name="there"/></bpmn:intermediateThrowEvent>',
            "jump",
        ),
        read_form,
    ),
    "spiffworkflow-parses": ("tiny.bpmn", TINY.replace(' targetRef="finish"', ""), read_form),
    "element-id-not-reserved": (
        "tiny.bpmn",
        TINY.replace('"finish"', '"End"').replace(">finish<", ">End<"),
        read_form,
    ),
    "form-valid": ("tiny.bpmn", TINY.replace("forms/do_it.json", "forms/nowhere.json"), read_form),
    "same-performer-known": (
        "tiny.bpmn",
        TINY.replace(
            '<spiffworkflow:property name="formJsonSchemaFilename" value="forms/do_it.json"/>\n'
            "        </spiffworkflow:properties>\n      </bpmn:extensionElements>\n      <bpmn:incoming>f4",
            '<spiffworkflow:property name="formJsonSchemaFilename" value="forms/do_it.json"/>'
            '<spiffworkflow:property name="same_performer_as" value="do_that"/>'
            "\n        </spiffworkflow:properties>\n      </bpmn:extensionElements>\n      <bpmn:incoming>f4",
        ),
        read_form,
    ),
    "no-active-content": (
        "tiny.bpmn",
        TINY.replace("?>\n", '?>\n<?xml-stylesheet type="text/xsl" href="show.xsl"?>\n', 1),
        read_form,
    ),
    "form-plain-text": ("tiny.bpmn", TINY, reader(do_it={**FORM, "title": "<b>做 / Do</b>"})),
    "form-field-keywords": (
        "tiny.bpmn",
        TINY,
        reader(do_it={**FORM, "properties": {"ok": {**FORM["properties"]["ok"], "x-visible-if": {"okay": True}}}}),
    ),
    "start-form-closed": (
        "tiny.bpmn",
        TINY_STARTING,
        reader(begin={k: v for k, v in START_FORM.items() if k != "additionalProperties"}),
    ),
    "script-sandbox": ("tiny.bpmn", TINY.replace('result = "yes" if ok else "no"', "import os"), read_form),
    "timer-iso8601": ("tiny.bpmn", TINY.replace('"PT24H"', '"P3X"'), read_form),
    "helper-call": ("tiny.bpmn", TINY.replace('"PT24H"', "add_workingdays(now(), 2)"), read_form),
    "name-defined": ("tiny.bpmn", TINY.replace('if ok else "no"', 'if okay else "no"'), read_form),
}


def refusal(filename: str, xml: str, read, *, strict: bool = True) -> DiagramError:
    with pytest.raises(DiagramError) as info:
        load_definition(filename, xml.encode(), read, strict=strict)
    return info.value


KIND = {rule.id: rule.kind for rule in RULES}


def test_every_rule_id_is_unique_and_kebab_case():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i)] == []


def test_the_stopping_rules_run_before_all_others():
    stops = [rule.stops for rule in RULES]
    assert stops == sorted(stops, reverse=True) and any(stops)


def test_each_convention_rule_has_a_diagram_that_breaks_it_here():
    conventions = {rule.id for rule in RULES if rule.kind is RuleKind.CONVENTION}
    assert conventions - set(BROKEN) == set()
    assert set(BROKEN) <= {rule.id for rule in RULES}


@pytest.mark.parametrize("rule_id", sorted(BROKEN))
def test_a_diagram_breaking_one_rule_is_refused_by_that_rule_when_strict(rule_id):
    problems = refusal(*BROKEN[rule_id]).problems
    assert problems and {p.rule for p in problems} == {rule_id}


@pytest.mark.parametrize("rule_id", sorted(r for r in BROKEN if KIND[r] is RuleKind.CONVENTION))
def test_a_broken_convention_deploys_with_a_warning_by_that_rule(rule_id):
    definition = load_definition(*BROKEN[rule_id][:1], BROKEN[rule_id][1].encode(), BROKEN[rule_id][2])
    assert definition.warnings and {(p.rule, p.severity) for p in definition.warnings} == {(rule_id, Severity.WARNING)}


@pytest.mark.parametrize("rule_id", sorted(r for r in BROKEN if KIND[r] is RuleKind.ENGINE))
def test_an_engine_limit_is_refused_even_when_not_strict(rule_id):
    problems = refusal(*BROKEN[rule_id], strict=False).problems
    assert {(p.rule, p.severity) for p in problems} == {(rule_id, Severity.ERROR)}


def test_a_user_task_outside_a_role_lane_is_named_by_its_own_rule_too():
    xml = TINY.replace('id="lane_supervisor"', 'id="lane_janitor"')
    found = {(p.rule, p.element_id) for p in refusal("tiny.bpmn", xml, read_form).problems}
    assert found == {("lane-names-role", "lane_janitor"), ("user-task-in-role-lane", "chase")}


def test_a_stopping_rule_that_fails_hides_the_later_ones():
    xml = TINY.replace('result = "yes" if ok else "no"', "import os").replace(' targetRef="finish"', "")
    assert [p.rule for p in refusal("other.bpmn", xml, read_form).problems] == ["spiffworkflow-parses"]


def test_the_api_answer_names_the_rule_and_the_severity():
    error = refusal(*BROKEN["element-named"])
    assert [sorted(row) for row in error.errors] == [
        ["code", "element_id", "file", "folded", "line", "message", "params", "reason", "rule", "severity"]
    ]
    assert (error.errors[0]["rule"], error.errors[0]["severity"]) == ("element-named", "warning")
    assert (error.errors[0]["code"], error.errors[0]["params"]) == ("element-unnamed", {"type": "scriptTask"})


@pytest.mark.parametrize(
    ("timer", "said"),
    [
        ("add_workingdays(now(), 2)", r"calls add_workingdays\(\), which is not a diagram helper"),
        ('add_working_days(now(), "two")', r"add_working_days\(\) takes days as int, not str 'two'"),
        ("add_working_days(now())", r"add_working_days\(\) missing a required argument: 'days'"),
    ],
)
def test_a_broken_helper_call_is_refused_naming_the_timer_and_the_helper(timer, said):
    (problem,) = refusal("tiny.bpmn", TINY.replace('"PT24H"', timer), read_form, strict=False).problems
    assert (problem.rule, problem.element_id) == ("helper-call", "late")
    assert re.search(said, problem.reason), problem.reason


def test_a_name_nothing_defines_is_named_with_its_element_and_names_a_script_assigns_are_known():
    xml = TINY.replace('"PT24H"', "add_working_days(now(), result_days)")
    (problem,) = load_definition("tiny.bpmn", xml.encode(), read_form).warnings
    assert (problem.file, problem.element_id, problem.rule) == ("tiny.bpmn", "late", "name-defined")
    assert "'result_days'" in problem.reason
    assigned = xml.replace('result = "yes" if ok else "no"', "result_days = 2 if ok else 3")
    assert load_definition("tiny.bpmn", assigned.encode(), read_form, strict=True).key == "tiny"
