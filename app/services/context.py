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
from .processes.version_cache import VersionCatalog
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
    # Called after a commit with what a case did (process key, audit events): metrics listen here.
    on_events: Callable[[str, list], None] = field(default=lambda process_key, events: None)
    # Called after a commit with the earliest waiting timer, so the alarm clock can re-arm.
    on_timers_changed: Callable[[datetime | None], None] = field(default=lambda due: None)
