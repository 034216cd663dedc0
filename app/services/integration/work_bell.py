"""The bell a long-polling worker waits on: rung after a commit that made an external task ready
(signals.case_events_committed), so ``fetch-and-lock`` with ``async_response_timeout`` answers as soon
as there is work instead of at the next poll. It is only this process's bell: a task made ready by
another worker process is found by looking again every ``LOOK_AGAIN`` seconds while waiting.

The wait is real time (how long an HTTP request is held), not the application's clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ..context import ServiceContext
from ..signals import case_events_committed

LOOK_AGAIN = 1.0  # seconds


class WorkBell:
    def __init__(self) -> None:
        self._rung = threading.Condition()
        self._rings = 0

    def ring(self) -> None:
        with self._rung:
            self._rings += 1
            self._rung.notify_all()

    def wait_for(self, look: Callable[[], list[Any]], seconds: float) -> list[Any]:
        """``look()`` until it finds something or ``seconds`` have passed (0: look once)."""
        deadline = time.monotonic() + seconds
        while True:
            with self._rung:
                seen = self._rings
            found = look()
            remaining = deadline - time.monotonic()
            if found or remaining <= 0:
                return found
            with self._rung:
                if self._rings == seen:  # nothing rang while we looked: wait for the bell
                    self._rung.wait(min(remaining, LOOK_AGAIN))


_bells: dict[int, WorkBell] = {}
_lock = threading.Lock()


def bell_of(ctx: ServiceContext) -> WorkBell:
    """The context's bell, hung (connected to its signal) the first time it is asked for."""
    with _lock:
        bell = _bells.get(id(ctx))
        if bell is None:
            bell = _bells[id(ctx)] = WorkBell()

            def listen(_ctx: object, events: list, **_: object) -> None:
                if any(e.type == "task_ready" and (e.data or {}).get("topic") for e in events):
                    bell.ring()

            case_events_committed.connect(listen, sender=ctx, weak=False)
        return bell
