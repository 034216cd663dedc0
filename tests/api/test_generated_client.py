"""A client generated from /api/v1/openapi.json by openapi-python-client, with no hand-written fix,
drives a case as a service account (Bearer token): opens it (Idempotency-Key), finds it by number,
claims its task, downloads the event log (XES, as bytes) and reads a refusal as a Problem."""

from __future__ import annotations

import importlib
import subprocess
import sys
from datetime import date
from pathlib import Path

import httpx
import pytest

from app.domain.principal import Principal
from app.services.people import api_tokens
from app.services.people.users import create_user

pytest.importorskip("openapi_python_client")
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture
def generated(app, tmp_path, monkeypatch):
    """The client package ``aftersales_client``, generated into tmp_path from the served document."""
    document = tmp_path / "openapi.json"
    document.write_bytes(app.test_client().get("/api/v1/openapi.json").get_data())
    package = tmp_path / "aftersales_client"
    run = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(document), "--meta", "none", "--output-path", str(package)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout, run.stdout  # every operation and answer was understood
    monkeypatch.syspath_prepend(str(tmp_path))
    yield lambda name: importlib.import_module(f"aftersales_client.{name}")
    for name in [m for m in sys.modules if m.split(".")[0] == "aftersales_client"]:
        del sys.modules[name]


def test_a_generated_client_drives_a_case_and_downloads_its_log(app, ctx, generated):
    create_user(ctx, "svc.crm", "an-unused-long-password", ["cs_agent", "qa"])
    secret = api_tokens.create_token(ctx, Principal("admin", frozenset({"admin"})), "svc.crm", "CRM").secret
    client = generated("client").AuthenticatedClient(
        base_url="http://localhost", token=secret, httpx_args={"transport": httpx.WSGITransport(app=app)}
    )
    start = generated("api.processes.processes_start_instance")
    opened = start.sync_detailed("repair", client=client, idempotency_key="crm-1")
    assert opened.status_code == 201 and opened.parsed.status == "running"
    again = start.sync_detailed("repair", client=client, idempotency_key="crm-1")
    assert again.parsed.id == opened.parsed.id

    found = generated("api.cases.cases_get_case_by_number").sync_detailed(opened.parsed.case_no, client=client)
    assert found.status_code == 200 and found.parsed.id == opened.parsed.id

    tasks = generated("api.tasks.tasks_list_tasks").sync(client=client, instance_id=opened.parsed.id)
    [task] = tasks
    claimed = generated("api.tasks.tasks_claim").sync_detailed(task.id, client=client)
    assert claimed.status_code == 200 and claimed.parsed.assignee == "svc.crm"

    log = generated("api.qa.qa_export_xes").sync_detailed(
        "repair", client=client, from_=date(2026, 3, 1), to=date(2026, 4, 1)
    )
    assert log.status_code == 200 and b"<log" in log.parsed.payload.read()

    missing = generated("api.cases.cases_get_case_by_number").sync_detailed("SR-1999-000001", client=client)
    assert missing.status_code == 404 and missing.parsed.status == 404 and missing.parsed.title == "Not Found"
