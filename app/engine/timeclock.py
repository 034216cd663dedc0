"""Makes SpiffWorkflow's timers read the application's clock.

SpiffWorkflow 3.2.0 has no clock hook: its timer module calls ``datetime.now(timezone.utc)``.
We replace that module's ``datetime`` name with a subclass whose ``now`` asks the installed
clock. There is one clock per process, so this is process-wide by nature; ``frozen_at`` stops it
for the current thread only (a conformance replay's shadow instance, which must never see a timer
fall due by itself while other threads run real cases).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime as _datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

from ..clock import Clock
from ..clock import SystemClock

_current: Clock = SystemClock()
_thread = threading.local()


class _ClockedDatetime(_datetime):
    @classmethod
    def now(cls, tz=None):  # noqa: D401 - mirrors datetime.now
        now = getattr(_thread, "frozen", None) or _current.now()
        return now.astimezone(tz) if tz else now.replace(tzinfo=None)


@contextmanager
def frozen_at(moment: _datetime) -> Iterator[None]:
    """Within the block, this thread's SpiffWorkflow timers see ``moment`` as now (zone-aware)."""
    before = getattr(_thread, "frozen", None)
    _thread.frozen = moment
    try:
        yield
    finally:
        _thread.frozen = before


def install_clock(clock: Clock) -> None:
    """Route SpiffWorkflow's notion of "now" to ``clock``."""
    global _current
    _current = clock
    _timer_module.datetime = _ClockedDatetime
