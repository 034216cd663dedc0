"""What every use case needs, wired once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from ..clock import Clock
from ..domain.visibility import CaseVisibility
from ..engine import WorkflowEngine
from ..integrations.smtp import MailSettings
from ..persistence.unit_of_work import UnitOfWork
from .customers.settings import CustomerSettings
from .processes.version_cache import VersionCatalog
from .signals import case_events_committed
from .signals import papers_queued
from .signals import timers_changed
from .timing.work_calendar import CalendarCache


@dataclass
class ServiceContext:
    """Shared by request threads and the scheduler thread; holds no per-request state."""

    uow: Callable[[], UnitOfWork]
    engine: WorkflowEngine
    clock: Clock
    calendar: CalendarCache
    processes_dir: str
    mail: MailSettings = field(default_factory=lambda: MailSettings(host=""))
    # werkzeug hash method; tests use a cheap one, production keeps scrypt.
    password_method: str = "scrypt"
    versions: VersionCatalog = field(default_factory=VersionCatalog)
    # Who reads which case (AFTERSALES_CASE_VISIBILITY; see domain/visibility.py).
    case_visibility: CaseVisibility = CaseVisibility.PERSON
    # Does the database have every migration? (wired to persistence.schema.is_current)
    schema_current: Callable[[], bool] = field(default=lambda: True)
    # Case links and messages to customers (services/customers/).
    customers: CustomerSettings = field(default_factory=CustomerSettings)
    # The header of the printed papers (AFTERSALES_COMPANY_NAME).
    company: str = "客户服务部 · 售后服务 / Customer Service Department"

    def announce_timers(self, due: datetime | None) -> None:
        """After a commit: the earliest waiting timer of what changed (signals.timers_changed)."""
        timers_changed.send(self, due=due)

    def announce_events(self, process_key: str, events: list) -> None:
        """After a commit: the audit events a case step wrote (signals.case_events_committed)."""
        case_events_committed.send(self, process_key=process_key, events=events)

    def announce_papers(self, instance_id: int) -> None:
        """After a commit: case ``instance_id`` queued papers to render (signals.papers_queued)."""
        papers_queued.send(self, instance_id=instance_id)
