"""Form drafts: what a user typed into a task's form and left unsent, one row per user and task.

No foreign keys: a draft is a convenience that outlives nothing it points at; drafts of tasks
that are no longer ready are ignored and removed when seen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from .orm import Draft


class DraftRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, username: str, task_id: str) -> Draft | None:
        return self.session.get(Draft, (username, task_id))

    def put(self, username: str, task_id: str, data: dict[str, Any], now: datetime) -> Draft:
        draft = self.get(username, task_id)
        if draft is None:
            draft = Draft(username=username, task_id=task_id)
            self.session.add(draft)
        draft.data, draft.updated_at = data, now
        return draft

    def remove(self, username: str, task_id: str) -> bool:
        result = self.session.execute(delete(Draft).where(Draft.username == username, Draft.task_id == task_id))
        return bool(result.rowcount)

    def task_ids(self, username: str) -> set[str]:
        return set(self.session.scalars(select(Draft.task_id).where(Draft.username == username)))
