"""The rules of a case's stored papers: a paper is pending until its PDF is stored, and a rendering
that failed is tried again later, less often each time (no I/O, no clock: the caller gives ``now``)."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from enum import StrEnum

FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)  # the longest wait between two attempts


class PaperState(StrEnum):
    """A stored paper's state (``case_papers.state``)."""

    PENDING = "pending"  # issued by its step; the PDF is still to be rendered and stored
    STORED = "stored"  # the PDF is stored; every download gives these bytes


def retry_at(now: datetime, attempts: int) -> datetime:
    """When to render again a paper whose rendering failed ``attempts`` times (1, 2, 4 … minutes, at most 6 h)."""
    wait = FIRST_RETRY * (2 ** max(attempts - 1, 0)) if attempts < 20 else LAST_RETRY
    return now + min(wait, LAST_RETRY)
