"""/api/v1/processes/{key}/versions/{n}/live: where the open cases of one version wait, per element."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields

from ...services.processes import live_counts
from ..common import principal
from ..common import services

bp = Blueprint(
    "live", __name__, url_prefix="/api/v1/processes", description="Live counts of a version's open cases per element"
)


class ElementCountSchema(Schema):
    element_id = fields.String()
    name = fields.String()
    type = fields.String()
    cases = fields.Integer(metadata={"description": "open cases with a ready task or a waiting timer here"})
    tasks = fields.Integer(metadata={"description": "ready user tasks here"})
    timers = fields.Integer(metadata={"description": "waiting timers on this timer event"})
    next_due_at = fields.DateTime(allow_none=True, metadata={"description": "earliest due time, service time zone"})


class LiveCountsSchema(Schema):
    process_key = fields.String()
    version = fields.Integer()
    name = fields.String()
    at = fields.DateTime(metadata={"description": "when counted"})
    open_cases = fields.Integer(metadata={"description": "running, suspended and failed cases on this version"})
    elements = fields.List(fields.Nested(ElementCountSchema), metadata={"description": "only where something waits"})


@bp.get("/<key>/versions/<int:version>/live")
@bp.response(200, LiveCountsSchema)
def live(key: str, version: int):
    """Per element of the version's diagram: open cases waiting at a ready task there, timers waiting on it."""
    return live_counts.live_counts(services(), key, version, principal())


class CaseWaitingSchema(Schema):
    instance_id = fields.Integer()
    case_no = fields.String(allow_none=True)
    since = fields.DateTime(metadata={"description": "when the task became ready or the timer was set"})
    due_at = fields.DateTime(allow_none=True)


class WaitingHereSchema(Schema):
    element_id = fields.String()
    name = fields.String()
    cases = fields.List(fields.Nested(CaseWaitingSchema), metadata={"description": "the longest waiting first"})
    more = fields.Boolean(metadata={"description": "more cases wait here than are listed (100)"})


@bp.get("/<key>/versions/<int:version>/live/<element_id>")
@bp.response(200, WaitingHereSchema)
def waiting_here(key: str, version: int, element_id: str):
    """The open cases of the version waiting at one element: what the live viewer's badge opens."""
    return live_counts.cases_waiting_at(services(), key, version, element_id, principal())
