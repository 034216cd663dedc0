"""Which tasks a list asks for and in which order: the API's task list and the inbox ask the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .cases import TaskState


@dataclass(frozen=True)
class TaskQuery:
    """Which tasks a list asks for, and in which order (``sort``: one of SORTS, ``order``: asc/desc)."""

    status: str | None = TaskState.READY
    instance_id: int | None = None
    process_key: str | None = None
    mine: bool = False
    overdue_before: datetime | None = None
    assignee: str | None = None
    name: str | None = None  # the task name contains it (any case)
    customer: str | None = None  # the case's customer name contains it
    due_before: datetime | None = None
    due_after: datetime | None = None
    sort: str = "due"
    order: str = "asc"


SORTS = ("due", "created", "name", "process", "case")  # what a task list may be sorted by
