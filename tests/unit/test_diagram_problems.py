"""A diagram's problems are message codes rendered in the user's language, one per cause: a deleted
sequence flow is reported at its two ends, each saying how much of the diagram it cuts off, not as
one warning per element after (or before) it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.support import Translations
from lxml import etree

from app.domain.diagram_problems import CODE_KINDS
from app.domain.diagram_problems import ELEMENT_TYPES
from app.domain.diagram_problems import MESSAGES
from app.domain.diagram_problems import localised
from app.domain.diagram_problems import render
from app.engine.loader import load_definitions
from app.errors import DiagramError
from app.errors import Problem
from tests.conftest import PROCESSES
from tests.unit.test_diagram_rules import BROKEN

CJK = re.compile(r"[\u3400-\u9fff]")
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CATALOGUE = Path(__file__).resolve().parents[2] / "app" / "translations" / "zh_Hans" / "LC_MESSAGES"


@pytest.fixture(scope="module")
def chinese():
    return Translations.load(str(CATALOGUE.parents[1]), ["zh_Hans"]).gettext


def read_form(path: str) -> str:
    return (PROCESSES / path).read_text(encoding="utf-8")


def without_flow(process: str, flow_id: str) -> bytes:
    """The seed diagram with one sequence flow deleted as the modeler deletes it: the flow, its
    references on both ends and its edge."""
    root = etree.fromstring((PROCESSES / f"{process}.bpmn").read_bytes())
    for node in list(root.iter()):
        if node.get("id") == flow_id or node.get("bpmnElement") == flow_id or (node.text or "").strip() == flow_id:
            node.getparent().remove(node)
    return etree.tostring(root)


def found(process: str, xml: bytes) -> list[Problem]:
    try:
        return [w for d in load_definitions(f"{process}.bpmn", xml, read_form) for w in d.warnings]
    except DiagramError as exc:
        return exc.problems


def test_every_message_has_a_chinese_text_taking_the_same_values(chinese):
    for code, template in MESSAGES.items():
        names = set(re.findall(r"%\((\w+)\)s", template))
        params = {name: "userTask" if name == "type" else "x" for name in names}
        shown = render(code, params, chinese)
        assert "%(" not in shown and set(re.findall(r"%\((\w+)\)s", chinese(template))) == names, code
        if CJK.sub("", template) == template:  # an English text
            assert CJK.search(shown), f"{code} is not translated: {shown}"
    assert all(CJK.search(chinese(text)) for text in [*ELEMENT_TYPES.values(), *CODE_KINDS.values()])


def test_each_rule_names_a_code_and_says_it_in_chinese(chinese):
    for filename, xml, read in BROKEN.values():
        try:
            load_definitions(filename, xml.encode(), read, strict=True)
        except DiagramError as exc:
            for item in exc.problems:
                assert item.code in MESSAGES, item
                assert item.reason == render(item.code, dict(item.params))  # the English, as before
                assert CJK.search(localised(item, chinese)), item


def test_a_problem_in_chinese_names_the_element_type_and_the_code_in_chinese(chinese):
    xml = without_flow("repair", "flow_request_received_to_register_request")
    outgoing = next(p for p in found("repair", xml) if p.element_id == "request_received")
    assert localised(outgoing, chinese) == "开始事件没有离开的顺序流，案件会停在那里"
    assert outgoing.reason == "startEvent has no outgoing flow, so the case would stop there"
    condition = Problem(
        "x.bpmn",
        "",
        code="code-syntax",
        params=(("what", "condition-code"), ("snippet", "'a >'"), ("detail", "invalid syntax")),
    )
    assert localised(condition, chinese) == "条件 'a >'不是有效的 Python：invalid syntax"


def test_the_first_flow_deleted_gives_its_two_ends_not_ninety_five_warnings(chinese):
    problems = found("repair", without_flow("repair", "flow_request_received_to_register_request"))
    assert [(p.element_id, p.code) for p in problems] == [
        ("register_request", "no-incoming-flow-cascade"),
        ("request_received", "no-outgoing-flow"),
    ]
    cut_off = problems[0]
    assert len(cut_off.folded) > 80 and {"contact_customer", "case_closed"} <= set(cut_off.folded)
    assert f"nor {len(cut_off.folded)} element(s) only it leads to" in cut_off.reason
    assert localised(cut_off, chinese).startswith("用户任务没有进入的顺序流，永远无法到达")


def test_a_loop_that_only_the_deleted_flow_entered_is_one_problem_on_its_entry():
    problems = found("repair", without_flow("repair", "flow_dispatch_notice_to_agree_appointment"))
    assert [(p.element_id, p.code) for p in problems] == [
        ("dispatch_notice", "no-outgoing-flow"),
        ("agree_appointment", "unreachable-cascade"),
    ]
    assert "record_arrival" in problems[1].folded


@pytest.mark.parametrize("process", ["repair", "complaint"])
def test_any_one_deleted_flow_gives_at_most_one_problem_per_end(process):
    flows = etree.fromstring((PROCESSES / f"{process}.bpmn").read_bytes()).iter(f"{{{BPMN}}}sequenceFlow")
    for flow in list(flows)[::9]:
        problems = found(process, without_flow(process, flow.get("id")))
        assert len(problems) <= 2, (flow.get("id"), [str(p) for p in problems])
        assert len({p.element_id for p in problems}) == len(problems)
