"""The annual satisfaction survey on the surveyed customers' own phones (390×844): each customer opens
the link their SMS carried, in the language their master record keeps, scores the service and sends
it; their answer is the survey's row, and the link is spent. The page names no other customer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.services.customers.messages import send_customer_messages
from tests.api.test_survey_links import ACME
from tests.api.test_survey_links import HUAXIN
from tests.api.test_survey_links import MINGDA
from tests.api.test_survey_links import opened_survey
from tests.e2e.accessibility import serious_violations
from tests.e2e.conftest import PHONE
from tests.e2e.conftest import needs_chromium
from tests.e2e.conftest import shoot

pytestmark = [pytest.mark.e2e, needs_chromium]


def _links(ctx) -> dict[str, str]:
    send_customer_messages(ctx)
    return {m.address: re.search(r"(/c/[\w.\-]+)", m.body).group(1) for m in ctx.customers.senders["sms"].sent}


def _answer(page, link: str, score: int, comments: str) -> None:
    page.goto(link)
    page.wait_for_selector("#task-form[data-ready=true]")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.fill("#task-form [name='root[score]']", str(score))
    page.fill("#task-form [name='root[comments]']", comments)


def _send(page) -> None:
    page.click("#submit-form")
    page.wait_for_url("**/c/done")
    expect(page.locator("#done")).to_be_visible()


@pytest.mark.parametrize(
    ("customer", "title", "score", "comments"),
    [
        (HUAXIN, "填写满意度调查表", 96, "工程师响应及时，服务专业"),
        (ACME, "Answer the satisfaction questionnaire", 84, "Parts took a week to arrive"),
    ],
    ids=["chinese", "english"],
)
def test_a_surveyed_customer_answers_the_questionnaire_on_their_phone(
    phone_page, app, ctx, clock, as_user, customer, title, score, comments
):
    survey = opened_survey(ctx, clock, as_user, [HUAXIN, MINGDA, ACME])
    link = _links(ctx)[customer["phone"]]
    page = phone_page
    _answer(page, link, score, comments)
    expect(page.locator(".customer-task h2")).to_have_text(title)
    main = page.locator("main").inner_text()
    others = [c for c in (HUAXIN, MINGDA, ACME) if c is not customer]
    assert not any(c["name"] in main or c["phone"][-4:] in main for c in others), main
    assert serious_violations(page) == []
    shoot(page, f"survey-link-{customer['language']}.png")
    _send(page)
    shoot(page, f"survey-link-{customer['language']}-done.png")
    with ctx.uow() as uow:  # the online answer is the survey's row, once the online round is over
        tasks = [t for t in uow.tasks.for_instance(survey.id) if t.element_id == "answer_questionnaire"]
    assert sorted(t.status for t in tasks) == ["completed", "ready", "ready"]
    page.goto(link)
    expect(page.locator("#refusal")).to_be_visible()  # spent: the questionnaire is answered
