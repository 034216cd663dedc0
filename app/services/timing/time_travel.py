"""Reading and (in simulated mode) moving the application clock."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from ...clock import SimulatedClock
from ...domain.iso8601 import parse_duration
from ...domain.principal import Principal
from ...errors import Forbidden
from ...errors import InvalidInput
from ...errors import NotFound
from ..context import ServiceContext
from .timer_firing import FireReport
from .timer_firing import fire_due

OFFSET_KEY = "clock.offset_seconds"


def restore_offset(ctx: ServiceContext) -> None:
    """A simulated clock resumes where it was moved to before a restart."""
    if isinstance(ctx.clock, SimulatedClock):
        with ctx.uow() as uow:
            stored = uow.settings.get(OFFSET_KEY)
        if stored:
            ctx.clock.set_offset(timedelta(seconds=float(stored)))


def advance_clock(ctx: ServiceContext, duration: str, actor: Principal | None) -> tuple[datetime, FireReport]:
    """Move a simulated clock forward and fire what fell due."""
    if not isinstance(ctx.clock, SimulatedClock):
        raise NotFound("the clock can only be moved when AFTERSALES_CLOCK=simulated")
    if actor is not None and not actor.is_admin:
        raise Forbidden("only an administrator may move the clock")
    try:
        delta = parse_duration(duration)
    except ValueError as exc:
        raise InvalidInput(str(exc), errors={"duration": [str(exc)]}) from None
    now = ctx.clock.advance(delta)
    with ctx.uow() as uow:
        uow.settings.put(OFFSET_KEY, str(ctx.clock.offset.total_seconds()))
        uow.commit()
    return now, fire_due(ctx)
