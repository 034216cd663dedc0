"""Diagram drafts: a process owner's unsent edit of a diagram and its forms, one row per user and process.

No foreign keys: a draft may name a process that is not deployed yet, and outlives nothing it points at.
``base_version`` is the deployed version the edit started from (None for a new process).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from .orm import DiagramDraft


class DiagramDraftRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, username: str, process_key: str) -> DiagramDraft | None:
        return self.session.get(DiagramDraft, (username, process_key))

    def put(
        self,
        username: str,
        process_key: str,
        *,
        filename: str,
        xml: str,
        forms: dict[str, Any],
        base_version: int | None,
        now: datetime,
    ) -> DiagramDraft:
        draft = self.get(username, process_key)
        if draft is None:
            draft = DiagramDraft(username=username, process_key=process_key)
            self.session.add(draft)
        draft.filename, draft.xml, draft.forms = filename, xml, forms
        draft.base_version, draft.updated_at = base_version, now
        return draft

    def remove(self, username: str, process_key: str) -> bool:
        result = self.session.execute(
            delete(DiagramDraft).where(DiagramDraft.username == username, DiagramDraft.process_key == process_key)
        )
        return bool(result.rowcount)

    def of_user(self, username: str) -> list[DiagramDraft]:
        return list(
            self.session.scalars(
                select(DiagramDraft).where(DiagramDraft.username == username).order_by(DiagramDraft.process_key)
            )
        )
