"""/api/v1/notifications: the caller's own notifications."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields

from ...services.people import notifications
from ..common import principal
from ..common import services

bp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications", description="Notifications")


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": ["assigned", "reminder", "escalation"]})
    instance_id = fields.Integer()
    task_id = fields.String(allow_none=True)
    title = fields.String()
    body = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    emailed_at = fields.DateTime(allow_none=True)


class NotificationQuerySchema(Schema):
    unread = fields.Boolean(load_default=False)


@bp.get("")
@bp.arguments(NotificationQuerySchema, location="query")
@bp.response(200, NotificationSchema(many=True))
def list_notifications(args):
    """Newest first; ``unread=true`` for those not read yet."""
    return notifications.my_notifications(services(), principal(), unread_only=args["unread"])


@bp.post("/<int:notification_id>/read")
@bp.response(200, NotificationSchema)
def mark_read(notification_id: int):
    return notifications.mark_read(services(), notification_id, principal())
