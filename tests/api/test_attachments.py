"""A signature is kept as an attachment of the case, not as a blob in the case data."""

from __future__ import annotations

import base64

import pytest

from tests.repair_driver import FORMS
from tests.repair_driver import TO_ACCEPTANCE
from tests.repair_driver import RepairCase

PNG = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 64).decode()


def accept(as_user, signature: str):
    case = RepairCase(as_user, contract_no="MC-2025-001")  # C001's contract in force: free
    case.walk(*TO_ACCEPTANCE)
    return case, case.submit("customer_acceptance", {**FORMS["customer_acceptance"], "signature": signature})


def test_a_drawn_signature_becomes_an_attachment_the_case_refers_to(as_user):
    case, response = accept(as_user, PNG)
    assert response.status_code == 200
    reference = case.data["signature"]
    assert reference.startswith("attachment:") and "base64" not in str(case.data)
    [attachment] = as_user("tech_urban1").get(f"/instances/{case.id}/attachments").json
    assert (attachment["field"], attachment["media_type"], attachment["created_by"]) == (
        "signature",
        "image/png",
        "tech_urban1",
    )
    content = as_user("auditor").get(f"/instances/{case.id}/attachments/{attachment['id']}")
    assert content.status_code == 200 and content.data.startswith(b"\x89PNG")
    assert as_user("finance").get(f"/instances/{case.id}/attachments/{attachment['id']}").status_code == 403


def test_a_file_of_another_kind_is_refused_on_the_field(as_user):
    case, response = accept(as_user, "data:text/html;base64," + base64.b64encode(b"<script>").decode())
    assert response.status_code == 422 and "signature" in response.json["fields"]
    assert "customer_acceptance" in case.ready()


def test_the_case_page_shows_the_signature_as_an_attachment(app, as_user):
    import re

    case, _ = accept(as_user, PNG)
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "tech_urban1", "password": "tech_urban1", "csrf_token": token})
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="attachments"' in page and f"/api/v1/instances/{case.id}/attachments/" in page


@pytest.mark.parametrize(
    ("signature", "why"),
    [("x", "typed text"), ("张伟", "a typed name"), ("attachment:999", "another case's or no file")],
)
def test_a_signature_is_a_drawn_or_scanned_image_not_text(as_user, signature, why):
    case, response = accept(as_user, signature)
    assert response.status_code == 422, why
    assert list(response.json["fields"]) == ["signature"]
    assert "customer_acceptance" in case.ready()  # nothing was taken
