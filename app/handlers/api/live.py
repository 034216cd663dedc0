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
