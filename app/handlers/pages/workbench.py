"""The process workbench page: a process owner edits a process's diagram (bpmn-js Modeler) and the
JSON Schemas of its user tasks' forms, validates, deploys, and keeps drafts; older versions open
read-only (NavigatedViewer). The auditor sees the versions read-only.

The page only decides what to load (the latest version, a newer draft, or an old version) and
lists the versions; its script (static/js/workbench.js) does the rest through /api/v1.
"""

from __future__ import annotations

from flask import Blueprint
from flask import g
from flask import render_template
from flask import request
from flask import url_for

from ...domain.roles import HOUSE_LANES
from ...errors import AppError
from ...errors import NotFound
from ...services.processes import authoring
from ...services.processes import lane_roles
from ...services.processes import version_admin
from ...services.processes import workbench
from ..common import services
from ..i18n import pick_language
from .workspace import login_required

bp = Blueprint("workbench_page", __name__)


@bp.app_context_processor
def _workbench_link():
    """Whether the header shows the link to the workbench (process owners and administrators)."""
    return {"can_use_workbench": workbench.may_edit(g.get("principal"))}


@bp.errorhandler(AppError)
def _page_error(exc: AppError):
    return render_template("error.html", error=exc), exc.http_status


@bp.get("/workbench")
@login_required
def index():
    ctx = services()
    processes = workbench.list_processes(ctx, g.principal)
    editable = workbench.may_edit(g.principal)
    drafts = {d.process_key: d for d in workbench.list_drafts(ctx, g.principal)} if editable else {}
    deployed = {p.key for p in processes}
    return render_template(
        "workbench_index.html",
        processes=processes,
        drafts=drafts,
        new_drafts=[d for key, d in drafts.items() if key not in deployed],
        editable=editable,
        lane_roles=authoring.lane_roles(ctx, g.principal) if editable else [],
        house_lanes=HOUSE_LANES,
        draft_name=authoring.draft_name,
    )


@bp.get("/workbench/<key>")
@login_required
def editor(key: str):
    """``?version=N``: that version read-only; ``?from=N``: edit starting from version N;
    ``?draft=1``: open the user's draft even if a version was deployed after it."""
    ctx, user = services(), g.principal
    try:
        versions = workbench.list_versions(ctx, key, user)
    except NotFound:
        # A new procedure: the user's draft of a key not deployed yet.
        draft = workbench.find_draft(ctx, key, user)
        if draft is None:
            raise
        return render_template(
            "workbench.html",
            key=key,
            title=authoring.draft_name(draft),
            versions=[],
            latest=None,
            shown=None,
            start_from=None,
            editable=True,
            may_edit=True,
            draft=draft,
            load_draft=True,
            source_url=url_for("workbench.get_draft", key=key),
            base_version=None,
            helpers=authoring.helper_names(),
        )
    latest = versions[0]
    shown = request.args.get("version", type=int)
    start_from = request.args.get("from", type=int)
    for number in filter(None, (shown, start_from)):
        if number not in {v.version for v in versions}:
            raise NotFound(f"{key} has no version {number}")
    editable = workbench.may_edit(user) and shown is None
    draft = workbench.find_draft(ctx, key, user) if editable else None
    draft_is_newer = draft is not None and draft.updated_at > latest.deployed_at
    load_draft = draft is not None and start_from is None and (draft_is_newer or request.args.get("draft") == "1")
    if load_draft:
        source_url, base_version = url_for("workbench.get_draft", key=key), draft.base_version
    else:
        number = shown or start_from
        source_url = (
            url_for("workbench.version_source", key=key, version=number)
            if number
            else url_for("workbench.latest_source", key=key)
        )
        base_version = latest.version
    return render_template(
        "workbench.html",
        key=key,
        title=latest.name,
        versions=versions,
        latest=latest,
        shown=shown or (None if editable else latest.version),
        start_from=start_from,
        editable=editable,
        may_edit=workbench.may_edit(user),
        draft=draft,
        load_draft=load_draft,
        source_url=source_url,
        base_version=base_version,
        lanes=lane_roles.lane_table(ctx, key, user),
        lane_role_choices=sorted(lane_roles.ROLE_CODES),
        helpers=authoring.helper_names(),
    )


@bp.get("/workbench/<key>/compare")
@login_required
def compare(key: str):
    """Two versions of a process side by side, what changed marked on both diagrams (bpmn-js-differ):
    ``?from=N&to=M``; by default the latest version against the one before it."""
    versions = workbench.list_versions(services(), key, g.principal)
    numbers = [v.version for v in versions]
    to = request.args.get("to", type=int) or numbers[0]
    before = request.args.get("from", type=int) or next((n for n in numbers if n < to), to)
    for number in (before, to):
        if number not in numbers:
            raise NotFound(f"{key} has no version {number}")
    return render_template(
        "workbench_compare.html",
        key=key,
        title=versions[0].name,
        versions=versions,
        before=before,
        after=to,
    )


@bp.get("/workbench/<key>/migrate")
@login_required
def migrate(key: str):
    """Move running cases to another version (process owners, administrators): ``?from=N&to=M``;
    by default from the oldest version with running cases to the latest. The page's script
    (static/js/workbench-migrate.js) runs the dry run, keeps the mapping and moves the cases."""
    versions = version_admin.migration_versions(services(), key, g.principal)
    numbers = [v.version for v in versions]
    to = request.args.get("to", type=int) or numbers[0]
    running = [v.version for v in reversed(versions) if v.running and v.version != to]
    before = request.args.get("from", type=int) or next(iter(running), next((n for n in numbers if n < to), to))
    for number in (before, to):
        if number not in numbers:
            raise NotFound(f"{key} has no version {number}")
    by_number = {v.version: v for v in versions}
    source, target = by_number[before], by_number[to]
    # The elements of the source the target lacks: renamed or removed, each mapped onto one of the target's.
    unplaced = [
        (element_id, name, kind)
        for element_id, (name, kind) in source.elements.items()
        if element_id not in target.elements
    ]
    return render_template(
        "workbench_migrate.html",
        key=key,
        title=workbench.list_versions(services(), key, g.principal)[0].name,
        versions=versions,
        before=before,
        after=to,
        source=source,
        target=target,
        unplaced=unplaced,
        names={e: pick_language(name) for v in (source, target) for e, (name, _kind) in v.elements.items()},
    )
