"""The one clock the whole application reads time from.

``SystemClock`` is the wall clock. ``SimulatedClock`` is the wall clock plus an offset that can
only move forward (``advance``); tests freeze it so nothing depends on real time passing.
All times are timezone-aware UTC.
"""

from __future__ import annotations

import threading
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Protocol


class Clock(Protocol):
    simulated: bool

    def now(self) -> datetime: ...


class SystemClock:
    simulated = False

    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """Wall clock plus a forward-only offset; ``frozen`` stops it between advances (tests).

    It can be shared between threads.
    """

    simulated = True

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._frozen_at = (start or datetime.now(UTC)) if frozen else None
        self._offset = timedelta(0) if start is None or frozen else start - datetime.now(UTC)

    def now(self) -> datetime:
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return datetime.now(UTC) + self._offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += delta
                return self._frozen_at
            self._offset += delta
            return datetime.now(UTC) + self._offset

    def set_offset(self, offset: timedelta) -> None:
        """Restore a persisted offset at start-up (never moves time back)."""
        with self._lock:
            if self._frozen_at is None and offset > self._offset:
                self._offset = offset
