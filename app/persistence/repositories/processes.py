"""Deployed process versions."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import undefer

from ..orm import ProcessVersion
from .base import Repository


class VersionRepository(Repository):
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
