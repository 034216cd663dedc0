"""Makes SpiffWorkflow's timers read the application's clock.

SpiffWorkflow 3.2.0 has no clock hook: its timer module calls ``datetime.now(timezone.utc)``.
We replace that module's ``datetime`` name with a subclass whose ``now`` asks the installed
clock. There is one clock per process, so this is process-wide by nature.
"""

from __future__ import annotations

from datetime import datetime as _datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

from ..clock import Clock
from ..clock import SystemClock

_current: Clock = SystemClock()


class _ClockedDatetime(_datetime):
    @classmethod
    def now(cls, tz=None):  # noqa: D401 - mirrors datetime.now
        now = _current.now()
        return now.astimezone(tz) if tz else now.replace(tzinfo=None)


def install_clock(clock: Clock) -> None:
    """Route SpiffWorkflow's notion of "now" to ``clock``."""
    global _current
    _current = clock
    _timer_module.datetime = _ClockedDatetime
