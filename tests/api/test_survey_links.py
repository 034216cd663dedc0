"""The annual satisfaction survey answered by each customer through their own link (issue 21): one case
for many customers, one questionnaire (an instance of ``answer_questionnaire``) and one link per surveyed
customer; a link opens its own customer's questionnaire only and shows nothing of the others; staff type
the paper answers of the rest after the online window; each customer's row counts once."""

from __future__ import annotations

import re
from datetime import datetime
from datetime import timedelta

import pytest

from app.domain.customer_links import link_principal
from app.domain.principal import Principal
from app.errors import Forbidden
from app.errors import InvalidInput
from app.services.customers.links import read_token
from app.services.customers.messages import send_customer_messages
from app.services.customers.staff import issue_for_case
from app.services.planning import schedules
from app.services.tasks.work import complete_task
from app.services.tasks.work import get_task
from app.services.timing.timer_firing import fire_due
from tests.api.test_customer_links import post_step
from tests.api.test_survey_cycle import Survey
from tests.api.test_task_facts import facts_of
from tests.api.test_web import login

ADMIN = Principal("admin", frozenset({"admin"}))
HUAXIN = {"code": "C-101", "name": "华信科技", "cases": 4, "phone": "13811115601", "language": "zh_Hans"}
MINGDA = {"code": "C-102", "name": "明达机械", "cases": 3, "phone": "13822227702", "language": "zh_Hans"}
ACME = {"code": "C-103", "name": "Acme Tools Ltd", "cases": 3, "phone": "13833338803", "language": "en"}
NO_PHONE = {"code": "C-104", "name": "远航物流", "cases": 5}  # reached on paper only


def opened_survey(ctx, clock, as_user, customers) -> Survey:
    """A survey opened by its schedule with ``customers`` eligible, its questionnaires sent."""
    rule = "R1/2027-01-10T09:00:00+08:00/P1Y"
    data = {"survey_year": 2026, "eligible_customers": customers}
    schedules.create_schedule(ctx, "survey-links", "satisfaction_survey", rule, data, ADMIN)
    clock.advance(datetime.fromisoformat("2027-01-10T09:01:00+08:00") - clock.now())
    assert fire_due(ctx).opened == 1
    with ctx.uow() as uow:
        [case] = [i for i in uow.instances.list(limit=100) if i.process_key == "satisfaction_survey"]
    survey = Survey(as_user, case.id)
    survey.do("send_questionnaires", {"sent_count": len(customers), "channel": "phone"})
    return survey


def questionnaires(survey) -> list[dict]:
    tasks = survey.as_user("admin").get(f"/tasks?instance_id={survey.id}").json
    return [t for t in tasks if t["element_id"] == "answer_questionnaire"]


def links_sent(ctx) -> dict[str, str]:
    """The link path each phone got by SMS since the last call, by number."""
    send_customer_messages(ctx)
    sender = ctx.customers.senders["sms"]
    sent = {m.address: re.search(r"(/c/[\w.\-]+)", m.body).group(1) for m in sender.sent}
    sender.sent.clear()
    return sent


def link_id_of(ctx, path: str) -> int:
    return read_token(ctx.customers, path.removeprefix("/c/"))[0]


@pytest.fixture
def three(app, ctx, clock, as_user):
    survey = opened_survey(ctx, clock, as_user, [HUAXIN, MINGDA, ACME])
    return survey, links_sent(ctx)


def test_each_surveyed_customer_gets_their_own_questionnaire_and_link(ctx, three):
    survey, sent = three
    assert len(questionnaires(survey)) == 3  # one per customer, all open at once
    assert set(sent) == {HUAXIN["phone"], MINGDA["phone"], ACME["phone"]}
    assert len(set(sent.values())) == 3  # three links, not one shared


def test_the_message_is_in_each_customers_own_language(app, ctx, clock, as_user):
    opened_survey(ctx, clock, as_user, [HUAXIN, ACME])
    send_customer_messages(ctx)
    texts = {m.address: m.body for m in ctx.customers.senders["sms"].sent}
    assert "满意度调查表" in texts[HUAXIN["phone"]] and "诚邀您参加" in texts[HUAXIN["phone"]]
    assert "satisfaction questionnaire" in texts[ACME["phone"]] and "满意度" not in texts[ACME["phone"]]
    assert "your case" not in texts[ACME["phone"]]  # an invitation: the survey is no case of theirs
    links = links_sent(ctx)  # and the page opens in it too, until the customer picks another
    assert "提交" in app.test_client().get(links[HUAXIN["phone"]]).get_data(as_text=True)
    english = app.test_client().get(links[ACME["phone"]]).get_data(as_text=True)
    assert '<html lang="en"' in english and "Total score" in english


def test_a_customer_without_a_phone_gets_no_link_and_is_surveyed_on_paper(app, ctx, clock, as_user):
    survey = opened_survey(ctx, clock, as_user, [HUAXIN, NO_PHONE])
    assert len(questionnaires(survey)) == 1
    assert set(links_sent(ctx)) == {HUAXIN["phone"]}


def test_a_link_opens_its_own_questionnaire_and_shows_no_other_customer(app, ctx, three):
    survey, sent = three
    phone = app.test_client()
    page = phone.get(sent[HUAXIN["phone"]])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "满意度调查表" in html
    for other in (MINGDA, ACME):
        assert other["name"] not in html and other["phone"] not in html and other["phone"][-4:] not in html
    assert HUAXIN["phone"] not in html  # their own number only masked
    done = post_step(phone, sent[HUAXIN["phone"]], {"score": 95, "comments": "响应及时"})
    assert done.status_code == 200, done.json
    left = questionnaires(survey)
    assert len(left) == 2  # the others' questionnaires are still open
    assert phone.get(sent[HUAXIN["phone"]]).status_code == 410  # spent
    assert app.test_client().get(sent[MINGDA["phone"]]).status_code == 200  # the others' links still open


def test_one_customers_link_may_not_read_or_answer_another_customers_questionnaire(app, ctx, three):
    survey, sent = three
    first, second = questionnaires(survey)[:2]
    # The principal of a link of this very case, bound to the second customer's questionnaire.
    stranger = link_principal(link_id_of(ctx, sent[MINGDA["phone"]]), survey.id, second["id"])
    with pytest.raises(Forbidden):
        get_task(ctx, first["id"], stranger)
    with pytest.raises(Forbidden):
        complete_task(ctx, first["id"], {"score": 10}, stranger)
    assert len(questionnaires(survey)) == 3


def test_online_and_paper_answers_count_once_each_and_the_window_closes_the_rest(app, ctx, clock, three):
    survey, sent = three
    answer = {"score": 95, "unsatisfied_items": ["delivery"]}  # a high score, but one thing not satisfied
    assert post_step(app.test_client(), sent[HUAXIN["phone"]], answer).status_code == 200
    assert "record_answers" not in survey.ready()  # the online window is open

    clock.advance(timedelta(days=22))  # past a link's 7 days: a questionnaire's link opens as long as its window
    assert app.test_client().get(sent[MINGDA["phone"]]).status_code == 200
    clock.advance(timedelta(days=1, minutes=1))  # the online window: the reply window less the reminder week
    fire_due(ctx)
    assert questionnaires(survey) == []
    refused = app.test_client().get(sent[ACME["phone"]])
    assert refused.status_code == 410 and "已关闭" in refused.get_data(as_text=True)  # not "already done"
    assert app.test_client().get(sent[MINGDA["phone"]]).status_code == 410

    record = survey.ready()["record_answers"]
    shown = survey.as_user("admin").get(f"/tasks/{record['id']}").json["data"]["answered_online"]
    assert [a["customer_code"] for a in shown] == [HUAXIN["code"]]  # staff see the online answer
    staff = app.test_client()
    login(staff, "admin")
    facts = facts_of(staff.get(f"/tasks/{record['id']}").get_data(as_text=True))
    assert HUAXIN["name"] in facts["已在线作答"] and "95" in facts["已在线作答"]  # beside the form, not in it
    paper = {"customer_code": MINGDA["code"], "customer_name": MINGDA["name"], "returned": True, "score": 88}
    retyped = {"customer_code": HUAXIN["code"], "customer_name": HUAXIN["name"], "returned": True, "score": 10}
    survey.do("record_answers", {"answers": [paper, retyped]})
    answers = {a["customer_code"]: a for a in survey.data["answers"]}
    assert set(answers) == {HUAXIN["code"], MINGDA["code"]} and answers[HUAXIN["code"]]["score"] == 95
    assert survey.data["return_rate"] == pytest.approx(2 / 3)  # each customer once: 2 of the 3 sent

    survey.do("reminder_round")  # below 80 %: only the one who has not answered is reminded, with a new link
    reminded = links_sent(ctx)
    assert list(reminded) == [ACME["phone"]] and reminded[ACME["phone"]] != sent[ACME["phone"]]
    assert post_step(app.test_client(), reminded[ACME["phone"]], {"score": 70, "comments": "slow"}).status_code == 200
    survey.do("record_answers", {"answers": survey.data["answers"]})
    assert survey.data["return_rate"] == 1
    analysed = {a["customer_code"] for a in survey.data["low_scores"]}
    # scores below 90, online or on paper, and anything a customer is not satisfied with are analysed (004 §5.4.2)
    assert analysed == {HUAXIN["code"], MINGDA["code"], ACME["code"]}
    assert "cause_analysis" in survey.ready()


def test_staff_send_a_new_link_for_one_customers_questionnaire_to_that_customer_only(app, ctx, three):
    survey, sent = three
    staff = app.test_client()
    login(staff, "admin")
    html = staff.get(f"/cases/{survey.id}").get_data(as_text=True)
    assert all(c["name"] in html for c in (HUAXIN, MINGDA, ACME))  # staff see whose each questionnaire is
    acme = next(
        t
        for t in questionnaires(survey)
        if get_task(ctx, t["id"], ADMIN).data["surveyed_customer"]["code"] == ACME["code"]
    )
    with pytest.raises(InvalidInput):  # one step, three customers: staff say whose
        issue_for_case(ctx, survey.id, ADMIN, "task", "answer_questionnaire")
    issue_for_case(ctx, survey.id, ADMIN, "task", "answer_questionnaire", acme["id"])
    again = links_sent(ctx)
    assert list(again) == [ACME["phone"]]
    phone = app.test_client()
    assert post_step(phone, again[ACME["phone"]], {"score": 91}).status_code == 200
    assert acme["id"] not in {t["id"] for t in questionnaires(survey)}  # the new link answered ACME's own
    assert app.test_client().get(sent[ACME["phone"]]).status_code == 410  # and spent the first one with it
