"""The JSON API under /api/v1 (flask-smorest blueprints; OpenAPI at /api/v1/openapi.json).

A query parameter no endpoint declares is a 422 naming it, not silently ignored (webargs excludes
unknown query parameters by default: ``?case_number=`` listed every case). A schema whose Meta says
otherwise (the master tables' column filters) is read with ``unknown=None`` at its endpoint.
"""

from flask_smorest import Blueprint
from marshmallow import RAISE

Blueprint.ARGUMENTS_PARSER.DEFAULT_UNKNOWN_BY_LOCATION = {
    **Blueprint.ARGUMENTS_PARSER.DEFAULT_UNKNOWN_BY_LOCATION,
    "query": RAISE,
}
