"""/api/v1/tokens: service accounts' API tokens (administrators only). The token itself is in the
answer of its creation only; afterwards a list shows its name, first characters, roles and last use."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields

from ...domain.roles import Role
from ...services.people import api_tokens
from ..common import principal
from ..common import services

bp = Blueprint("tokens", __name__, url_prefix="/api/v1", description="Service accounts' API tokens")

ROLE_NAMES = [r.value for r in Role]


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    username = fields.Function(lambda t: t.user.username, metadata={"description": "the service account"})
    prefix = fields.String(metadata={"description": "the token's first characters"})
    roles = fields.List(fields.String(metadata={"enum": ROLE_NAMES}))
    created_by = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class NewTokenSchema(Schema):
    username = fields.String(required=True, metadata={"description": "the user (service account) it acts as"})
    name = fields.String(required=True)
    roles = fields.List(
        fields.String(metadata={"enum": ROLE_NAMES}),
        load_default=None,
        metadata={"description": "some of the user's roles; omit for all of them"},
    )


class IssuedTokenSchema(Schema):
    token = fields.Nested(TokenSchema)
    secret = fields.String(metadata={"description": "send as `Authorization: Bearer <secret>`; shown this once"})


@bp.get("/tokens")
@bp.response(200, TokenSchema(many=True))
def list_tokens():
    """Every API token, revoked ones too (never their secret)."""
    return api_tokens.list_tokens(services(), principal())


@bp.post("/tokens")
@bp.arguments(NewTokenSchema)
@bp.response(201, IssuedTokenSchema)
def create_token(body):
    """A new token for a service account, scoped to some of its roles; the secret is answered once."""
    issued = api_tokens.create_token(services(), principal(), body["username"], body["name"], body["roles"])
    return {"token": issued.token, "secret": issued.secret}


@bp.post("/tokens/<int:token_id>/revoke")
@bp.response(200, TokenSchema)
def revoke_token(token_id: int):
    """The token authenticates nobody from now on."""
    return api_tokens.revoke_token(services(), principal(), token_id)
