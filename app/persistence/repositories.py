"""Queries, one small repository per table family; services never write SQL themselves."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import undefer

from ..domain.cases import TaskState
from ..domain.cases import TimerState
from ..domain.visibility import ReadScope
from .orm import AcceptedDeviation
from .orm import Attachment
from .orm import Contract
from .orm import Customer
from .orm import Event
from .orm import Instance
from .orm import Notification
from .orm import ProcessVersion
from .orm import Schedule
from .orm import Setting
from .orm import Task
from .orm import Technician
from .orm import Timer
from .orm import Unit
from .orm import User
from .orm import UserRole
from .orm import WorkCalendarDay


def _task_grants(scope: ReadScope) -> ColumnElement[bool]:
    """Tasks that let ``scope``'s user read their case: held (assignee), claimable, of a role-wide role.

    ``assignee`` also stands for "completed by" in the person view: completing sets it to the
    completer unless an administrator completes someone else's task (ix_tasks_assignee answers it;
    ``completed_by`` has no index)."""
    grants = [Task.assignee == scope.username]
    if scope.completed_counts:
        grants.append(Task.completed_by == scope.username)
    if scope.any_task_roles:
        grants.append(Task.role.in_(sorted(scope.any_task_roles)))
    if scope.claimable_roles:
        grants.append(_claimable(scope.claimable_roles))
    return or_(*grants)


def _claimable(roles: frozenset[str]) -> ColumnElement[bool]:
    """Ready tasks of ``roles`` that nobody holds (ix_tasks_inbox: status, role)."""
    return and_(Task.status == TaskState.READY, Task.role.in_(sorted(roles)), Task.assignee.is_(None))


def _case_grants(scope: ReadScope, tasks: ColumnElement[bool]) -> ColumnElement[bool]:
    """Instances ``scope``'s user may read, given the clause that tests their tasks."""
    grants = [Instance.started_by == scope.username, tasks]
    if scope.process_keys:
        grants.append(Instance.process_key.in_(sorted(scope.process_keys)))
    grants += [Instance.data[role].as_string() == scope.username for role in sorted(scope.named_roles)]
    return or_(*grants)


class _Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row) -> None:
        self.session.add(row)


class UserRepository(_Repository):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._role_members: dict[str, list[User]] = {}

    def get(self, username: str) -> User | None:
        return self.session.scalars(select(User).where(User.username == username)).first()

    def list(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.username)))

    def by_usernames(self, usernames: set[str]) -> dict[str, User]:
        if not usernames:
            return {}
        return {u.username: u for u in self.session.scalars(select(User).where(User.username.in_(usernames)))}

    def with_role(self, role: str) -> list[User]:
        """Active users with ``role``; asked once per unit of work (a timer round notifies many cases)."""
        members = self._role_members.get(role)
        if members is None:
            members = list(
                self.session.scalars(
                    select(User)
                    .join(UserRole)
                    .where(UserRole.role == role, User.active.is_(True))
                    .order_by(User.username)
                )
            )
            self._role_members[role] = members
        return list(members)


class VersionRepository(_Repository):
    def latest(self, key: str) -> ProcessVersion | None:
        return self.session.scalars(
            select(ProcessVersion)
            .where(ProcessVersion.process_key == key)
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        ).first()

    def latest_all(self) -> list[ProcessVersion]:
        """The newest version of every process."""
        newest = (
            select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("v"))
            .group_by(ProcessVersion.process_key)
            .subquery()
        )
        return list(
            self.session.scalars(
                select(ProcessVersion).join(
                    newest,
                    (ProcessVersion.process_key == newest.c.process_key) & (ProcessVersion.version == newest.c.v),
                )
            )
        )

    def by_hash(self, key: str, content_hash: str) -> ProcessVersion | None:
        return self.session.scalars(
            select(ProcessVersion).where(ProcessVersion.process_key == key, ProcessVersion.content_hash == content_hash)
        ).first()

    def get_full(self, version_id: int) -> ProcessVersion | None:
        """The version with its diagram, forms and element catalogue loaded."""
        return self.session.get(ProcessVersion, version_id, options=[undefer("*")])

    def all_versions(self, key: str | None = None) -> list[ProcessVersion]:
        query = select(ProcessVersion).order_by(ProcessVersion.process_key, ProcessVersion.version)
        if key:
            query = query.where(ProcessVersion.process_key == key)
        return list(self.session.scalars(query))


class InstanceRepository(_Repository):
    def get(self, instance_id: int) -> Instance | None:
        return self.session.get(Instance, instance_id)

    def by_ids(self, instance_ids: set[int]) -> list[Instance]:
        if not instance_ids:
            return []
        return list(self.session.scalars(select(Instance).where(Instance.id.in_(instance_ids))))

    def lock_by_task(self, task_id: str) -> Instance | None:
        """The instance a task belongs to, locked until commit."""
        owner = select(Task.instance_id).where(Task.id == task_id).scalar_subquery()
        return self.session.scalars(select(Instance).where(Instance.id == owner).with_for_update()).first()

    def lock(self, instance_id: int, *, skip_locked: bool = False) -> Instance | None:
        """The instance row, locked until commit (PostgreSQL; SQLite serialises transactions)."""
        query = select(Instance).where(Instance.id == instance_id).with_for_update(skip_locked=skip_locked)
        return self.session.scalars(query).first()

    def lock_due(self, instance_ids: list[int], now: datetime) -> list[Instance]:
        """Those of the instances that still have a timer due and that no other transaction holds,
        locked until commit, in id order (another worker may have fired them since they were listed)."""
        still_due = (
            select(Timer.id)
            .where(Timer.instance_id == Instance.id, Timer.status == TimerState.WAITING, Timer.due_at < now)
            .exists()
        )
        query = (
            select(Instance)
            .where(Instance.id.in_(instance_ids), still_due)
            .order_by(Instance.id)
            .with_for_update(of=Instance, skip_locked=True)
        )
        return list(self.session.scalars(query))

    def list(
        self,
        *,
        process_key: str | None = None,
        status: str | None = None,
        ids: Iterable[int] | None = None,
        visible_to: ReadScope | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Instance]:
        """Newest first; ``visible_to``: only the cases that user may read (one query)."""
        query = select(Instance).order_by(Instance.id.desc()).limit(limit).offset(offset)
        if visible_to is not None and not visible_to.everything:
            held = Instance.id.in_(select(Task.instance_id).where(_task_grants(visible_to)))
            query = query.where(_case_grants(visible_to, held))
        if process_key:
            query = query.where(Instance.process_key == process_key)
        if status:
            query = query.where(Instance.status == status)
        if ids is not None:
            query = query.where(Instance.id.in_(list(ids)))
        return list(self.session.scalars(query))

    def is_visible(self, instance_id: int, scope: ReadScope) -> bool:
        """May ``scope``'s user read this case? The same grants as ``list(visible_to=...)``."""
        if scope.everything:
            return True
        held = exists(select(Task.id).where(Task.instance_id == Instance.id, _task_grants(scope)))
        query = select(Instance.id).where(Instance.id == instance_id, _case_grants(scope, held))
        return self.session.scalar(query) is not None

    def created_between(self, process_key: str, start: datetime, end: datetime) -> list[Instance]:
        return list(
            self.session.scalars(
                select(Instance)
                .where(Instance.process_key == process_key, Instance.created_at >= start, Instance.created_at < end)
                .order_by(Instance.id)
            )
        )

    def children(self, instance_id: int) -> list[Instance]:
        return list(
            self.session.scalars(select(Instance).where(Instance.parent_id == instance_id).order_by(Instance.id))
        )

    def count_by_version(self) -> dict[int, int]:
        rows = self.session.execute(select(Instance.version_id, func.count()).group_by(Instance.version_id))
        return dict(rows.all())


class TaskRepository(_Repository):
    def get(self, task_id: str) -> Task | None:
        return self.session.get(Task, task_id)

    def for_instance(self, instance_id: int, status: str | None = None) -> list[Task]:
        query = select(Task).where(Task.instance_id == instance_id).order_by(Task.created_at, Task.id)
        if status:
            query = query.where(Task.status == status)
        return list(self.session.scalars(query))

    def inbox(
        self,
        *,
        scope: ReadScope | None,
        username: str | None,
        status: str | None,
        instance_id: int | None,
        process_key: str | None,
        mine: bool,
        overdue_before: datetime | None,
        limit: int,
        offset: int,
    ) -> list[Task]:
        query = select(Task)
        if status:
            query = query.where(Task.status == status)
        if instance_id is not None:
            query = query.where(Task.instance_id == instance_id)
        if process_key:
            query = query.where(Task.process_key == process_key)
        if mine:
            query = query.where(Task.assignee == username)
        elif scope is not None:  # None: may see every task
            shown = [Task.assignee == username]
            if scope.inbox_roles:
                shown.append(Task.role.in_(sorted(scope.inbox_roles)))
            if scope.claimable_roles:
                shown.append(_claimable(scope.claimable_roles))
            query = query.where(or_(*shown))
        if overdue_before is not None:
            query = query.where(Task.due_at < overdue_before)
        query = query.order_by(Task.due_at.is_(None), Task.due_at, Task.created_at, Task.id)
        return list(self.session.scalars(query.limit(limit).offset(offset)))

    def count_ready(self) -> int:
        return self.session.scalar(select(func.count()).select_from(Task).where(Task.status == TaskState.READY)) or 0

    def open_load(self, usernames: Iterable[str]) -> dict[str, int]:
        rows = self.session.execute(
            select(Task.assignee, func.count())
            .where(Task.status == TaskState.READY, Task.assignee.in_(list(usernames)))
            .group_by(Task.assignee)
        )
        return dict(rows.all())

    def of_instances(self, instance_ids: Iterable[int]) -> list[Task]:
        ids = list(instance_ids)
        return list(self.session.scalars(select(Task).where(Task.instance_id.in_(ids)))) if ids else []


class TimerRepository(_Repository):
    def get(self, timer_id: str) -> Timer | None:
        return self.session.get(Timer, timer_id)

    def for_instance(self, instance_id: int, status: str | None = None) -> list[Timer]:
        query = select(Timer).where(Timer.instance_id == instance_id).order_by(Timer.due_at, Timer.id)
        if status:
            query = query.where(Timer.status == status)
        return list(self.session.scalars(query))

    def due_instance_ids(self, now: datetime, limit: int) -> list[int]:
        """Instances with a waiting timer due before ``now``, most overdue first."""
        query = (
            select(Timer.instance_id, func.min(Timer.due_at).label("due"))
            .where(Timer.status == TimerState.WAITING, Timer.due_at < now)
            .group_by(Timer.instance_id)
            .order_by("due")
            .limit(limit)
        )
        return [row.instance_id for row in self.session.execute(query)]

    def next_due(self) -> datetime | None:
        return self.session.scalar(select(func.min(Timer.due_at)).where(Timer.status == TimerState.WAITING))

    def count_due(self, before: datetime) -> int:
        return (
            self.session.scalar(
                select(func.count()).select_from(Timer).where(Timer.status == TimerState.WAITING, Timer.due_at < before)
            )
            or 0
        )

    def deadlines_due_between(self, start: datetime, end: datetime, process_key: str | None = None) -> list[Timer]:
        """Timers sitting on a task (deadlines of people's work) due in [start, end)."""
        query = (
            select(Timer)
            .join(Instance, Instance.id == Timer.instance_id)
            .where(Timer.attached_to.is_not(None), Timer.due_at >= start, Timer.due_at < end)
            .order_by(Timer.due_at, Timer.id)
        )
        if process_key:
            query = query.where(Instance.process_key == process_key)
        return list(self.session.scalars(query))


class EventRepository(_Repository):
    def between(
        self,
        process_key: str,
        types: Iterable[str],
        start: datetime,
        end: datetime,
        element_ids: Iterable[str] | None = None,
    ) -> list[Event]:
        """Events of ``process_key`` cases of the given types in [start, end), oldest first."""
        query = (
            select(Event)
            .join(Instance, Instance.id == Event.instance_id)
            .where(Instance.process_key == process_key, Event.type.in_(list(types)), Event.at >= start, Event.at < end)
            .order_by(Event.id)
        )
        if element_ids is not None:
            query = query.where(Event.element_id.in_(list(element_ids)))
        return list(self.session.scalars(query))

    def of_instances(self, instance_ids: Iterable[int], types: Iterable[str]) -> list[Event]:
        ids = list(instance_ids)
        if not ids:
            return []
        return list(
            self.session.scalars(
                select(Event).where(Event.instance_id.in_(ids), Event.type.in_(list(types))).order_by(Event.id)
            )
        )

    def for_instance(self, instance_id: int) -> list[Event]:
        return list(self.session.scalars(select(Event).where(Event.instance_id == instance_id).order_by(Event.id)))


class MasterDataRepository(_Repository):
    def technicians(self) -> list[Technician]:
        return list(self.session.scalars(select(Technician).order_by(Technician.username)))

    def technician(self, username: str) -> Technician | None:
        return self.session.scalars(select(Technician).where(Technician.username == username)).first()

    def customers(self, query: str | None = None, limit: int = 50) -> list[Customer]:
        stmt = select(Customer).order_by(Customer.code).limit(limit)
        if query:
            like = f"%{query}%"
            stmt = stmt.where(or_(Customer.name.ilike(like), Customer.code.ilike(like), Customer.phone.ilike(like)))
        return list(self.session.scalars(stmt))

    def unit(self, serial_no: str) -> Unit | None:
        return self.session.scalars(select(Unit).where(Unit.serial_no == serial_no)).first()

    def units_by_serial_prefix(self, prefix: str, limit: int) -> list[Unit]:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return list(
            self.session.scalars(
                select(Unit)
                .where(Unit.serial_no.like(escaped + "%", escape="\\"))
                .order_by(Unit.serial_no)
                .limit(limit)
            )
        )

    def units(self, customer_id: int | None = None, limit: int = 100) -> list[Unit]:
        stmt = select(Unit).order_by(Unit.serial_no).limit(limit)
        if customer_id is not None:
            stmt = stmt.where(Unit.customer_id == customer_id)
        return list(self.session.scalars(stmt))

    def contracts(self) -> list[Contract]:
        return list(self.session.scalars(select(Contract).order_by(Contract.ends_on)))

    def customer_by_code(self, code: str) -> Customer | None:
        return self.session.scalars(select(Customer).where(Customer.code == code)).first()


class CalendarRepository(_Repository):
    def all_days(self) -> list[WorkCalendarDay]:
        return list(self.session.scalars(select(WorkCalendarDay)))

    def days(self, first: date, last: date) -> list[WorkCalendarDay]:
        return list(
            self.session.scalars(
                select(WorkCalendarDay)
                .where(WorkCalendarDay.day >= first, WorkCalendarDay.day <= last)
                .order_by(WorkCalendarDay.day)
            )
        )

    def get(self, day: date) -> WorkCalendarDay | None:
        return self.session.get(WorkCalendarDay, day)

    def years(self) -> dict[int, dict[str, int]]:
        """Per year, how many days each source provides."""
        year = func.extract("year", WorkCalendarDay.day)
        rows = self.session.execute(
            select(year, WorkCalendarDay.source, func.count()).group_by(year, WorkCalendarDay.source)
        )
        result: dict[int, dict[str, int]] = {}
        for y, source, count in rows:
            result.setdefault(int(y), {})[source] = count
        return result


class ScheduleRepository(_Repository):
    def list(self) -> list[Schedule]:
        return list(
            self.session.scalars(
                select(Schedule).order_by(Schedule.next_run_at.is_(None), Schedule.next_run_at, Schedule.id)
            )
        )

    def get(self, schedule_id: int) -> Schedule | None:
        return self.session.get(Schedule, schedule_id)

    def by_name(self, name: str) -> Schedule | None:
        return self.session.scalars(select(Schedule).where(Schedule.name == name)).first()

    def due_ids(self, now: datetime, limit: int) -> list[int]:
        return list(
            self.session.scalars(
                select(Schedule.id)
                .where(Schedule.enabled.is_(True), Schedule.next_run_at < now)
                .order_by(Schedule.next_run_at)
                .limit(limit)
            )
        )

    def lock(self, schedule_id: int) -> Schedule | None:
        return self.session.scalars(
            select(Schedule).where(Schedule.id == schedule_id).with_for_update(skip_locked=True)
        ).first()

    def next_due(self) -> datetime | None:
        return self.session.scalar(select(func.min(Schedule.next_run_at)).where(Schedule.enabled.is_(True)))


class AttachmentRepository(_Repository):
    def get(self, attachment_id: int, *, with_content: bool = False) -> Attachment | None:
        options = [undefer(Attachment.content)] if with_content else []
        return self.session.get(Attachment, attachment_id, options=options)

    def for_instance(self, instance_id: int) -> list[Attachment]:
        return list(
            self.session.scalars(
                select(Attachment).where(Attachment.instance_id == instance_id).order_by(Attachment.id)
            )
        )


class AcceptedDeviationRepository(_Repository):
    def list(self, process_key: str | None = None) -> list[AcceptedDeviation]:
        query = select(AcceptedDeviation).order_by(AcceptedDeviation.process_key, AcceptedDeviation.element_id)
        if process_key:
            query = query.where(AcceptedDeviation.process_key == process_key)
        return list(self.session.scalars(query))

    def get(self, row_id: int) -> AcceptedDeviation | None:
        return self.session.get(AcceptedDeviation, row_id)

    def find(self, process_key: str, element_id: str, kind: str) -> AcceptedDeviation | None:
        return self.session.scalars(
            select(AcceptedDeviation).where(
                AcceptedDeviation.process_key == process_key,
                AcceptedDeviation.element_id == element_id,
                AcceptedDeviation.kind == kind,
            )
        ).first()

    def delete(self, row: AcceptedDeviation) -> None:
        self.session.delete(row)


class NotificationRepository(_Repository):
    def for_user(
        self, username: str, *, unread_only: bool = False, limit: int = 100, offset: int = 0
    ) -> list[Notification]:
        query = select(Notification).where(Notification.username == username)
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        return list(self.session.scalars(query.order_by(Notification.id.desc()).offset(offset).limit(limit)))

    def count_for_user(self, username: str) -> int:
        return (
            self.session.scalar(select(func.count()).select_from(Notification).where(Notification.username == username))
            or 0
        )

    def mark_all_read(self, username: str, now: datetime) -> int:
        result = self.session.execute(
            update(Notification)
            .where(Notification.username == username, Notification.read_at.is_(None))
            .values(read_at=now)
        )
        return result.rowcount or 0

    def clear_finished(self, instance_id: int, open_task_ids: set[str], now: datetime) -> None:
        """Unread notifications about tasks of the case that are no longer open count as read."""
        query = update(Notification).where(
            Notification.instance_id == instance_id,
            Notification.read_at.is_(None),
            Notification.task_id.is_not(None),
        )
        if open_task_ids:
            query = query.where(Notification.task_id.not_in(sorted(open_task_ids)))
        self.session.execute(query.values(read_at=now), execution_options={"synchronize_session": False})

    def unread_count(self, username: str) -> int:
        return (
            self.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.username == username, Notification.read_at.is_(None))
            )
            or 0
        )

    def get(self, notification_id: int) -> Notification | None:
        return self.session.get(Notification, notification_id)

    def unsent(self, since: datetime, limit: int) -> list[Notification]:
        """Mail not yet sent (or failed), oldest first, locked so two senders never send one twice."""
        return list(
            self.session.scalars(
                select(Notification)
                .where(
                    Notification.emailed_at.is_(None), Notification.email.is_not(None), Notification.created_at >= since
                )
                .order_by(Notification.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )


class SettingRepository(_Repository):
    def get(self, key: str) -> str | None:
        row = self.session.get(Setting, key)
        return row.value if row else None

    def put(self, key: str, value: str) -> None:
        row = self.session.get(Setting, key)
        if row is None:
            self.session.add(Setting(key=key, value=value))
        else:
            row.value = value
