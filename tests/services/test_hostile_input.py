"""A deployment refuses a start form whose fields would shadow the names the scripts are given."""

from __future__ import annotations

import json

import pytest


def test_deploy_refuses_a_start_form_field_under_a_reserved_name(app_with_diagram, tmp_path):
    from app.errors import DiagramError
    from app.services.processes.deployments import deploy_directory
    from tests.diagrams import START_FORM
    from tests.diagrams import TINY_STARTING
    from tests.diagrams import write_tiny

    ctx = app_with_diagram().extensions["aftersales"]
    changed = tmp_path / "reserved"
    write_tiny(changed, TINY_STARTING)
    reserved = {**START_FORM["properties"], "supervisor": {"type": "string"}, "add_days": {"type": "string"}}
    (changed / "forms" / "begin.json").write_text(json.dumps({**START_FORM, "properties": reserved}))
    with pytest.raises(DiagramError) as refused:
        deploy_directory(ctx, changed)
    assert sorted(p.reason.split("'")[1] for p in refused.value.problems) == ["add_days", "supervisor"]
