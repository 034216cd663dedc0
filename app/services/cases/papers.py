"""The papers of a case as printable PDFs: which paper a case has, and the facts each one prints.

Six papers of the seeds' procedures (service notice 售后服务通知单, service report with the customer's
signature, repair card, pickup receipt, the complaint's closed-loop tracking form, the approved annual
plan). A paper exists once the step that issues it is done (signed, numbered or approved); before that
it is not found.

A paper is not stored as a file: it is rendered again on each download from what the case keeps
(its data, numbers, the audit trail of who completed each step and when, the signature attachments),
all written once by the steps and never changed by a read, so every download of a paper gives the
same bytes (a test compares two). Storing a PDF would copy the signature blobs, render (0.2–0.4 s here) inside
the signing step's transaction while the case is locked, and print a stale header or layout forever;
regenerating keeps the facts the single source. What the customer signed is the case data of that
step, which the audit trail keeps.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from ...domain.customer_steps import as_customer_step
from ...domain.principal import Principal
from ...errors import NotFound
from ...integrations import pdf_papers
from ...integrations.pdf_papers import Paper
from ...integrations.pdf_papers import Row
from ...integrations.pdf_papers import Section
from ...integrations.pdf_papers import Signature
from ...integrations.pdf_papers import Table
from ...persistence.orm import Event
from ...persistence.orm import Instance
from ...persistence.unit_of_work import UnitOfWork
from ..context import ServiceContext
from ..tasks.workspace import form_labels
from .attachments import REFERENCE
from .opening import load_visible


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

    def issued(self, data: dict[str, Any], done: set[str]) -> bool:
        return self.issued_by in done and (self.when is None or data.get(self.when) is True)


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


@dataclass(frozen=True)
class PaperLink:
    kind: PaperKind
    title: str
    number: str


@dataclass(frozen=True)
class PaperFile:
    filename: str
    content: bytes


def case_papers(ctx: ServiceContext, instance_id: int, actor: Principal) -> list[PaperLink]:
    """The papers case ``instance_id`` has issued so far, for those who may read the case."""
    with ctx.uow() as uow:
        instance = load_visible(ctx, uow, instance_id, actor)
        done = _done_steps(uow.events.for_instance(instance_id))
        data = instance.data or {}
        return [
            PaperLink(spec.kind, f"{spec.title} / {spec.title_en}", _number(spec, instance))
            for spec in SPECS.values()
            if spec.process_key == instance.process_key and spec.issued(data, done)
        ]


def paper_pdf(ctx: ServiceContext, instance_id: int, kind: str, actor: Principal, company: str) -> PaperFile:
    """Paper ``kind`` of the case as a PDF; not found for a paper the case has not issued."""
    with ctx.uow() as uow:
        instance = load_visible(ctx, uow, instance_id, actor)
        try:
            spec = SPECS[PaperKind(kind)]
        except ValueError:
            raise NotFound(f"no paper {kind!r}; papers: {', '.join(k.value for k in PaperKind)}") from None
        events = uow.events.for_instance(instance_id)
        data = instance.data or {}
        if spec.process_key != instance.process_key or not spec.issued(data, _done_steps(events)):
            raise NotFound(f"case {instance_id} has not issued the {spec.title_en.lower()}")
        paper = _paper(ctx, uow, spec, instance, events, company)
    return PaperFile(f"{paper.number}-{spec.kind.value}.pdf", pdf_papers.render_pdf(paper))


def _done_steps(events: list[Event]) -> set[str]:
    return {as_customer_step(e.element_id) for e in events if e.type == "task_completed" and e.element_id}


def _number(spec: PaperSpec, instance: Instance) -> str:
    data = instance.data or {}
    for name in spec.number_fields:
        if data.get(name):
            return str(data[name])
    return instance.case_no or f"#{instance.id}"


def _paper(
    ctx: ServiceContext, uow: UnitOfWork, spec: PaperSpec, instance: Instance, events: list[Event], company: str
) -> Paper:
    process = ctx.versions.get(uow, instance.version_id)
    facts = _Facts(ctx.calendar.tz, process.forms, instance.data or {})
    # the latest completion wins; a customer step's fallback task signs as the customer's step
    completed = {as_customer_step(e.element_id): e for e in events if e.type == "task_completed"}
    people = {e.actor for e in completed.values() if e.actor} | _named_people(facts.data)
    names = {u: user.display_name or u for u, user in uow.users.by_usernames(people - {""}).items()}
    facts.people = names
    issued = completed[spec.issued_by]
    return Paper(
        company=company,
        title=spec.title,
        title_en=spec.title_en,
        number=_number(spec, instance),
        case_no=instance.case_no or f"#{instance.id}",
        issued_at=facts.local(issued.at),
        created=issued.at.astimezone(facts.tz).replace(microsecond=0).isoformat(),
        sections=[section for title, fields in spec.sections if (section := facts.section(title, fields))],
        signatures=[_signature(uow, instance, signer, completed, facts) for signer in spec.signers],
    )


def _signature(
    uow: UnitOfWork, instance: Instance, signer: Signer, completed: dict[str | None, Event], facts: _Facts
) -> Signature:
    if signer.blank:
        return Signature(signer.role)
    event = completed.get(signer.step) if signer.step else None
    who = facts.people.get(event.actor or "", event.actor or "") if event else ""
    raw = str(facts.data.get(signer.name_field) or "") if signer.name_field else ""
    name = facts.people.get(raw, raw)
    image, note = None, ""
    reference = str(facts.data.get(signer.image_field) or "") if signer.image_field else ""
    if reference.startswith(REFERENCE) and reference.removeprefix(REFERENCE).isdigit():
        row = uow.attachments.get(int(reference.removeprefix(REFERENCE)), with_content=True)
        if row is not None and row.instance_id == instance.id and row.media_type.startswith("image/"):
            image = f"data:{row.media_type};base64,{base64.b64encode(row.content).decode('ascii')}"
        elif row is not None and row.instance_id == instance.id:
            note = f"签字扫描件见附件 / signed scan: {reference}"
    if event is None:
        return Signature(signer.role, name=name, image=image, note=note)
    if name and who and name != who:
        note = (note + " · " if note else "") + f"录入 / entered by {who}"
    return Signature(signer.role, name=name or who, at=facts.local(event.at), image=image, note=note)


class _Facts:
    """The case's data printed as people read it: labels from the forms, choices by name, local times."""

    def __init__(self, tz: ZoneInfo, forms: dict[str, dict[str, Any]], data: dict[str, Any]) -> None:
        self.tz, self.data = tz, data
        self.titles, self.choices, _ = form_labels(forms)
        self.titles = {**ENGINE_FIELDS, **self.titles}
        self.props: dict[str, dict[str, Any]] = {}
        for schema in forms.values():
            for name, prop in (schema.get("properties") or {}).items():
                if isinstance(prop, dict):
                    self.props.setdefault(name, prop)
        self.people: dict[str, str] = {}

    def local(self, at: datetime) -> str:
        return at.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

    def section(self, title: str, fields: tuple[str, ...]) -> Section | None:
        rows, tables = [], []
        for name in fields:
            value = self.data.get(name)
            if value is None or value == "" or value == []:
                continue
            if isinstance(value, list) and all(isinstance(item, dict) for item in value):
                tables.append(self.table(name, value))
            else:
                zh, en = _split(self.titles.get(name, name))
                rows.append(Row(zh, self.value(name, value, self.props.get(name, {})), en))
        return Section(title, rows, tables) if rows or tables else None

    def table(self, name: str, items: list[dict[str, Any]]) -> Table:
        columns = (self.props.get(name, {}).get("items") or {}).get("properties") or {}
        keys = list(columns) or sorted({key for item in items for key in item})
        return Table(
            _split(self.titles.get(name, name))[0],
            [_split(columns.get(key, {}).get("title") or key)[0] for key in keys],
            [[self.value(key, item.get(key), columns.get(key, {})) for key in keys] for item in items],
        )

    def value(self, name: str, value: Any, prop: dict[str, Any]) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "是 / yes" if value else "否 / no"
        if isinstance(value, list):
            return "、".join(self.value(name, item, prop.get("items") or {}) for item in value)
        if isinstance(value, dict):
            return "; ".join(f"{key}: {item}" for key, item in value.items())
        names = {str(v): t for v, t in zip(prop.get("enum") or [], prop.get("enumNames") or [], strict=False)}
        names = names or self.choices.get(name, {})
        if str(value) in names:
            return _split(str(names[str(value)]))[0]
        if (prop.get("format") == "date-time" or name in ("received_at", "arrived_at")) and isinstance(value, str):
            try:
                return self.local(datetime.fromisoformat(value))
            except ValueError:
                return value
        if prop.get("x-options") == "technicians" or name in PEOPLE_FIELDS:
            return self.people.get(str(value), str(value))
        if name.startswith("rating_") and isinstance(value, int):
            return f"{value} {RATINGS.get(value, '')}".strip()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, (int, float)):
            return f"{value:,}" if abs(value) >= 10_000 else str(value)
        return str(value)


def _named_people(data: dict[str, Any]) -> set[str]:
    """The user names in the case's people fields, top-level or in a list's rows (plan items' owners)."""
    lists = [value for value in data.values() if isinstance(value, list)]
    rows = [data] + [row for value in lists for row in value if isinstance(row, dict)]
    return {str(row[name]) for row in rows for name in PEOPLE_FIELDS if isinstance(row.get(name), str) and row[name]}


def _split(title: str) -> tuple[str, str]:
    """ "中文 / English" → ("中文", "English"); a title in one language is kept whole."""
    zh, sep, en = title.partition(" / ")
    return (zh, en) if sep else (title, "")
