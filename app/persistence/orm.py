"""Tables. Times are stored as UTC and always come back timezone-aware.

An instance row holds SpiffWorkflow's state (without the spec, which lives once in its
process version); its ready tasks, waiting timers and audit events are rows of their own,
written in the same transaction as the state they come from.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import TypeDecorator
from sqlalchemy import UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.sql.expression import FunctionElement


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use the application clock")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


JSONType = JSON().with_variant(JSONB(), "postgresql")


class transaction_id(FunctionElement):
    """The writing transaction's id on PostgreSQL; 0 on SQLite, whose writers take turns (an event's id
    order is its commit order there). With ``committed_horizon`` it lets the event feed hand out only
    positions no transaction still open can come before."""

    type = BigInteger()
    inherit_cache = True


class committed_horizon(FunctionElement):
    """Transactions with a smaller id have all ended (PostgreSQL: the snapshot's xmin)."""

    type = BigInteger()
    inherit_cache = True


@compiles(transaction_id)
def _no_transaction_id(element, compiler, **kw) -> str:
    return "0"


@compiles(transaction_id, "postgresql")
def _pg_transaction_id(element, compiler, **kw) -> str:
    return "(pg_current_xact_id()::text::bigint)"


@compiles(committed_horizon)
def _everything_committed(element, compiler, **kw) -> str:
    return "9223372036854775807"


@compiles(committed_horizon, "postgresql")
def _pg_committed_horizon(element, compiler, **kw) -> str:
    return "(pg_snapshot_xmin(pg_current_snapshot())::text::bigint)"


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSONType, list[Any]: JSONType}


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(128), default="")
    email: Mapped[str | None] = mapped_column(String(256))
    locale: Mapped[str] = mapped_column(String(16), default="zh_Hans")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # A browser session names the generation it was opened in; raising it ends every session of the user.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}


class UserRole(Base):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class ProcessVersion(Base):
    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(256))
    filename: Mapped[str] = mapped_column(String(256))
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # Plain JSON, not JSONB: the order of a form's fields is the order its author chose.
    forms: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    elements: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    # The other files its call activities reach, as deployed with it: file name -> diagram text.
    calls: Mapped[dict[str, str]] = mapped_column(JSON, deferred=True, default=dict, server_default="{}")
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str | None] = mapped_column(String(64))


class Instance(Base):
    __tablename__ = "instances"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    version: Mapped[int] = mapped_column(Integer)  # the version number, for display
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"), index=True)  # opened by that case
    status: Mapped[str] = mapped_column(String(16), index=True)  # running, completed, cancelled, error
    state: Mapped[str] = mapped_column(Text)  # engine state, opaque JSON text (task order matters)
    serializer_version: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]]
    next_timer_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    started_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}


class Task(Base):
    """A user task as the inbox sees it; ``id`` is SpiffWorkflow's task id."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_inbox", "status", "role", "due_at"),
        Index("ix_tasks_assignee", "assignee", "status"),
        Index("ix_tasks_external", "topic", "status"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    process_key: Mapped[str] = mapped_column(String(64))
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    element_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(256))
    role: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # ready, completed, cancelled
    assignee: Mapped[str | None] = mapped_column(String(64))
    form: Mapped[str | None] = mapped_column(String(256))
    due_at: Mapped[datetime | None]
    due_estimated: Mapped[bool] = mapped_column(Boolean, default=False)  # due date rests on a guessed calendar
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(64))
    # A service task done by an outside worker (domain.cases.TaskKind.EXTERNAL): its topic, the worker
    # holding its lock until ``locked_until``, the retries left after failures (0: an incident), when
    # it may be fetched again after a failure, and the worker's last error message.
    kind: Mapped[str] = mapped_column(String(16), default="user", server_default="user")
    topic: Mapped[str | None] = mapped_column(String(128))
    worker_id: Mapped[str | None] = mapped_column(String(128))
    locked_until: Mapped[datetime | None]
    retries: Mapped[int | None] = mapped_column(Integer)
    retry_at: Mapped[datetime | None]
    failure: Mapped[str | None] = mapped_column(Text)


class Timer(Base):
    """A waiting timer with its due time; the table, not the scheduler, is the truth."""

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "status", "due_at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow's task id
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str | None] = mapped_column(String(16))  # reminder, escalation, deadline
    attached_to: Mapped[str | None] = mapped_column(String(128))
    due_at: Mapped[datetime]
    estimated: Mapped[bool] = mapped_column(Boolean, default=False)  # counted on a guessed calendar
    status: Mapped[str] = mapped_column(String(16))  # waiting, fired, cancelled
    created_at: Mapped[datetime]
    fired_at: Mapped[datetime | None]


class Event(Base):
    """The audit trail: one row per change, never updated."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_instance", "instance_id", "id"), Index("ix_events_feed", "txid", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor: Mapped[str | None] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(32))
    element_id: Mapped[str | None] = mapped_column(String(128))
    element_name: Mapped[str | None] = mapped_column(String(256))
    task_id: Mapped[str | None] = mapped_column(String(36))
    data: Mapped[dict[str, Any]]
    # The event feed's order is (txid, id): the feed hands out only events of ended transactions, so no
    # event can later appear before a position it has handed out (services/integration/event_feed.py).
    txid: Mapped[int] = mapped_column(BigInteger, default=transaction_id())


class Customer(Base):
    """A customer of the department (domain/master_data.CUSTOMERS describes the fields)."""

    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))  # domain.master_data.CustomerKind
    region: Mapped[str] = mapped_column(String(16))  # domain.master_data.Region
    branch: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(256))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(128))
    mobile: Mapped[str | None] = mapped_column(String(32))
    key_customer: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language of messages to the customer (domain.master_data.CustomerLanguage); None: zh_Hans.
    language: Mapped[str | None] = mapped_column(String(8))
    revision: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": revision}


class Unit(Base):
    """An installed product of a customer, with its warranty evidence."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    serial_no: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_category: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(64))
    purchase_date: Mapped[date | None] = mapped_column(Date)
    invoice_no: Mapped[str | None] = mapped_column(String(64))
    warranty_card_no: Mapped[str | None] = mapped_column(String(64))
    extended_until: Mapped[date | None] = mapped_column(Date)
    tampered: Mapped[bool] = mapped_column(Boolean, default=False)
    contract_no: Mapped[str | None] = mapped_column(String(64), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    customer: Mapped[Customer] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": revision}


class Contract(Base):
    """A maintenance contract (fee type B while it runs; renewal is offered a month before it ends)."""

    __tablename__ = "contracts"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_no: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    sla_profile: Mapped[str] = mapped_column(String(32), default="STANDARD_URBAN")
    fee_terms: Mapped[str] = mapped_column(String(16), default="free")  # domain.master_data.FeeTerms
    discount_percent: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, renewed, lapsed
    revision: Mapped[int] = mapped_column(Integer, default=1)
    customer: Mapped[Customer] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": revision}


class Technician(Base):
    __tablename__ = "technicians"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(32))  # the engineer's work phone, given to the customer
    branch: Mapped[str] = mapped_column(String(64))
    regions: Mapped[list[Any]]
    skills: Mapped[list[Any]]
    cert_no: Mapped[str | None] = mapped_column(String(64))
    cert_expiry: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(32), default="junior")
    max_load: Mapped[int] = mapped_column(Integer, default=5)
    unavailable: Mapped[list[Any]] = mapped_column(default=list)  # days and ISO 8601 intervals of leave
    revision: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": revision}


class Price(Base):
    """One line of the price list: a part, a labour rate of a service category, a travel fee of a region."""

    __tablename__ = "prices"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # domain.master_data.PriceKind
    name: Mapped[str] = mapped_column(String(128))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    unit: Mapped[str | None] = mapped_column(String(16))
    service_category: Mapped[str | None] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": revision}


class MasterChange(Base):
    """One change of a master-data record, kept for its history (who, when, which fields from what to what)."""

    __tablename__ = "master_changes"
    __table_args__ = (Index("ix_master_changes_record", "table_name", "record_key", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(32))
    record_key: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # services.master_data: ChangeAction
    changes: Mapped[dict[str, Any]]  # field -> [before, after], as typed
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    source: Mapped[str | None] = mapped_column(String(128))  # an import file, a case number


class CaseRecord(Base):
    """A case filed under a master-data record: the unit it is about and that unit's customer."""

    __tablename__ = "case_records"
    __table_args__ = (
        UniqueConstraint("instance_id", "table_name", "record_key"),
        Index("ix_case_records_record", "table_name", "record_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    table_name: Mapped[str] = mapped_column(String(32))
    record_key: Mapped[str] = mapped_column(String(64))


class WorkCalendarDay(Base):
    """One day of the work calendar: official (chinesecalendar) or entered by an administrator."""

    __tablename__ = "work_calendar"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(32))  # chinesecalendar, admin
    note: Mapped[str] = mapped_column(String(128), default="")
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class Schedule(Base):
    """A recurring (or one-off) start of a process; the table, not a waiting instance, is the truth."""

    __tablename__ = "schedules"
    __table_args__ = (Index("ix_schedules_due", "enabled", "next_run_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    process_key: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(128))  # R/2026-12-01T09:00:00+08:00/P1Y, or one date-time
    data: Mapped[dict[str, Any]]  # start data of every case it opens
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    next_index: Mapped[int] = mapped_column(Integer, default=0)  # which occurrence of the rule is next
    next_run_at: Mapped[datetime | None]
    last_run_at: Mapped[datetime | None]
    runs: Mapped[int] = mapped_column(Integer, default=0)
    origin_instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"))  # e.g. the plan it came from
    created_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(64))


class Attachment(Base):
    """A file of a case (a drawn or scanned signature, a photo), kept out of the engine's state."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(128))
    media_type: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class AcceptedDeviation(Base):
    """A deviation from a diagram that QA has accepted, with the reason (Celonis-style allow-list)."""

    __tablename__ = "accepted_deviations"
    __table_args__ = (UniqueConstraint("process_key", "element_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(64))
    element_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))  # inserted, missing
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Notification(Base):
    """A message for one user (in the application, and by e-mail when the user has an address)."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user", "username", "read_at"),
        Index("ix_notifications_mail", "emailed_at"),
        Index("ix_notifications_case", "instance_id", "read_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # assigned, escalation, reminder, certificate
    # None: about no case (a technician's certificate running out)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    title: Mapped[str] = mapped_column(String(256))
    body: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(256))  # where to mail it, None: in the application only
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
    mail_error: Mapped[str | None] = mapped_column(Text)


class CertificateNotice(Base):
    """That the dispatchers were told about a technician's certificate (domain.technicians.CertificateStage),
    once per expiry date and stage: a new certificate date is told about again."""

    __tablename__ = "certificate_notices"
    __table_args__ = (UniqueConstraint("username", "cert_expiry", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    cert_expiry: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(16))
    notified_at: Mapped[datetime]


class DocumentNumber(Base):
    """The last number given in a document series (the service notice, the archived report) in a year;
    counted up in the transaction of the step that uses it, so a step rolled back leaves no gap."""

    __tablename__ = "document_numbers"
    series: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class LaneRole(Base):
    """The process owner's mapping of a process's lane (by id) to the role that works its tasks."""

    __tablename__ = "lane_roles"
    process_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    lane: Mapped[str] = mapped_column(String(128), primary_key=True)
    role: Mapped[str] = mapped_column(String(32))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class TaskMove(Base):
    """A task a migration cancelled and the task of the same element the case got on the new version
    (``old_task_id`` → ``new_task_id``): an old link to the task leads to the new one."""

    __tablename__ = "task_moves"
    old_task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    new_task_id: Mapped[str] = mapped_column(String(36), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    moved_at: Mapped[datetime]


class Setting(Base):
    """Small persistent values, e.g. the simulated clock's offset."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# Form drafts: what a user typed into a task's form and left unsent, one row per user and task.
# No foreign keys: a draft outlives nothing it points at; drafts of tasks no longer ready are ignored.
class Draft(Base):
    __tablename__ = "form_drafts"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


# Diagram drafts: a process owner's unsent edit of a diagram and its forms, one row per user and process.
# No foreign keys: a draft may name a process not deployed yet. ``base_version``: the version the edit
# started from (None for a new process).
class DiagramDraft(Base):
    __tablename__ = "diagram_drafts"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    process_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(256))
    xml: Mapped[str] = mapped_column(Text)
    # Plain JSON, not JSONB: a form's fields keep the order its author gave them.
    forms: Mapped[dict[str, Any]] = mapped_column(JSON)
    base_version: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class ApiToken(Base):
    """A service account's API token: only the SHA-256 of the random token is kept (the token itself
    is shown once, when made). Its roles are a subset of its user's, checked when it is used."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the token's first characters, to recognise it in a list
    roles: Mapped[list[Any]]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    user: Mapped[User] = relationship(lazy="joined")


class IdempotencyKey(Base):
    """The case a start with this ``Idempotency-Key`` opened, per caller: a retried POST answers it again."""

    __tablename__ = "idempotency_keys"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    process_key: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]


class WebhookSubscription(Base):
    """An outside system's wish to be told of events (domain/webhooks.py). ``cursor`` is the last event
    queued for it: deliveries are made from the audit trail after the step committed, never inside it."""

    __tablename__ = "webhook_subscriptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(128))  # signs the bodies; shown once, when made
    event_types: Mapped[list[Any]]  # empty: every type
    process_keys: Mapped[list[Any]]  # empty: every process
    cursor: Mapped[str] = mapped_column(String(48))  # the feed position of the last event queued for it
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """One event for one subscription: sent until the receiver answers 2xx or the attempts run out."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))  # domain.webhooks.DeliveryState
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)  # the receiver's HTTP status, None: no answer
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    subscription: Mapped[WebhookSubscription] = relationship(lazy="joined")
    event: Mapped[Event] = relationship(lazy="joined")


class CustomerLink(Base):
    """A case link (domain/customer_links.py): its token carries only this row's id; the row decides."""

    __tablename__ = "customer_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # domain.customer_links.LinkPurpose
    task_spec: Mapped[str | None] = mapped_column(String(128))  # the customer-lane step a TASK link opens
    # The engine task a TASK link opens: one instance of its step, whose contacts got the link (None:
    # a link issued before 0026, which opens the step's ready task, as it did).
    task_id: Mapped[str | None] = mapped_column(String(36))
    issued_at: Mapped[datetime]
    issued_by: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    used_at: Mapped[datetime | None]  # a TASK link: when its step was done through it
    last_seen_at: Mapped[datetime | None]
    last_ip: Mapped[str | None] = mapped_column(String(64))


class CustomerMessage(Base):
    """A message to a customer (the customers' outbox): queued in the step that caused it, sent afterwards."""

    __tablename__ = "customer_messages"
    __table_args__ = (Index("ix_customer_messages_state", "state", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("customer_links.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))  # domain.customer_links.Channel
    address: Mapped[str] = mapped_column(String(256))  # e-mail address, phone number or WeChat openid
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(256))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # domain.customer_links.MessageState
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(500))


class CasePaper(Base):
    """One version of a paper of a case (service notice, signed report, …): queued by the step that
    issues it with the facts it prints, then rendered once and stored; downloads give these bytes."""

    __tablename__ = "case_papers"
    __table_args__ = (
        UniqueConstraint("instance_id", "kind", "version"),
        Index("ix_case_papers_due", "state", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # services.cases.paper_specs.PaperKind
    version: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(128))  # the document number printed
    issued_by: Mapped[str] = mapped_column(String(128))  # the step (element id) whose completion issued it
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))  # that completion
    issued_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16))  # domain.papers.PaperState
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # what it prints, until it is stored
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    stored_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
