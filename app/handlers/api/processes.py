"""/api/v1/processes: deployed diagrams and starting a case."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from ...errors import NotFound
from ...services import cases
from ..common import principal
from ..common import services
from ..schemas import InstanceSchema
from ..schemas import ProcessSchema

bp = Blueprint("processes", __name__, url_prefix="/api/v1/processes", description="Deployed processes")


def _process_rows(key: str | None = None) -> list[dict]:
    ctx = services()
    with ctx.uow() as uow:
        versions = uow.versions.all_versions(key)
        running = uow.instances.count_by_version()
    latest: dict[str, dict] = {}
    for v in versions:
        row = latest.setdefault(v.process_key, {"versions": [], "running_instances": 0})
        row["versions"].append(v.version)
        row["running_instances"] += running.get(v.id, 0)
        row.update(
            key=v.process_key,
            name=v.name,
            version=v.version,
            version_id=v.id,
            content_hash=v.content_hash,
            deployed_at=v.deployed_at,
            deployed_by=v.deployed_by,
        )
    return list(latest.values())


@bp.get("")
@bp.response(200, ProcessSchema(many=True))
def list_processes():
    """Every deployed process with its latest version."""
    principal()
    return _process_rows()


@bp.get("/<key>")
@bp.response(200, ProcessSchema)
def get_process(key: str):
    principal()
    rows = _process_rows(key)
    if not rows:
        raise NotFound(f"no deployed process {key!r}")
    return rows[0]


@bp.post("/<key>/instances")
@bp.response(201, InstanceSchema)
@bp.doc(
    requestBody={
        "content": {"application/json": {"schema": {"type": "object"}}},
        "description": "initial case data (optional)",
    }
)
def start_instance(key: str):
    """Open a case on the latest version of the process."""
    data = request.get_json(silent=True) if request.data else None
    return cases.start_case(services(), key, data, principal())
