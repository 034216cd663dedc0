"""Task moves: which task a migration's case got in place of a task it cancelled, so old task links
lead to the new task (written by services/cases/repair.migrate_case)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..orm import TaskMove
from .base import Repository

# A case moved more often than this in a row is not followed further (a loop would be a bug).
MAX_HOPS = 32


class TaskMoveRepository(Repository):
    def record(self, instance_id: int, moves: dict[str, str], at: datetime) -> None:
        """Old task id -> new task id, for the tasks of one migration."""
        for old, new in moves.items():
            self.session.add(TaskMove(old_task_id=old, new_task_id=new, instance_id=instance_id, moved_at=at))

    def follow(self, task_id: str) -> str | None:
        """The task that took ``task_id``'s place, after every move since (None: it was never moved)."""
        current, seen = task_id, {task_id}
        for _ in range(MAX_HOPS):
            following = self.session.scalar(select(TaskMove.new_task_id).where(TaskMove.old_task_id == current))
            if following is None or following in seen:
                break
            current = following
            seen.add(current)
        return None if current == task_id else current
