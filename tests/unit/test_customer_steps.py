"""Who may do a customer's own step (app/domain/customer_steps.py)."""

from __future__ import annotations

import pytest

from app.domain.customer_steps import CustomerStepRefused
from app.domain.customer_steps import StepActor
from app.domain.customer_steps import as_customer_step
from app.domain.customer_steps import customer_step_actor
from app.domain.customer_steps import with_fallbacks
from app.domain.principal import Principal
from app.domain.roles import WORKING_ROLES
from app.domain.roles import Role


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
