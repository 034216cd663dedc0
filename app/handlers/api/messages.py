"""/api/v1/messages: a message from outside into the one running case waiting for it
(services/cases/messages.py)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields

from ...services.cases import messages
from ..common import principal
from ..common import services
from ..schemas import InstanceSchema

bp = Blueprint("messages", __name__, url_prefix="/api/v1", description="Messages into running cases")


class MessageSchema(Schema):
    name = fields.String(required=True, metadata={"description": "the BPMN message's name"})
    case_no = fields.String(load_default=None, metadata={"description": "the case's number"})
    instance_id = fields.Integer(load_default=None)
    correlation_keys = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={"description": 'case data the case must hold, e.g. {"order_no": "PO-7"}'},
    )
    payload = fields.Raw(
        load_default=None, allow_none=True, metadata={"description": "into the catch event's message variable"}
    )


@bp.post("/messages")
@bp.arguments(MessageSchema)
@bp.response(200, InstanceSchema)
def send_message(body):
    """Deliver a message to the one waiting case that matches the case number, id or correlation keys;
    the case moves on at once. 404: no running case the caller may read waits for it; 409: several
    do (give more correlation keys)."""
    return messages.correlate(
        services(),
        principal(),
        body["name"],
        case_no=body["case_no"],
        instance_id=body["instance_id"],
        keys=body["correlation_keys"],
        payload=body["payload"],
    )
