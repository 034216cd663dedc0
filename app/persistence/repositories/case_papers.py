"""The stored papers of cases (``case_papers``): each version, and those still to be rendered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy import null
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import undefer

from ...domain.papers import PaperState
from ..orm import CasePaper
from .base import Repository


class CasePaperRepository(Repository):
    def get(self, paper_id: int, *, with_content: bool = False) -> CasePaper | None:
        options = [undefer(CasePaper.content)] if with_content else []
        return self.session.get(CasePaper, paper_id, options=options, populate_existing=with_content)

    def of_instance(self, instance_id: int) -> list[CasePaper]:
        """Every version of every paper of the case, by kind and version (without the bytes)."""
        query = select(CasePaper).where(CasePaper.instance_id == instance_id)
        return list(self.session.scalars(query.order_by(CasePaper.kind, CasePaper.version)))

    def find(self, instance_id: int, kind: str, version: int | None = None) -> CasePaper | None:
        """Version ``version`` of paper ``kind`` of the case; its latest when None."""
        query = select(CasePaper).where(CasePaper.instance_id == instance_id, CasePaper.kind == kind)
        if version is not None:
            return self.session.scalars(query.where(CasePaper.version == version)).first()
        return self.session.scalars(query.order_by(CasePaper.version.desc()).limit(1)).first()

    def next_version(self, instance_id: int, kind: str) -> int:
        query = select(func.max(CasePaper.version)).where(CasePaper.instance_id == instance_id, CasePaper.kind == kind)
        return (self.session.scalar(query) or 0) + 1

    def due(self, now: datetime, limit: int, instance_id: int | None = None) -> list[int]:
        """The papers still to be rendered whose next attempt is due (oldest first)."""
        query = select(CasePaper.id).where(
            CasePaper.state == PaperState.PENDING,
            or_(CasePaper.next_attempt_at.is_(None), CasePaper.next_attempt_at <= now),
        )
        if instance_id is not None:
            query = query.where(CasePaper.instance_id == instance_id)
        return list(self.session.scalars(query.order_by(CasePaper.id).limit(limit)))

    def claim(self, paper_id: int, now: datetime, until: datetime) -> bool:
        """Take pending paper ``paper_id`` to render it, if it is due and no other worker took it: its next
        attempt moves to ``until`` (a worker that dies meanwhile leaves it due again then)."""
        taken = self.session.execute(
            update(CasePaper)
            .where(
                CasePaper.id == paper_id,
                CasePaper.state == PaperState.PENDING,
                or_(CasePaper.next_attempt_at.is_(None), CasePaper.next_attempt_at <= now),
            )
            .values(next_attempt_at=until)
            .execution_options(synchronize_session=False)
        )
        return taken.rowcount == 1

    def store(self, paper_id: int, content: bytes, sha256: str, at: datetime) -> bool:
        """Store the PDF of a pending paper; False when another worker stored it first (its bytes stay)."""
        stored = self.session.execute(
            update(CasePaper)
            .where(CasePaper.id == paper_id, CasePaper.state == PaperState.PENDING)
            .values(
                state=PaperState.STORED,
                content=content,
                sha256=sha256,
                size=len(content),
                stored_at=at,
                facts=null(),  # the PDF is the truth now
                next_attempt_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        return stored.rowcount == 1
