"""Lane roles: per process, the role a process owner gave each lane of its diagram."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy import select

from ..orm import LaneRole
from .base import Repository


class LaneRoleRepository(Repository):
    def of(self, process_key: str) -> dict[str, str]:
        """Lane id -> role, for one process."""
        rows = self.session.scalars(select(LaneRole).where(LaneRole.process_key == process_key))
        return {row.lane: row.role for row in rows}

    def all(self) -> dict[str, dict[str, str]]:
        """Process key -> lane id -> role, for every process with a mapping."""
        found: dict[str, dict[str, str]] = {}
        for row in self.session.scalars(select(LaneRole)):
            found.setdefault(row.process_key, {})[row.lane] = row.role
        return found

    def replace(self, process_key: str, mapping: Mapping[str, str], *, by: str, at: datetime) -> None:
        """The process's whole mapping becomes ``mapping`` (a lane left out has no mapped role)."""
        self.session.execute(delete(LaneRole).where(LaneRole.process_key == process_key))
        for lane, role in mapping.items():
            self.session.add(LaneRole(process_key=process_key, lane=lane, role=role, updated_by=by, updated_at=at))
