"""/api/v1/docs: Swagger UI (swagger-ui-dist, served by handlers/vendor.py) over the OpenAPI document.
Public, like the document itself: it shows what the API offers, calling it still needs credentials."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")


@bp.get("/docs")
def docs():
    return render_template("api_docs.html")
