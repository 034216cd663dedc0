"""Cases (process instances): lookups, row locks and the visibility-filtered case list."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select

from ...domain.cases import TimerState
from ...domain.visibility import ReadScope
from ..orm import Instance
from ..orm import Task
from ..orm import Timer
from .base import Repository
from .visibility import case_grants
from .visibility import task_grants

# What a list of cases may be sorted by (API ``sort``).
SORTABLE = {
    "id": Instance.id,
    "case_no": Instance.case_no,
    "created_at": Instance.created_at,
    "updated_at": Instance.updated_at,
}


def _data_equals(key: str, value: Any) -> ColumnElement[bool]:
    item = Instance.data[key]
    if isinstance(value, bool):
        return item.as_boolean() == value
    if isinstance(value, int):
        return item.as_integer() == value
    if isinstance(value, float):
        return item.as_float() == value
    return item.as_string() == str(value)


class InstanceRepository(Repository):
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
        case_no: str | None = None,
        updated_since: datetime | None = None,
        sort: str = "id",
        order: str = "desc",
    ) -> list[Instance]:
        """Newest first unless ``sort``/``order`` say otherwise (ties by id); ``visible_to``: only the
        cases that user may read (one query)."""
        column = SORTABLE[sort]
        ordering = (column.asc(), Instance.id.asc()) if order == "asc" else (column.desc(), Instance.id.desc())
        query = self._filtered(select(Instance), process_key, status, ids, visible_to, case_no, updated_since)
        return list(self.session.scalars(query.order_by(*ordering).limit(limit).offset(offset)))

    def count(
        self,
        *,
        process_key: str | None = None,
        status: str | None = None,
        visible_to: ReadScope | None = None,
        case_no: str | None = None,
        updated_since: datetime | None = None,
    ) -> int:
        """How many cases ``list`` would give with no limit."""
        counted = select(func.count(Instance.id))
        query = self._filtered(counted, process_key, status, None, visible_to, case_no, updated_since)
        return int(self.session.scalar(query) or 0)

    @staticmethod
    def _filtered(query, process_key, status, ids, visible_to, case_no, updated_since):
        if visible_to is not None and not visible_to.everything:
            held = Instance.id.in_(select(Task.instance_id).where(task_grants(visible_to)))
            query = query.where(case_grants(visible_to, held))
        if process_key:
            query = query.where(Instance.process_key == process_key)
        if status:
            query = query.where(Instance.status == status)
        if ids is not None:
            query = query.where(Instance.id.in_(list(ids)))
        if case_no is not None:
            query = query.where(Instance.case_no == case_no)
        if updated_since is not None:
            query = query.where(Instance.updated_at >= updated_since)
        return query

    def correlated(
        self,
        *,
        keys: Mapping[str, Any],
        status: str,
        visible_to: ReadScope,
        case_no: str | None = None,
        instance_id: int | None = None,
        limit: int = 20,
    ) -> list[Instance]:
        """Cases in ``status`` whose data holds every key = value of ``keys`` (strings, numbers,
        booleans), the one numbered ``case_no`` / with id ``instance_id`` if given, that ``visible_to``'s
        user may read; oldest first."""
        ids = [instance_id] if instance_id is not None else None
        query = self._filtered(select(Instance), None, status, ids, visible_to, case_no, None)
        for key, value in keys.items():
            query = query.where(_data_equals(key, value))
        return list(self.session.scalars(query.order_by(Instance.id).limit(limit)))

    def by_case_no(self, case_no: str) -> Instance | None:
        return self.session.scalars(select(Instance).where(Instance.case_no == case_no)).first()

    def is_visible(self, instance_id: int, scope: ReadScope) -> bool:
        """May ``scope``'s user read this case? The same grants as ``list(visible_to=...)``."""
        if scope.everything:
            return True
        held = exists(select(Task.id).where(Task.instance_id == Instance.id, task_grants(scope)))
        query = select(Instance.id).where(Instance.id == instance_id, case_grants(scope, held))
        return self.session.scalar(query) is not None

    def created_between(self, process_key: str, start: datetime | None, end: datetime | None) -> list[Instance]:
        """The process's cases opened in [start, end); a missing bound is open (both missing: every case)."""
        query = select(Instance).where(Instance.process_key == process_key)
        if start is not None:
            query = query.where(Instance.created_at >= start)
        if end is not None:
            query = query.where(Instance.created_at < end)
        return list(self.session.scalars(query.order_by(Instance.id)))

    def children(self, instance_id: int) -> list[Instance]:
        return list(
            self.session.scalars(select(Instance).where(Instance.parent_id == instance_id).order_by(Instance.id))
        )

    def count_by_version(self) -> dict[int, int]:
        rows = self.session.execute(select(Instance.version_id, func.count()).group_by(Instance.version_id))
        return dict(rows.all())
