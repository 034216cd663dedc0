"""The case journal: events of one case, of many cases, of a process over a period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy import tuple_

from ...domain.visibility import ReadScope
from ..orm import Event
from ..orm import Instance
from ..orm import Task
from ..orm import committed_horizon
from .base import Repository
from .visibility import case_grants
from .visibility import task_grants


class EventRepository(Repository):
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

    def feed(
        self,
        after: tuple[int, int],
        *,
        limit: int,
        process_keys: Iterable[str] = (),
        types: Iterable[str] = (),
        visible_to: ReadScope | None = None,
    ) -> list[tuple[Event, str, str | None]]:
        """Events after the feed position ``after`` = (txid, id), in feed order, of ended transactions
        only; each with its case's process key and number. ``visible_to``: only events of cases that
        user may read."""
        position = tuple_(Event.txid, Event.id)
        query = (
            select(Event, Instance.process_key, Instance.case_no)
            .join(Instance, Instance.id == Event.instance_id)
            .where(position > tuple_(*after), Event.txid < committed_horizon())
        )
        if keys := list(process_keys):
            query = query.where(Instance.process_key.in_(keys))
        if wanted := list(types):
            query = query.where(Event.type.in_(wanted))
        if visible_to is not None and not visible_to.everything:
            held = Instance.id.in_(select(Task.instance_id).where(task_grants(visible_to)))
            query = query.where(case_grants(visible_to, held))
        return [tuple(row) for row in self.session.execute(query.order_by(Event.txid, Event.id).limit(limit))]

    def case_refs(self, instance_ids: Iterable[int]) -> dict[int, tuple[str, str | None]]:
        """instance id → (process key, case number), without loading the cases' state."""
        query = select(Instance.id, Instance.process_key, Instance.case_no).where(Instance.id.in_(set(instance_ids)))
        return {row[0]: (row[1], row[2]) for row in self.session.execute(query)}

    def head(self) -> tuple[int, int]:
        """The feed position of the newest event (where a new subscriber starts)."""
        row = self.session.execute(select(Event.txid, Event.id).order_by(Event.txid.desc(), Event.id.desc())).first()
        return (int(row[0]), int(row[1])) if row else (0, 0)
