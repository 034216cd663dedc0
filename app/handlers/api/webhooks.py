"""/api/v1/webhooks: subscriptions of outside systems to events, their deliveries and the dead-letter
list (administrators only; services/integration/webhooks.py)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from ...domain.events import EventType
from ...domain.webhooks import DeliveryState
from ...services.integration import webhooks
from ..common import principal
from ..common import services

bp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks", description="Webhooks")

EVENT_TYPES = [t.value for t in EventType]


class SubscriptionSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    url = fields.String()
    event_types = fields.List(fields.String(metadata={"enum": EVENT_TYPES}), metadata={"description": "empty: all"})
    process_keys = fields.List(fields.String(), metadata={"description": "empty: every process"})
    created_by = fields.String()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class NewSubscriptionSchema(Schema):
    name = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "http(s) address the events are posted to"})
    event_types = fields.List(fields.String(metadata={"enum": EVENT_TYPES}), load_default=list)
    process_keys = fields.List(fields.String(), load_default=list)


class IssuedSubscriptionSchema(Schema):
    subscription = fields.Nested(SubscriptionSchema)
    secret = fields.String(metadata={"description": "checks the Aftersales-Signature header; shown this once"})


class DeliverySchema(Schema):
    id = fields.Integer()
    subscription_id = fields.Integer()
    event_id = fields.Integer()
    state = fields.String(metadata={"enum": [s.value for s in DeliveryState]})
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    last_status = fields.Integer(allow_none=True, metadata={"description": "the receiver's HTTP status"})
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)


class DeliveryQuerySchema(Schema):
    state = fields.String(
        load_default=None,
        validate=validate.OneOf([s.value for s in DeliveryState]),
        metadata={"description": "dead: the dead-letter list"},
    )
    subscription = fields.Integer(load_default=None)


@bp.get("")
@bp.response(200, SubscriptionSchema(many=True))
def list_subscriptions():
    return webhooks.subscriptions(services(), principal())


@bp.post("")
@bp.arguments(NewSubscriptionSchema)
@bp.response(201, IssuedSubscriptionSchema)
def create_subscription(body):
    """Events from now on are posted to the URL, signed with the secret answered here once."""
    made = webhooks.subscribe(
        services(), principal(), body["name"], body["url"], body["event_types"], body["process_keys"]
    )
    return {"subscription": made.subscription, "secret": made.secret}


@bp.post("/<int:subscription_id>/revoke")
@bp.response(200, SubscriptionSchema)
def revoke_subscription(subscription_id: int):
    return webhooks.revoke(services(), principal(), subscription_id)


@bp.get("/deliveries")
@bp.arguments(DeliveryQuerySchema, location="query")
@bp.response(200, DeliverySchema(many=True))
def list_deliveries(args):
    """Newest first; `state=dead` lists those whose every attempt failed."""
    return webhooks.deliveries(services(), principal(), state=args["state"], subscription_id=args["subscription"])


@bp.post("/deliveries/<int:delivery_id>/replay")
@bp.response(200, DeliverySchema)
def replay_delivery(delivery_id: int):
    """Send a dead delivery again (from the next round)."""
    return webhooks.replay(services(), principal(), delivery_id)
