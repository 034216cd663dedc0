"""/api/v1/schedules: recurring starts of processes (administrators change, overseers read)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields

from ...services import revisions
from ...services.planning import schedules
from ..common import principal
from ..common import services

bp = Blueprint("schedules", __name__, url_prefix="/api/v1/schedules", description="Recurring process starts")


class ScheduleSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True)
    process_key = fields.String(required=True)
    rule = fields.String(required=True, metadata={"example": "R/2026-12-01T09:00:00+08:00/P1Y"})
    data = fields.Dict(load_default=dict)
    enabled = fields.Boolean(dump_only=True)
    next_run_at = fields.DateTime(dump_only=True, allow_none=True)
    last_run_at = fields.DateTime(dump_only=True, allow_none=True)
    runs = fields.Integer(dump_only=True)
    origin_instance_id = fields.Integer(dump_only=True, allow_none=True)
    revision = fields.Function(
        revisions.of_schedule, dump_only=True, metadata={"description": "send it as If-Match with a change"}
    )


class ScheduleChangeSchema(Schema):
    rule = fields.String()
    enabled = fields.Boolean()
    data = fields.Dict()


@bp.get("")
@bp.response(200, ScheduleSchema(many=True))
def list_schedules():
    return schedules.list_schedules(services(), principal())


@bp.post("")
@bp.arguments(ScheduleSchema)
@bp.response(201, ScheduleSchema)
def create(args):
    """Add a schedule; its first run is the rule's first occurrence from now on."""
    return schedules.create_schedule(
        services(), args["name"], args["process_key"], args["rule"], args["data"], principal()
    )


@bp.patch("/<int:schedule_id>")
@bp.arguments(ScheduleChangeSchema)
@bp.response(200, ScheduleSchema)
def change(args, schedule_id: int):
    """Change the rule, pause or resume, or change the start data."""
    return schedules.update_schedule(services(), schedule_id, principal(), **args)
