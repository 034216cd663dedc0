"""/api/v1/instances: where cases stand, their audit trail and their timers."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields

from ...services import case_repair
from ...services import cases
from ..common import principal
from ..common import services
from ..schemas import CancelSchema
from ..schemas import EventSchema
from ..schemas import InstanceDetailSchema
from ..schemas import InstanceQuerySchema
from ..schemas import InstanceSchema
from ..schemas import TimerSchema

bp = Blueprint("instances", __name__, url_prefix="/api/v1/instances", description="Cases (process instances)")


@bp.get("")
@bp.arguments(InstanceQuerySchema, location="query")
@bp.response(200, InstanceSchema(many=True))
def list_instances(args):
    return cases.list_cases(services(), principal(), **args)


@bp.get("/<int:instance_id>")
@bp.response(200, InstanceDetailSchema)
def get_instance(instance_id: int):
    """Where the case stands, with the cases it is linked to."""
    instance = cases.get_case(services(), instance_id, principal())
    instance.links = cases.case_links(services(), instance_id, principal())
    return instance


@bp.get("/<int:instance_id>/events")
@bp.response(200, EventSchema(many=True))
def list_events(instance_id: int):
    """The audit trail of the case, oldest first."""
    return cases.case_events(services(), instance_id, principal())


@bp.get("/<int:instance_id>/timers")
@bp.response(200, TimerSchema(many=True))
def list_timers(instance_id: int):
    """Timers of the case: waiting (with due time), fired, cancelled."""
    return cases.case_timers(services(), instance_id, principal())


@bp.post("/<int:instance_id>/cancel")
@bp.arguments(CancelSchema)
@bp.response(200, InstanceSchema)
def cancel_instance(args, instance_id: int):
    return cases.cancel_case(services(), instance_id, principal(), args["reason"])


class RetrySchema(Schema):
    data = fields.Dict(load_default=None, metadata={"description": "corrected case data for the failed step"})


class MigrateSchema(Schema):
    version = fields.Integer(load_default=None, metadata={"description": "target version (default: the latest)"})


@bp.post("/<int:instance_id>/retry")
@bp.arguments(RetrySchema)
@bp.response(200, InstanceSchema)
def retry(args, instance_id: int):
    """Run a failed step again, optionally with corrected data (process owners, administrators)."""
    return case_repair.retry_case(services(), instance_id, args["data"], principal())


@bp.post("/<int:instance_id>/migrate")
@bp.arguments(MigrateSchema)
@bp.response(200, InstanceSchema)
def migrate(args, instance_id: int):
    """Move a running case to another version; refused with the deviations when its path does not fit."""
    return case_repair.migrate_case(services(), instance_id, args["version"], principal())
