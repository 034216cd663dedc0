"""Case links: what a customer reaches without an account, and the rules each link obeys.

A link is bound to one case and one purpose. FOLLOW shows the case's state in plain words, the
papers and the reschedule request; TASK opens the one customer-lane step it names and is spent once
that step is done. The signed token carries only the link's id; the row is the truth: a revoked,
expired or spent row refuses its token whatever the signature says.

No I/O and no wall clock here: ``now`` is always given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from enum import StrEnum

from .master_data import CustomerLanguage
from .principal import Principal
from .roles import Role


class LinkPurpose(StrEnum):
    FOLLOW = "follow"  # see the case, its papers, ask to reschedule
    TASK = "task"  # do one customer-lane step


class LinkRefusal(StrEnum):
    """Why a token opens nothing (the page the customer sees says it in plain words)."""

    FORGED = "forged"  # not signed by us, or not a token at all (403)
    WRONG_PURPOSE = "wrong_purpose"  # signed for another purpose than the page's (403)
    EXPIRED = "expired"  # past its lifetime (410)
    REVOKED = "revoked"  # staff withdrew it (410)
    USED = "used"  # a TASK link whose step is done (410)
    CLOSED = "closed"  # a TASK link of one customer's questionnaire of many, closed unanswered by its window (410)


REFUSAL_STATUS = {
    LinkRefusal.FORGED: 403,
    LinkRefusal.WRONG_PURPOSE: 403,
    LinkRefusal.EXPIRED: 410,
    LinkRefusal.REVOKED: 410,
    LinkRefusal.USED: 410,
    LinkRefusal.CLOSED: 410,
}


class LinkState(StrEnum):
    """A link's state as staff see it on the case page."""

    ACTIVE = "active"
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Lifetimes:
    """How long a link of each purpose opens (AFTERSALES_CUSTOMER_LINK_FOLLOW_DAYS / _TASK_DAYS)."""

    follow: timedelta = timedelta(days=30)
    task: timedelta = timedelta(days=7)

    def of(self, purpose: LinkPurpose) -> timedelta:
        return self.follow if purpose is LinkPurpose.FOLLOW else self.task


def link_state(
    *, now: datetime, expires_at: datetime, revoked_at: datetime | None, used_at: datetime | None, purpose: str
) -> LinkState:
    """Revoked beats used beats expired: what happened to the link first matters less than why it is shut."""
    if revoked_at is not None:
        return LinkState.REVOKED
    if used_at is not None and purpose == LinkPurpose.TASK:
        return LinkState.USED
    if now >= expires_at:
        return LinkState.EXPIRED
    return LinkState.ACTIVE


REFUSAL_OF_STATE = {
    LinkState.REVOKED: LinkRefusal.REVOKED,
    LinkState.USED: LinkRefusal.USED,
    LinkState.EXPIRED: LinkRefusal.EXPIRED,
}

LINK_PRINCIPAL_PREFIX = "customer-link:"


def link_principal(link_id: int, case_id: int, task_id: str | None = None) -> Principal:
    """Who acts through a link: the customer, for that case only (``Principal.case_id``), and for a
    link bound to one task (one surveyed customer's questionnaire) for that task only."""
    return Principal(
        f"{LINK_PRINCIPAL_PREFIX}{link_id}", frozenset({Role.CUSTOMER}), "客户 / Customer", case_id, task_id
    )


def is_link_principal(username: str | None) -> bool:
    return bool(username) and str(username).startswith(LINK_PRINCIPAL_PREFIX)


_DIGITS = re.compile(r"\d")


def mask_phone(phone: str | None) -> str:
    """138****5678: the first three and last four digits of a number of eight digits or more, the
    rest masked; a shorter number shows only its last two."""
    if not phone:
        return ""
    digits = "".join(_DIGITS.findall(phone))
    if len(digits) == 13 and digits.startswith("86"):  # +86 and a mainland mobile number
        digits = digits[2:]
    if len(digits) >= 8:
        return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"
    if len(digits) >= 3:
        return f"{'*' * (len(digits) - 2)}{digits[-2:]}"
    return "*" * len(digits)


class Stage(StrEnum):
    """A case's state in the customer's words."""

    REGISTERED = "registered"
    ENGINEER_ASSIGNED = "engineer_assigned"
    APPOINTMENT = "appointment"
    ON_THE_WAY = "on_the_way"
    DONE = "done"
    RECEIVED = "received"
    INVESTIGATING = "investigating"
    FEEDBACK_GIVEN = "feedback_given"
    CLOSED = "closed"
    IN_PROGRESS = "in_progress"


# The stages a customer sees in order, per procedure (others: registered, in progress, done).
STAGES = {
    "repair": (Stage.REGISTERED, Stage.ENGINEER_ASSIGNED, Stage.APPOINTMENT, Stage.ON_THE_WAY, Stage.DONE),
    "complaint": (Stage.RECEIVED, Stage.INVESTIGATING, Stage.FEEDBACK_GIVEN, Stage.CLOSED),
}
OTHER_STAGES = (Stage.REGISTERED, Stage.IN_PROGRESS, Stage.DONE)
# The steps after which the complaint is under investigation / has its answer.
INVESTIGATION_STEPS = frozenset({"qa_investigation", "clarify_facts", "immediate_solution", "mediate_serious"})
FEEDBACK_STEPS = frozenset({"feedback_customer", "reply_and_close"})
# The repair's steps that end the work on the unit.
REPAIR_DONE_STEPS = frozenset({"customer_acceptance", "ship_back", "ship_substitute", "confirm_delivery"})


def stages_of(process_key: str) -> tuple[Stage, ...]:
    return STAGES.get(process_key, OTHER_STAGES)


def customer_stage(
    process_key: str,
    data: dict,
    done_steps: set[str],
    *,
    finished: bool,
    appointment_at: datetime | None,
    now: datetime,
) -> Stage:
    """Where the case stands for the customer, from what its steps did.

    :param done_steps: the element ids of the completed user tasks
    :param finished: the case is closed (completed or cancelled)
    """
    if process_key == "repair":
        if finished or done_steps & REPAIR_DONE_STEPS:
            return Stage.DONE
        if "record_arrival" in done_steps or (appointment_at is not None and now >= appointment_at):
            return Stage.ON_THE_WAY
        if appointment_at is not None:
            return Stage.APPOINTMENT
        if data.get("technician"):
            return Stage.ENGINEER_ASSIGNED
        return Stage.REGISTERED
    if process_key == "complaint":
        if finished:
            return Stage.CLOSED
        if done_steps & FEEDBACK_STEPS:
            return Stage.FEEDBACK_GIVEN
        if done_steps & INVESTIGATION_STEPS or "register_complaint" in done_steps:
            return Stage.INVESTIGATING
        return Stage.RECEIVED
    if finished:
        return Stage.DONE
    return Stage.IN_PROGRESS if done_steps else Stage.REGISTERED


class Channel(StrEnum):
    """How a message reaches the customer."""

    EMAIL = "email"
    SMS = "sms"
    WECHAT = "wechat"


class MessageState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # given up: the reason is kept


CUSTOMER_LANGUAGES = tuple(CustomerLanguage)
DEFAULT_CUSTOMER_LANGUAGE = CustomerLanguage.CHINESE.value


class MessageKind(StrEnum):
    """What a message to a customer asks: to follow their case, to do a step of it, or — a step asked of
    many customers at once (the survey's questionnaire) — to take part, which is no case of theirs."""

    FOLLOW = "follow"
    TASK = "task"
    INVITATION = "invitation"


# The message texts in each customer language ({case_no}, {task}, {url}); the customer's language is
# the case's (or their record's), not the language of whoever's request queued the message.
MESSAGE_TEXTS = {
    "zh_Hans": {
        # The step's name is quoted: a name with a colon of its own (回访：评价本次服务) still reads as one.
        MessageKind.TASK: (
            "请完成「{task}」（{case_no}）",
            "您好，您的服务单 {case_no} 需要您完成一步「{task}」，请打开链接：{url}",
        ),
        MessageKind.FOLLOW: (
            "您的服务单 {case_no}",
            "您好，您可以通过此链接查看服务单 {case_no} 的进度：{url}",
        ),
        MessageKind.INVITATION: (
            "诚邀您参加「{task}」",
            "您好，我们诚邀您参加「{task}」，您的意见将帮助我们改进服务。请打开链接：{url}",
        ),
    },
    "en": {
        MessageKind.TASK: (
            'Your step: "{task}" ({case_no})',
            'Hello, your case {case_no} needs one step from you: "{task}". Please open: {url}',
        ),
        MessageKind.FOLLOW: (
            "Your case {case_no}",
            "Hello, you can follow your case {case_no} here: {url}",
        ),
        MessageKind.INVITATION: (
            'Your opinion, please: "{task}"',
            'Hello, we would value your opinion: "{task}" helps us improve our service. Please open: {url}',
        ),
    },
}


def customer_language(code: str | None) -> str:
    return code if code in CUSTOMER_LANGUAGES else DEFAULT_CUSTOMER_LANGUAGE


def half(name: str, language: str) -> str:
    """The customer's half of a "中文 / English" name."""
    parts = name.split(" / ")
    if len(parts) != 2:
        return name
    return parts[0] if language == "zh_Hans" else parts[1]


def message_text(
    kind: MessageKind | LinkPurpose, language: str, *, case_no: str, task: str, url: str
) -> tuple[str, str]:
    """(subject, body) of the message carrying a link, in ``language`` (a link's purpose: its message)."""
    subject, body = MESSAGE_TEXTS[customer_language(language)][MessageKind(kind.value)]
    task_name = half(task, customer_language(language))
    return (
        subject.format(case_no=case_no, task=task_name, url=url),
        body.format(case_no=case_no, task=task_name, url=url),
    )
