"""/api/v1/clock: the application's time; movable only when AFTERSALES_CLOCK=simulated."""

from __future__ import annotations

from flask_smorest import Blueprint

from ...errors import NotFound
from ...services.timing import time_travel as clock_service
from ..common import principal
from ..common import services
from ..schemas import AdvanceSchema
from ..schemas import ClockSchema

bp = Blueprint("clock", __name__, url_prefix="/api/v1/clock", description="Simulated clock")


def _require_simulated() -> None:
    if not services().clock.simulated:
        raise NotFound("the clock endpoints exist only when AFTERSALES_CLOCK=simulated")


@bp.get("")
@bp.response(200, ClockSchema)
def get_clock():
    _require_simulated()
    return {"now": services().clock.now(), "simulated": True}


@bp.post("/advance")
@bp.arguments(AdvanceSchema)
@bp.response(200, ClockSchema)
def advance(args):
    """Move the clock forward (ISO 8601 duration) and fire every timer that fell due."""
    _require_simulated()
    now, report = clock_service.advance_clock(services(), args["duration"], principal())
    return {"now": now, "simulated": True, "fired_timers": report.timers, "opened_cases": report.opened}
