"""/api/v1/notifications: the caller's own notifications."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from ...services.people import notifications
from ..common import principal
from ..common import services

bp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications", description="Notifications")


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(
        metadata={"enum": ["assigned", "reminder", "escalation", "certificate", "informed", "reschedule"]}
    )
    instance_id = fields.Integer(allow_none=True, metadata={"description": "null: about no case (a certificate)"})
    task_id = fields.String(allow_none=True)
    title = fields.String()
    body = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    emailed_at = fields.DateTime(allow_none=True)


class NotificationQuerySchema(Schema):
    unread = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=notifications.PAGE_SIZE, validate=validate.Range(min=1, max=200))


class MarkedSchema(Schema):
    marked = fields.Integer(metadata={"description": "how many were unread"})


@bp.get("")
@bp.arguments(NotificationQuerySchema, location="query")
@bp.response(200, NotificationSchema(many=True))
def list_notifications(args):
    """Newest first, a page at a time; ``unread=true`` for those not read yet. A notification of a task that
    is done or went away counts as read."""
    return notifications.my_notifications(
        services(), principal(), unread_only=args["unread"], page=args["page"], per_page=args["per_page"]
    )


@bp.post("/read-all")
@bp.response(200, MarkedSchema)
def mark_all_read():
    """Every unread notification of the caller read now."""
    return {"marked": notifications.mark_all_read(services(), principal())}


@bp.post("/<int:notification_id>/read")
@bp.response(200, NotificationSchema)
def mark_read(notification_id: int):
    return notifications.mark_read(services(), notification_id, principal())
