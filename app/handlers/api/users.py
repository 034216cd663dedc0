"""/api/v1/users and /api/v1/me."""

from __future__ import annotations

from types import SimpleNamespace

from flask_smorest import Blueprint

from ...errors import Forbidden
from ...services.people import users
from ..common import principal
from ..common import services
from ..schemas import UserSchema

bp = Blueprint("users", __name__, url_prefix="/api/v1", description="Users and roles")


@bp.get("/users")
@bp.response(200, UserSchema(many=True))
def list_users():
    """All users with their roles (administrators only)."""
    if not principal().is_admin:
        raise Forbidden("only an administrator may list users")
    return users.list_users(services())


@bp.get("/me")
@bp.response(200, UserSchema)
def me():
    me_ = principal()
    # An object, not a dict: UserSchema reads ``roles`` as an attribute (a dict made every call a 500).
    return SimpleNamespace(username=me_.username, display_name=me_.display_name, roles=me_.roles, locale="", email=None)
