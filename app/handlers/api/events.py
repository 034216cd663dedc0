"""/api/v1/events: the global event feed, read with a cursor (services/integration/event_feed.py)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from ...domain.events import EventType
from ...services.integration import event_feed
from ..common import principal
from ..common import services

bp = Blueprint("events", __name__, url_prefix="/api/v1", description="The event feed of every case")

EVENT_TYPES = [t.value for t in EventType]


class FeedEventSchema(Schema):
    cursor = fields.String(metadata={"description": "this event's position; `after=` it gives the events after it"})
    id = fields.Integer()
    type = fields.String(metadata={"enum": EVENT_TYPES})
    at = fields.String(metadata={"format": "date-time"})
    instance_id = fields.Integer()
    case_no = fields.String(allow_none=True)
    process_key = fields.String()
    element_id = fields.String(allow_none=True)
    element_name = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    actor = fields.String(allow_none=True)
    data = fields.Dict()


class FeedPageSchema(Schema):
    events = fields.List(fields.Nested(FeedEventSchema))
    next = fields.String(metadata={"description": "ask again with `after=` this (the same one when nothing was new)"})


class FeedQuerySchema(Schema):
    after = fields.String(
        load_default=event_feed.START, metadata={"description": "a cursor of an earlier page; 0.0: from the start"}
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=event_feed.MAX_PAGE))
    process = fields.List(fields.String(), load_default=list, metadata={"description": "process keys (repeat)"})
    type = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)), load_default=list, metadata={"description": "(repeat)"}
    )


@bp.get("/events")
@bp.arguments(FeedQuerySchema, location="query")
@bp.response(200, FeedPageSchema)
def read_events(args):
    """The events of the cases the caller may read after the cursor, oldest first. Poll with `after=next`:
    no event is missed or repeated, also one committed late by a slow transaction."""
    page = event_feed.read_feed(
        services(),
        principal(),
        args["after"],
        limit=args["limit"],
        process_keys=args["process"],
        types=args["type"],
    )
    return {"events": [event_feed.event_document(item) for item in page.events], "next": page.next}
