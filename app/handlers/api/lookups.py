"""/api/v1/lookups: records to pick from while filling a form (customers, installed units, technicians)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields

from ...services.cases import lookups
from ..common import principal
from ..common import services

bp = Blueprint("lookups", __name__, url_prefix="/api/v1/lookups", description="Customer, unit and technician look-ups")


class CustomerSchema(Schema):
    code = fields.String()
    name = fields.String()
    phone = fields.String()
    address = fields.String()
    region = fields.String()
    key_customer = fields.Boolean()


class UnitSchema(Schema):
    serial_no = fields.String()
    model = fields.String()
    product_category = fields.String()
    purchase_date = fields.String()
    warranty_evidence = fields.String()
    tampered = fields.Boolean()
    contract_no = fields.String()
    customer_code = fields.String()
    customer_name = fields.String()
    customer_phone = fields.String()
    address = fields.String()
    region = fields.String()


class TechnicianSchema(Schema):
    username = fields.String()
    name = fields.String()
    branch = fields.String()
    regions = fields.List(fields.String())
    title = fields.String()


@bp.get("/customers")
@bp.arguments(Schema.from_dict({"q": fields.String(load_default="")}), location="query")
@bp.response(200, CustomerSchema(many=True))
def customers(args):
    """Customers whose name, code or phone contains ``q``."""
    return lookups.customers(services(), args["q"], principal())


@bp.get("/units")
@bp.arguments(Schema.from_dict({"serial": fields.String(load_default="")}), location="query")
@bp.response(200, UnitSchema(many=True))
def units(args):
    """Installed units whose serial number starts with ``serial``, with their warranty facts."""
    return lookups.units(services(), args["serial"], principal())


@bp.get("/technicians")
@bp.arguments(Schema.from_dict({"q": fields.String(load_default="")}), location="query")
@bp.response(200, TechnicianSchema(many=True))
def technicians(args):
    """Technicians whose user name or name contains ``q``."""
    return lookups.technicians(services(), args["q"], principal())
