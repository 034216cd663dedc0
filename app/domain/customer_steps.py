"""Who may do a customer's own step (a user task in lane ``lane_customer``, R-14), and how it is audited.

A customer step is done either

1. by the customer, through a case link: a principal with the role ``customer`` bound to that one case
   (``Principal.case_id``); the link's principal of another case, or a customer principal bound to no
   case, may not; or
2. by staff on the customer's behalf: a member of ``ON_BEHALF_ROLES`` (the agent who phones the customer
   and records the answer, the technician whose device the customer signs on at the site, their
   supervisor) or an administrator, saying so explicitly (``on_behalf``); the audit trail records a
   ``customer_step_on_behalf`` event naming who did it and why (``OnBehalf``).

A customer step that gets no answer in its window falls back to a staff task (a boundary timer in the
diagram); such a task carries the element property ``on_behalf_of = customer`` and is audited the same
way. Customer steps are not in any staff inbox: the role ``customer`` is not a working role, so only a
case's own readers find them on the case (and the customer through the link).
"""

from __future__ import annotations

from enum import StrEnum

from .principal import Principal
from .roles import Role

CUSTOMER_LANE = "lane_customer"
# Element property of a customer step done once per customer (a multi-instance step): the name of the
# item in its task's data that is that customer (code, name, phone, language), whom its link is sent to.
CUSTOMER_FROM_PROPERTY = "customer_from"
# Element property of a staff task that records a customer's answer after the customer's window passed.
ON_BEHALF_PROPERTY = "on_behalf_of"
# Staff who may do a customer's step on their behalf (besides an administrator).
ON_BEHALF_ROLES = frozenset({Role.CS_AGENT, Role.TECHNICIAN, Role.SUPERVISOR})


class StepActor(StrEnum):
    """Who did a customer's step."""

    CUSTOMER = "customer"  # the customer, through the case's link
    STAFF = "staff"  # staff on the customer's behalf (``on_behalf`` given)


class OnBehalf(StrEnum):
    """Why staff did a customer's step."""

    AT_HAND = "at_hand"  # before the window closed: the customer answered staff in person or by phone
    FALLBACK = "fallback"  # the window closed without an answer: the staff task the timer opened


class CustomerStepRefused(Exception):
    """The actor may not do this customer step; the message says why (shown as a 403)."""


def is_customer(actor: Principal) -> bool:
    return Role.CUSTOMER in actor.roles


def may_act_on_behalf(actor: Principal) -> bool:
    """Staff who may do a customer's step for them (with ``on_behalf`` said)."""
    return not actor.read_only and (actor.is_admin or bool(actor.roles & ON_BEHALF_ROLES))


def customer_step_actor(actor: Principal, case_id: int, *, on_behalf: bool, task_id: str | None = None) -> StepActor:
    """Who is doing the customer step of case ``case_id`` (its task ``task_id``), or
    ``CustomerStepRefused`` with why not."""
    if is_customer(actor):
        if actor.case_id is None or actor.case_id != case_id:
            raise CustomerStepRefused(f"{actor.username} is the customer of another case, not of case {case_id}")
        if actor.task_id is not None and actor.task_id != task_id:
            raise CustomerStepRefused(f"{actor.username} is bound to another customer's step of case {case_id}")
        if on_behalf:
            raise CustomerStepRefused("a customer does their own step; on behalf is for staff")
        return StepActor.CUSTOMER
    if not may_act_on_behalf(actor):
        roles = ", ".join(sorted(ON_BEHALF_ROLES))
        raise CustomerStepRefused(f"{actor.username} may not do a customer's step (staff of: {roles})")
    if not on_behalf:
        raise CustomerStepRefused("this is the customer's step: staff complete it with on_behalf=true")
    return StepActor.STAFF


# The seeds' diagrams: each staff task a customer step falls back to, and that step. Reports and
# papers read the fallback's answer as the customer's own (the same form, the same fields).
FALLBACK_OF = {
    "record_plan_answer": "accept_plan",  # repair: the agent phones for the plan and quote answer
    "sign_on_device": "customer_acceptance",  # repair: the signature and rating on the engineer's device
    "callback": "callback_answer",  # repair: the desk phones for the callback (K-04)
    "record_feedback_answer": "confirm_feedback",  # complaint: the desk phones for the answer to the result
    "callback_by_phone": "callback_survey",  # complaint: the desk phones for the 3-month callback
}


def as_customer_step(element_id: str | None) -> str | None:
    """The customer step a fallback task stands in for; any other element as it is."""
    return FALLBACK_OF.get(element_id or "", element_id)


def with_fallbacks(element_ids: list[str]) -> list[str]:
    """``element_ids`` and the fallback tasks standing in for any of them."""
    return [*element_ids, *(f for f, step in FALLBACK_OF.items() if step in element_ids)]
