"""/api/v1/users (staff administration, administrators only) and /api/v1/me.

A user is never deleted: ``/disable`` takes them out (their sessions end) and ``/enable`` brings them
back. A password is set by ``/password``; the answer carries a generated one, once.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from ...domain.roles import Role
from ...domain.staff import MAX_PASSWORD_LENGTH
from ...domain.staff import StaffAction
from ...services.people import staff
from ..common import principal
from ..common import services
from ..schemas import UserSchema

bp = Blueprint("users", __name__, url_prefix="/api/v1", description="Users and roles")

ROLE_NAMES = [r.value for r in Role]


class StaffSchema(UserSchema):
    active = fields.Boolean()
    created_at = fields.DateTime()


class StaffQuerySchema(Schema):
    q = fields.String(load_default="", metadata={"description": "part of the user name or display name"})
    role = fields.String(load_default=None, validate=validate.OneOf(ROLE_NAMES))
    active = fields.Boolean(load_default=None, allow_none=True, metadata={"description": "omit for both"})


class StaffChangeSchema(Schema):
    action = fields.String(metadata={"enum": [a.value for a in StaffAction]})
    changes = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    actor = fields.String()
    at = fields.DateTime()


class StaffDetailSchema(Schema):
    user = fields.Nested(StaffSchema)
    history = fields.List(fields.Nested(StaffChangeSchema), metadata={"description": "newest first"})


class NewStaffSchema(Schema):
    username = fields.String(required=True)
    display_name = fields.String(load_default="")
    email = fields.String(load_default=None, allow_none=True)
    roles = fields.List(fields.String(metadata={"enum": ROLE_NAMES}), required=True)
    password = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_PASSWORD_LENGTH),
        metadata={"description": "omit to have one generated"},
    )


class StaffEditSchema(Schema):
    display_name = fields.String()
    email = fields.String(allow_none=True)
    roles = fields.List(fields.String(metadata={"enum": ROLE_NAMES}))


class PasswordSchema(Schema):
    password = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_PASSWORD_LENGTH),
        metadata={"description": "omit to have one generated"},
    )


class IssuedSchema(Schema):
    user = fields.Nested(StaffSchema)
    password = fields.String(
        allow_none=True, metadata={"description": "the generated password, shown this once; null when typed"}
    )


def _issued(issued: staff.IssuedPassword) -> dict:
    return {"user": issued.user, "password": issued.password if issued.generated else None}


@bp.get("/users")
@bp.arguments(StaffQuerySchema, location="query")
@bp.response(200, StaffSchema(many=True))
def list_users(args):
    """Users with their roles (administrators only), by name; narrowed by ``q``, ``role`` and ``active``."""
    return staff.list_staff(services(), principal(), search=args["q"], role=args["role"], active=args["active"])


@bp.post("/users")
@bp.arguments(NewStaffSchema)
@bp.response(201, IssuedSchema)
def create_user(body):
    """Add a user (422 naming the field for a taken name, an unknown role or a short password)."""
    issued = staff.add_staff(
        services(),
        principal(),
        body["username"],
        body["roles"],
        display_name=body["display_name"],
        email=body["email"],
        password=body["password"],
    )
    return _issued(issued)


@bp.get("/users/<username>")
@bp.response(200, StaffDetailSchema)
def get_user(username: str):
    """One user and what administrators changed about them (passwords never shown)."""
    view = staff.get_staff(services(), principal(), username)
    return {"user": view.user, "history": view.history}


@bp.patch("/users/<username>")
@bp.arguments(StaffEditSchema)
@bp.response(200, StaffSchema)
def update_user(body, username: str):
    """Change roles, display name or e-mail; other roles end the user's sessions. The last active
    administrator keeps the role."""
    return staff.update_staff(
        services(),
        principal(),
        username,
        roles=body.get("roles"),
        display_name=body.get("display_name"),
        email=body.get("email"),
    )


@bp.post("/users/<username>/disable")
@bp.response(200, StaffSchema)
def disable_user(username: str):
    """The user may no longer log in and is logged out everywhere; their cases keep their name."""
    return staff.set_active(services(), principal(), username, False)


@bp.post("/users/<username>/enable")
@bp.response(200, StaffSchema)
def enable_user(username: str):
    return staff.set_active(services(), principal(), username, True)


@bp.post("/users/<username>/password")
@bp.arguments(PasswordSchema)
@bp.response(200, IssuedSchema)
def reset_password(body, username: str):
    """Set a new password (typed, or generated and answered once); the user's sessions end."""
    return _issued(staff.reset_password(services(), principal(), username, body["password"]))


@bp.get("/me")
@bp.response(200, UserSchema)
def me():
    me_ = principal()
    # An object, not a dict: UserSchema reads ``roles`` as an attribute (a dict made every call a 500).
    return SimpleNamespace(username=me_.username, display_name=me_.display_name, roles=me_.roles, locale="", email=None)
