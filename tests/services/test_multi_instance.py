"""A multi-instance user task: one task per item of a list, each given to the person its item names."""

from __future__ import annotations

import pytest

from app.domain.principal import Principal
from app.errors import Forbidden
from app.services.cases.opening import start_case
from app.services.people.users import create_user
from app.services.tasks.work import complete_task
from tests.diagrams import TINY

AGENT = Principal("agent", frozenset({"cs_agent"}))
AGENT2 = Principal("agent2", frozenset({"cs_agent"}))

# A script names two agents; ``do_it`` becomes one task per agent, each collecting its ``ok``.
PER_PERSON = (
    TINY.replace(
        '<bpmn:startEvent id="begin" name="开始 / Begin"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>',
        '<bpmn:startEvent id="begin" name="开始 / Begin"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>'
        '<bpmn:scriptTask id="name_people" name="指定人员 / Name the people">'
        "<bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>"
        '<bpmn:script>people = ["agent2", "agent"]</bpmn:script></bpmn:scriptTask>'
        '<bpmn:sequenceFlow id="f0" sourceRef="begin" targetRef="name_people"/>',
    )
    .replace('<bpmn:sequenceFlow id="f1" sourceRef="begin"', '<bpmn:sequenceFlow id="f1" sourceRef="name_people"')
    .replace(
        "<bpmn:flowNodeRef>begin</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>begin</bpmn:flowNodeRef><bpmn:flowNodeRef>name_people</bpmn:flowNodeRef>",
    )
    .replace(
        "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>",
        "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
        "<bpmn:multiInstanceLoopCharacteristics>"
        "<bpmn:loopDataInputRef>people</bpmn:loopDataInputRef>"
        "<bpmn:loopDataOutputRef>answers</bpmn:loopDataOutputRef>"
        '<bpmn:inputDataItem id="cs_agent" name="cs_agent"/>'
        '<bpmn:outputDataItem id="ok" name="ok"/>'
        "</bpmn:multiInstanceLoopCharacteristics>",
        1,
    )
    .replace('result = "yes" if ok else "no"', "result = answers")
)


def test_each_instance_goes_to_the_person_its_item_names(app_with_diagram):
    assert PER_PERSON.count("multiInstanceLoopCharacteristics") == 2 and "name_people" in PER_PERSON
    app = app_with_diagram(PER_PERSON, ("admin", "agent", "supervisor"))
    ctx = app.extensions["aftersales"]
    create_user(ctx, "agent2", "agent2", ["cs_agent"])
    instance = start_case(ctx, "tiny", None, AGENT)
    with ctx.uow() as uow:
        tasks = {t.assignee: t for t in uow.tasks.for_instance(instance.id, status="ready")}
    assert sorted(tasks) == ["agent", "agent2"]  # not both to the last person of the list
    with pytest.raises(Forbidden):
        complete_task(ctx, tasks["agent2"].id, {"ok": True}, AGENT)
    complete_task(ctx, tasks["agent"].id, {"ok": False}, AGENT)
    complete_task(ctx, tasks["agent2"].id, {"ok": True}, AGENT2)
    with ctx.uow() as uow:
        case = uow.instances.get(instance.id)
    assert case.status == "completed"
    assert sorted(case.data["result"]) == [False, True]  # each person's own answer (in the order given)
