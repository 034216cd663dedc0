"""UnitOfWork: one session per use case; nothing is kept unless ``commit()`` is called."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy.exc import DataError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ..errors import Conflict
from ..errors import InvalidInput
from .diagram_drafts import DiagramDraftRepository
from .drafts import DraftRepository
from .live_counts import LiveCountRepository
from .repositories.accepted_deviations import AcceptedDeviationRepository
from .repositories.api_tokens import ApiTokenRepository
from .repositories.api_tokens import IdempotencyRepository
from .repositories.attachments import AttachmentRepository
from .repositories.case_papers import CasePaperRepository
from .repositories.cases import InstanceRepository
from .repositories.customer_links import CustomerLinkRepository
from .repositories.document_numbers import DocumentNumberRepository
from .repositories.events import EventRepository
from .repositories.external_tasks import ExternalTaskRepository
from .repositories.lane_roles import LaneRoleRepository
from .repositories.master_data import MasterDataRepository
from .repositories.master_records import MasterRecordRepository
from .repositories.notifications import NotificationRepository
from .repositories.people import UserRepository
from .repositories.processes import VersionRepository
from .repositories.schedules import ScheduleRepository
from .repositories.settings import SettingRepository
from .repositories.task_moves import TaskMoveRepository
from .repositories.tasks import TaskRepository
from .repositories.timers import TimerRepository
from .repositories.webhooks import WebhookRepository
from .repositories.work_calendar import CalendarRepository


class Busy(Conflict):
    """A concurrent change won; the request can be repeated."""


class UnitOfWork:
    """Use as ``with uow_factory() as uow: ...; uow.commit()``; leaving the block rolls back."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> UnitOfWork:
        self._after_commit: list = []
        self.session = self._session_factory()
        self.users = UserRepository(self.session)
        self.versions = VersionRepository(self.session)
        self.instances = InstanceRepository(self.session)
        self.tasks = TaskRepository(self.session)
        self.task_moves = TaskMoveRepository(self.session)
        self.external_tasks = ExternalTaskRepository(self.session)
        self.timers = TimerRepository(self.session)
        self.events = EventRepository(self.session)
        self.master = MasterDataRepository(self.session)
        self.records = MasterRecordRepository(self.session)
        self.settings = SettingRepository(self.session)
        self.calendar = CalendarRepository(self.session)
        self.schedules = ScheduleRepository(self.session)
        self.notifications = NotificationRepository(self.session)
        self.attachments = AttachmentRepository(self.session)
        self.papers = CasePaperRepository(self.session)
        self.accepted = AcceptedDeviationRepository(self.session)
        self.drafts = DraftRepository(self.session)
        self.diagram_drafts = DiagramDraftRepository(self.session)
        self.live_counts = LiveCountRepository(self.session)
        self.numbers = DocumentNumberRepository(self.session)
        self.tokens = ApiTokenRepository(self.session)
        self.idempotency = IdempotencyRepository(self.session)
        self.webhooks = WebhookRepository(self.session)
        self.lane_roles = LaneRoleRepository(self.session)
        self.customer_links = CustomerLinkRepository(self.session)
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        # close() rolls back whatever was not committed and detaches the rows without
        # expiring them, so results stay readable after the block.
        self.session.close()
        if isinstance(exc, StatementError) and (isinstance(exc, DataError) or isinstance(exc.orig, OverflowError)):
            # A value the database cannot hold — an id beyond 64 bits (SQLite), beyond ``integer``
            # (PostgreSQL), a date before year 1 in UTC, a NUL character in JSON (PostgreSQL) — is the
            # request's fault; any other database failure stays what it is.
            raise InvalidInput("a value in the request is out of range or cannot be stored") from exc

    def commit(self) -> None:
        """Commit; a write that lost a race (a stale version, a duplicate key, a lock the database
        gave up on) becomes ``Busy`` — nothing of this unit of work is kept."""
        with self._races():
            self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def racing(self):
        """Around writes sent before the commit (an import's multi-row INSERTs): a lost race there is
        ``Busy`` too, as it is at commit."""
        return self._races()

    @contextmanager
    def _races(self):
        try:
            yield
        except (StaleDataError, IntegrityError, OperationalError) as exc:
            self.session.rollback()
            raise Busy(f"changed by someone else at the same time; try again ({exc.__class__.__name__})") from exc

    def after_commit(self, callback) -> None:
        """Run ``callback`` once this unit of work has committed (never if it rolls back)."""
        self._after_commit.append(callback)

    def add_row(self, row) -> None:
        self.session.add(row)

    def add_rows(self, rows) -> None:
        self.session.add_all(rows)

    def no_autoflush(self):
        """Read without writing what is pending first (the caller writes everything in one flush)."""
        return self.session.no_autoflush

    def flush(self) -> None:
        """Write what is pending now (queries see it); a lost race becomes ``Busy`` as in commit."""
        with self._races():
            self.session.flush()
