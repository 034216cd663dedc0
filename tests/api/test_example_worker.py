"""The demo worker of examples/ (README, Integration): deployed as a user would (upload of
examples/erp_invoice.bpmn with its forms), it works the cases over HTTP with a Bearer token —
an invoice number into the case, a business error to finance, failures into an incident."""

from __future__ import annotations

import importlib.util
import io
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from app.services.people.users import create_user

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
spec = importlib.util.spec_from_file_location("erp_invoice_worker", EXAMPLES / "erp_invoice_worker.py")
worker = importlib.util.module_from_spec(spec)
spec.loader.exec_module(worker)


@pytest.fixture
def erp_client(app, as_user, ctx):
    files = {"file": (io.BytesIO((EXAMPLES / "erp_invoice.bpmn").read_bytes()), "erp_invoice.bpmn")}
    for form in ("erp_invoice_start.json", "check_customer.json"):
        files[f"forms/{form}"] = (io.BytesIO((EXAMPLES / "forms" / form).read_bytes()), form)
    admin = as_user("admin")
    deployed = admin.client.post("/api/v1/processes", headers=admin._headers(), data=files)
    assert deployed.status_code == 201, deployed.json
    create_user(ctx, "svc.erp", "a-long-unused-password", ["finance"])
    token = admin.post("/tokens", json={"username": "svc.erp", "name": "ERP worker"}).json["secret"]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://x/api/v1", headers=headers) as client:
        yield client


def test_the_demo_worker_invoices_reports_a_missing_customer_and_fails_into_an_incident(erp_client, as_user, clock):
    finance = as_user("finance")
    known = finance.post("/processes/erp_invoice/instances", json={"customer_code": "C-0042", "amount": 1280}).json
    unknown = finance.post("/processes/erp_invoice/instances", json={"amount": 99}).json
    assert sorted(worker.run_once(erp_client, worker.FakeErp())) == ["bpmn_error", "completed"]
    invoiced = finance.get(f"/instances/{known['id']}").json
    assert (invoiced["status"], invoiced["data"]["invoice_no"]) == ("completed", "INV-000001")
    [check] = finance.get(f"/tasks?instance_id={unknown['id']}").json
    assert check["element_id"] == "check_customer"

    down = finance.post("/processes/erp_invoice/instances", json={"customer_code": "C-7", "amount": 5}).json
    assert worker.run_once(erp_client, worker.FakeErp(down=True)) == ["failed"]
    assert worker.run_once(erp_client, worker.FakeErp()) == []  # backing off for a minute
    for _ in range(2):
        clock.advance(timedelta(minutes=1))
        assert finance.get(f"/instances/{down['id']}").json["incidents"] == []  # retries left
        assert worker.run_once(erp_client, worker.FakeErp(down=True)) == ["failed"]
    [incident] = finance.get(f"/instances/{down['id']}").json["incidents"]
    assert incident["message"] == "ERP not reachable"
