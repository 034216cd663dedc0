"""The customer's view of a case (domain/customer_links.py): the masked phone, the plain state, the
link states and the message in the customer's language."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from app.domain.customer_links import LinkPurpose
from app.domain.customer_links import LinkState
from app.domain.customer_links import MessageKind
from app.domain.customer_links import Stage
from app.domain.customer_links import customer_stage
from app.domain.customer_links import link_state
from app.domain.customer_links import mask_phone
from app.domain.customer_links import message_text

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_a_phone_shows_only_its_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_phone("021-66881234") == "021****1234"
    assert mask_phone("6688123") == "*****23"  # too short to show four digits of it
    assert mask_phone("12345") == "***45"
    assert mask_phone(None) == "" and mask_phone("") == ""


def repair(data=None, done=(), finished=False, appointment=None):
    return customer_stage("repair", data or {}, set(done), finished=finished, appointment_at=appointment, now=NOW)


def test_a_repair_in_the_customers_words():
    assert repair() is Stage.REGISTERED
    assert repair({"technician": "tech_urban1"}) is Stage.ENGINEER_ASSIGNED
    assert repair({"technician": "t"}, appointment=NOW + timedelta(days=1)) is Stage.APPOINTMENT
    assert repair({"technician": "t"}, appointment=NOW - timedelta(minutes=1)) is Stage.ON_THE_WAY
    assert repair(done={"record_arrival"}) is Stage.ON_THE_WAY
    assert repair(done={"record_arrival", "customer_acceptance"}) is Stage.DONE
    assert repair(finished=True) is Stage.DONE


def test_a_complaint_in_the_customers_words():
    def stage(done=(), finished=False):
        return customer_stage("complaint", {}, set(done), finished=finished, appointment_at=None, now=NOW)

    assert stage() is Stage.RECEIVED
    assert stage({"register_complaint"}) is Stage.INVESTIGATING
    assert stage({"register_complaint", "feedback_customer"}) is Stage.FEEDBACK_GIVEN
    assert stage({"register_complaint"}, finished=True) is Stage.CLOSED


def test_revoked_beats_used_beats_expired_and_a_follow_link_is_never_used_up():
    later = NOW + timedelta(days=1)

    def state(purpose, revoked=None, used=None, now=NOW):
        return link_state(now=now, expires_at=later, revoked_at=revoked, used_at=used, purpose=purpose)

    assert state(LinkPurpose.TASK) is LinkState.ACTIVE
    assert state(LinkPurpose.TASK, used=NOW) is LinkState.USED
    assert state(LinkPurpose.TASK, used=NOW, revoked=NOW) is LinkState.REVOKED
    assert state(LinkPurpose.FOLLOW, used=NOW) is LinkState.ACTIVE
    assert state(LinkPurpose.TASK, used=NOW, now=later) is LinkState.USED
    assert state(LinkPurpose.FOLLOW, now=later) is LinkState.EXPIRED


def test_the_message_is_in_the_customers_language_with_their_half_of_the_step():
    zh = message_text(LinkPurpose.TASK, "zh_Hans", case_no="SR-1", task="客户签字 / Sign", url="https://x/c/t")
    en = message_text(LinkPurpose.TASK, "en", case_no="SR-1", task="客户签字 / Sign", url="https://x/c/t")
    assert zh[0] == "请完成「客户签字」（SR-1）" and "https://x/c/t" in zh[1]
    assert en[0] == 'Your step: "Sign" (SR-1)' and "https://x/c/t" in en[1]
    # a step whose name has a colon of its own still reads as one step
    callback = "回访：评价本次服务 / Callback: rate this service"
    zh = message_text(LinkPurpose.TASK, "zh_Hans", case_no="SR-1", task=callback, url="https://x/c/t")
    en = message_text(LinkPurpose.TASK, "en", case_no="SR-1", task=callback, url="https://x/c/t")
    assert zh[1] == "您好，您的服务单 SR-1 需要您完成一步「回访：评价本次服务」，请打开链接：https://x/c/t"
    assert en[1].startswith('Hello, your case SR-1 needs one step from you: "Callback: rate this service". Please')
    assert message_text(LinkPurpose.FOLLOW, "fr", case_no="SR-1", task="", url="u")[0] == "您的服务单 SR-1"


def test_a_step_asked_of_many_customers_is_an_invitation_not_a_case_of_theirs():
    survey = "填写满意度调查表 / Answer the satisfaction questionnaire"
    zh = message_text(MessageKind.INVITATION, "zh_Hans", case_no="SAT-1", task=survey, url="https://x/c/t")
    en = message_text(MessageKind.INVITATION, "en", case_no="SAT-1", task=survey, url="https://x/c/t")
    assert zh[0] == "诚邀您参加「填写满意度调查表」" and "SAT-1" not in zh[1] and "https://x/c/t" in zh[1]
    assert en[0] == 'Your opinion, please: "Answer the satisfaction questionnaire"' and "your case" not in en[1]
