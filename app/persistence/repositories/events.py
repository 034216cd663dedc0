"""The case journal: events of one case, of many cases, of a process over a period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from ..orm import Event
from ..orm import Instance
from .base import Repository


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
