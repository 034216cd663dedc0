"""Who may do a customer's own step, and which staff task stands in for it (app/domain/customer_steps.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from app.domain.customer_steps import CUSTOMER_LANE
from app.domain.customer_steps import FALLBACK_OF
from app.domain.customer_steps import ON_BEHALF_PROPERTY
from app.domain.customer_steps import CustomerStepRefused
from app.domain.customer_steps import StepActor
from app.domain.customer_steps import as_customer_step
from app.domain.customer_steps import customer_step_actor
from app.domain.customer_steps import with_fallbacks
from app.domain.principal import Principal
from app.domain.roles import WORKING_ROLES
from app.domain.roles import Role

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}


def staff(*roles: str) -> Principal:
    return Principal("someone", frozenset(roles))


def link(case_id: int | None) -> Principal:
    return Principal("link", frozenset({Role.CUSTOMER}), case_id=case_id)


def test_the_customer_of_the_case_does_their_own_step():
    assert customer_step_actor(link(7), 7, on_behalf=False) is StepActor.CUSTOMER


@pytest.mark.parametrize("principal", [link(8), link(None)], ids=["another case", "no case"])
def test_a_link_of_another_case_or_of_none_is_refused(principal):
    with pytest.raises(CustomerStepRefused):
        customer_step_actor(principal, 7, on_behalf=False)


def test_a_link_bound_to_one_customers_task_does_that_task_and_no_other_of_the_case():
    bound = Principal("link", frozenset({Role.CUSTOMER}), case_id=7, task_id="task-of-huaxin")
    assert customer_step_actor(bound, 7, on_behalf=False, task_id="task-of-huaxin") is StepActor.CUSTOMER
    with pytest.raises(CustomerStepRefused):  # another surveyed customer's questionnaire of the same case
        customer_step_actor(bound, 7, on_behalf=False, task_id="task-of-mingda")


def test_a_customer_does_not_claim_to_act_on_their_own_behalf():
    with pytest.raises(CustomerStepRefused):
        customer_step_actor(link(7), 7, on_behalf=True)


@pytest.mark.parametrize("role", [Role.CS_AGENT, Role.TECHNICIAN, Role.SUPERVISOR, Role.ADMIN])
def test_staff_who_deal_with_customers_act_on_their_behalf_only_when_saying_so(role):
    assert customer_step_actor(staff(role), 7, on_behalf=True) is StepActor.STAFF
    with pytest.raises(CustomerStepRefused, match="on_behalf"):
        customer_step_actor(staff(role), 7, on_behalf=False)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.QA, Role.EXECUTIVE, Role.AUDITOR])
def test_other_roles_may_not_answer_for_the_customer(role):
    with pytest.raises(CustomerStepRefused):
        customer_step_actor(staff(role), 7, on_behalf=True)


def test_the_customer_works_no_staff_inbox():
    assert Role.CUSTOMER not in WORKING_ROLES
    assert link(7).working_roles == frozenset()


def test_a_fallback_task_stands_in_for_its_customer_step():
    assert as_customer_step("sign_on_device") == "customer_acceptance"
    assert as_customer_step("perform_service") == "perform_service"
    assert with_fallbacks(["callback_survey"]) == ["callback_survey", "callback_by_phone"]


def _fallbacks_drawn() -> dict[str, str]:
    """In the seeds' diagrams: each staff task a customer step's boundary timer leads to (the task marked
    ``on_behalf_of = customer``), and that customer step (a user task in the customer's lane)."""
    found = {}
    for path in sorted(PROCESSES.glob("*.bpmn")):
        tree = etree.parse(str(path))
        customer_lane = set(
            tree.xpath("//bpmn:lane[@id=$lane]/bpmn:flowNodeRef/text()", namespaces=NS, lane=CUSTOMER_LANE)
        )
        for flow in tree.xpath("//bpmn:sequenceFlow", namespaces=NS):
            [source] = tree.xpath("//*[@id=$id]", id=flow.get("sourceRef"))
            [target] = tree.xpath("//*[@id=$id]", id=flow.get("targetRef"))
            marked = target.xpath(".//spiffworkflow:property[@name=$p]/@value", namespaces=NS, p=ON_BEHALF_PROPERTY)
            if source.tag == f"{{{NS['bpmn']}}}boundaryEvent" and marked == [Role.CUSTOMER]:
                step = source.get("attachedToRef")
                assert step in customer_lane, f"{path.name}: {step} is not in the customer's lane"
                found[target.get("id")] = step
    return found


def test_every_fallback_the_diagrams_draw_is_read_as_its_customer_step():
    # a fallback missing here would drop the customer's answer from the reports that read the step
    assert _fallbacks_drawn() == FALLBACK_OF
    assert as_customer_step("callback") == "callback_answer"  # the repair's phone callback (K-04)
