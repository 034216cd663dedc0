"""Which papers the procedures issue, which step issues (and signs) each, and their queueing with that step.

A paper is issued by a step (``PaperSpec.issued_by``) and stored again when a later step signs it
(``stored_on``: the service report once archived, the repair card once QA inspected it). When such a
step commits, ``queue_issued`` adds a pending row to ``case_papers`` in the step's own transaction,
with the facts the paper prints as they were then (the case data with the step's own, the people's
names); nothing is rendered there: papers.py renders and stores the PDF after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ...domain.customer_steps import as_customer_step
from ...domain.papers import PaperState
from ...persistence.orm import CasePaper
from ...persistence.orm import Event
from ...persistence.orm import Instance
from ...persistence.unit_of_work import UnitOfWork


class PaperKind(StrEnum):
    """A paper's name in its address (``/papers/<kind>.pdf``)."""

    SERVICE_NOTICE = "service-notice"
    SERVICE_REPORT = "service-report"
    REPAIR_CARD = "repair-card"
    PICKUP_RECEIPT = "pickup-receipt"
    TRACKING_FORM = "tracking-form"
    ANNUAL_PLAN = "annual-plan"


@dataclass(frozen=True)
class Signer:
    """A signature box: the step whose completer signs it, or a data field naming the signer."""

    role: str
    step: str | None = None
    name_field: str | None = None
    image_field: str | None = None
    blank: bool = False  # signed by hand on the printed paper


@dataclass(frozen=True)
class PaperSpec:
    kind: PaperKind
    process_key: str
    title: str
    title_en: str
    issued_by: str  # the step that issues it
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    signers: tuple[Signer, ...]
    number_fields: tuple[str, ...] = ()  # the first one the case has; else the case number
    when: str | None = None  # a yes/no field the issuing step must have answered yes
    signed_later_by: tuple[str, ...] = ()  # later steps that sign it: each stores a new version

    def issued(self, data: dict[str, Any], done: set[str]) -> bool:
        return self.issued_by in done and (self.when is None or data.get(self.when) is True)

    def stored_on(self, element_id: str | None) -> bool:
        """Does completing ``element_id`` store a (new) version of this paper? (A customer step's
        fallback task stores what the customer's step would.)"""
        element_id = as_customer_step(element_id)
        return element_id == self.issued_by or element_id in self.signed_later_by


# Case data the engine writes itself (the forms' fields carry their own titles).
ENGINE_FIELDS = {
    "fee_type": "收费类型 / Fee type",
    "received_at": "受理时间 / Received at",
    "arrived_at": "到达现场时间 / Arrived on site at",
    "linked_case_no": "关联案件 / Linked case",
}
# Fields holding a user name, printed as the person's display name.
PEOPLE_FIELDS = ("technician", "owner")
RATINGS = {1: "差", 2: "一般", 3: "好", 4: "很好"}  # the acceptance form's four levels
CUSTOMER = ("customer_name", "customer_phone", "address", "region")
PRODUCT = ("product_category", "product_model", "serial_no", "purchase_date", "warranty_evidence", "contract_no")

SPECS: dict[PaperKind, PaperSpec] = {
    spec.kind: spec
    for spec in (
        PaperSpec(
            PaperKind.SERVICE_NOTICE,
            "repair",
            "售后服务通知单",
            "Service notice",
            "dispatch_notice",
            (
                ("客户 / Customer", CUSTOMER),
                ("产品 / Product", PRODUCT),
                (
                    "服务要求 / Service requested",
                    ("service_category", "urgency", "fee_type", "fault_description", "fault_time", "environment"),
                ),
                ("派工 / Dispatch", ("appointment_at", "technician", "planned_arrival", "dispatch_notes")),
            ),
            (Signer("签发人 / Issued by", step="dispatch_notice"), Signer("服务工程师 / Technician", blank=True)),
            number_fields=("notice_no",),
        ),
        PaperSpec(
            PaperKind.SERVICE_REPORT,
            "repair",
            "售后服务报告",
            "Service report",
            "customer_acceptance",
            (
                ("客户 / Customer", CUSTOMER),
                ("产品 / Product", PRODUCT),
                ("故障与诊断 / Fault and diagnosis", ("fault_description", "confirmed_fault", "cause", "repair_plan")),
                (
                    "服务内容 / Work done",
                    (
                        "arrived_at",
                        "parts_used",
                        "rtf_parts",
                        "labour_hours",
                        "quote_amount",
                        "amount",
                        "functional_test_ok",
                        "returned_at",
                    ),
                ),
                ("服务报告 / Report", ("report_summary", "fault_found", "method_used", "notice_no")),
                (
                    "客户评价 / Customer's rating",
                    ("rating_attitude", "rating_skills", "rating_arrival", "rating_promises", "customer_comments"),
                ),
            ),
            (
                Signer(
                    "客户签名 / Customer", step="customer_acceptance", name_field="signed_by", image_field="signature"
                ),
                Signer("服务工程师 / Technician", step="perform_service", name_field="technician"),
                Signer("审查归档 / Reviewed and archived", step="archive_report"),
            ),
            number_fields=("archive_no", "notice_no"),
            signed_later_by=("archive_report",),
        ),
        PaperSpec(
            PaperKind.REPAIR_CARD,
            "repair",
            "返厂维修卡",
            "Factory repair card",
            "rtf_repair",
            (
                ("客户 / Customer", CUSTOMER),
                ("产品 / Product", PRODUCT),
                ("故障 / Fault", ("fault_description", "pickup_receipt_no", "received_into_factory_at")),
                ("维修 / Repair", ("repair_outcome", "rtf_parts", "rtf_hours", "repair_card_notes")),
            ),
            (
                Signer("维修人 / Repaired by", step="rtf_repair"),
                Signer("品质检验 / QA inspection", step="qa_inspection"),
            ),
            number_fields=("notice_no",),
            signed_later_by=("qa_inspection",),
        ),
        PaperSpec(
            PaperKind.PICKUP_RECEIPT,
            "repair",
            "取件收据",
            "Pickup receipt",
            "rtf_receive",
            (
                ("客户 / Customer", CUSTOMER),
                ("产品 / Product", PRODUCT),
                ("取件 / Pickup", ("fault_description", "received_into_factory_at")),
            ),
            (Signer("经办人 / Received by", step="rtf_receive"), Signer("客户签字 / Customer", blank=True)),
            number_fields=("pickup_receipt_no",),
        ),
        PaperSpec(
            PaperKind.TRACKING_FORM,
            "complaint",
            "客户投诉闭环跟踪单",
            "Complaint closed-loop tracking form",
            "qa_sign_tracking",
            (
                ("投诉人 / Complainant", ("customer_name", "customer_phone", "linked_case_no", "order_no")),
                (
                    "投诉 / Complaint",
                    ("product_model", "category", "severity", "urgency", "description", "received_at"),
                ),
                (
                    "调查 / Investigation",
                    ("responsible_department", "root_cause", "responsibility_clear", "capa_proposal"),
                ),
                (
                    "处理与措施 / Handling and actions",
                    ("remedy", "actions", "compensation_amount", "approved_amount", "actions_verified"),
                ),
                ("跟踪记录 / Tracking", ("tracking_notes",)),
            ),
            (
                Signer("品质部经理 / QA manager", step="qa_sign_tracking", name_field="tracking_signed_by"),
                Signer("责任部门 / Responsible department", step="handle_complaint"),
            ),
        ),
        PaperSpec(
            PaperKind.ANNUAL_PLAN,
            "annual_plan",
            "年度售后服务计划",
            "Annual after-sales service plan",
            "approve_plan",
            (
                ("计划 / Plan", ("plan_year", "goals_policy", "measures", "budget")),
                ("计划项目 / Plan items", ("items",)),
                ("审核与批准 / Review and approval", ("review_comments", "approval_comments")),
            ),
            (
                Signer("拟制 / Drafted by", step="draft_plan"),
                Signer("部门领导审核 / Reviewed by", step="review_plan"),
                Signer("公司主管领导批准 / Approved by", step="approve_plan"),
            ),
            when="plan_approved",
        ),
    )
}


def _named_people(data: dict[str, Any]) -> set[str]:
    """The user names in the case's people fields, top-level or in a list's rows (plan items' owners)."""
    lists = [value for value in data.values() if isinstance(value, list)]
    rows = [data] + [row for value in lists for row in value if isinstance(row, dict)]
    return {str(row[name]) for row in rows for name in PEOPLE_FIELDS if isinstance(row.get(name), str) and row[name]}


def number_of(spec: PaperSpec, instance: Instance, data: dict[str, Any]) -> str:
    """The document number a paper prints: the first of its number fields the case has, else the case's."""
    for name in spec.number_fields:
        if data.get(name):
            return str(data[name])
    return instance.case_no or f"#{instance.id}"


def done_steps(events: list[Event]) -> set[str]:
    return {as_customer_step(e.element_id) for e in events if e.type == "task_completed" and e.element_id}


def people_of(uow: UnitOfWork, events: list[Event], data: dict[str, Any]) -> dict[str, str]:
    """Display names of those a paper may name: who completed a step, who a people field names."""
    people = {e.actor for e in events if e.type == "task_completed" and e.actor} | _named_people(data)
    return {u: user.display_name or u for u, user in uow.users.by_usernames(people - {""}).items()}


def queue_issued(uow: UnitOfWork, instance: Instance, recorded: list[Event]) -> list[CasePaper]:
    """In a step's transaction: a pending version of each paper the step's completions issue or sign,
    with the facts it prints as they are now (the rows are written with the step; nothing is rendered)."""
    completions = [e for e in recorded if e.type == "task_completed" and e.element_id]
    specs = [s for s in SPECS.values() if s.process_key == instance.process_key]
    if not any(spec.stored_on(e.element_id) for e in completions for spec in specs):
        return []
    events = uow.events.for_instance(instance.id)
    done = done_steps(events)
    queued = []
    for event in completions:
        # A step of a parallel branch reaches the case data only at the join: its own data counts now.
        data = {**(instance.data or {}), **(event.data or {})}
        for spec in specs:
            if spec.stored_on(event.element_id) and spec.issued(data, done):
                queued.append(new_version(uow, spec, instance, event, events, data))
    return queued


def new_version(
    uow: UnitOfWork, spec: PaperSpec, instance: Instance, event: Event, events: list[Event], data: dict[str, Any]
) -> CasePaper:
    """The next version of paper ``spec`` of the case, pending, as the completion ``event`` issued it."""
    row = CasePaper(
        instance_id=instance.id,
        kind=spec.kind.value,
        version=uow.papers.next_version(instance.id, spec.kind.value),
        number=number_of(spec, instance, data)[:128],
        issued_by=event.element_id,
        event_id=event.id,
        issued_at=event.at,
        state=PaperState.PENDING,
        facts={"data": data, "people": people_of(uow, events, data)},
        attempts=0,
    )
    uow.papers.add(row)
    uow.flush()  # the next version of the same paper counts this one
    return row
