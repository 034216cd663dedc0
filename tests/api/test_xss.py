"""No stored XSS from diagrams, forms or files, checked without a browser (tests/e2e/test_xss.py runs
the payloads in Chromium): a diagram's XML is served as inert plain text, downloads are attachments
that are not sniffed, a file whose bytes are not the type it names is refused, DOMPurify is on the
form pages, and the deploy refuses web markup in a diagram and markup in a form's texts, saying where."""

from __future__ import annotations

import base64
import json
import re

import pytest

from app.services.cases.attachments import NOT_ACCEPTED
from tests import xss_payloads
from tests.api.test_web import login
from tests.api.test_workbench import FORMS
from tests.api.test_workbench import REPAIR
from tests.repair_driver import FORMS as REPAIR_FORMS
from tests.repair_driver import TO_ACCEPTANCE
from tests.repair_driver import RepairCase

INERT = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}
CONTACT = "forms/repair/contact_customer.json"


def test_a_diagrams_xml_is_served_as_inert_plain_text_on_every_route(app, as_user, ctx):
    case = RepairCase(as_user)
    client = app.test_client()
    login(client, "admin")
    with ctx.uow() as uow:
        stored = uow.versions.latest("repair").bpmn_xml
    for url in (
        f"/workspace/cases/{case.id}/diagram.xml",
        "/qa/diagram/repair.xml",
        "/processes/repair/versions/1/live/diagram.xml",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8", url
        assert {name: response.headers.get(name) for name in INERT} == INERT, url
        assert response.data == stored, url  # what the viewers fetch() is the diagram, unchanged


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/exports/repair.xes?from=2026-03-01&to=2026-04-01", "application/xml; charset=utf-8"),
        ("/exports/repair.csv?from=2026-03-01&to=2026-04-01", "text/csv; charset=utf-8"),
        ("/reports/kpi.xlsx?quarter=2026-Q1", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_exports_are_attachments_a_browser_neither_sniffs_nor_runs(as_user, path, content_type):
    RepairCase(as_user)
    response = as_user("auditor").get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert {name: response.headers.get(name) for name in INERT} == INERT


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(document.domain)</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"GIF89a<script>alert(1)</script>",  # a GIF's header is not a PNG's
    ],
)
def test_a_signature_whose_bytes_are_not_the_png_it_claims_is_refused_on_the_field(as_user, content):
    case = RepairCase(as_user, contract_no="MC-2025-001")
    case.walk(*TO_ACCEPTANCE)
    forged = "data:image/png;base64," + base64.b64encode(content).decode()
    response = case.submit("customer_acceptance", {**REPAIR_FORMS["customer_acceptance"], "signature": forged})
    assert response.status_code == 422 and response.json["fields"]["signature"] == [NOT_ACCEPTED]
    assert "customer_acceptance" in case.ready()  # nothing was kept; the task waits for a real signature
    assert as_user("admin").get(f"/instances/{case.id}/attachments").json == []


def test_form_pages_load_dompurify_before_json_editor_and_it_is_served(app, as_user):
    case = RepairCase(as_user)
    client = app.test_client()
    login(client, "agent")
    task_id = case.ready()["contact_customer"]["id"]
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts.index("/vendor/purify.min.js") < scripts.index("/vendor/jsoneditor.js")
    purify = client.get("/vendor/purify.min.js")
    assert purify.status_code == 200 and b"DOMPurify" in purify.data
    purify.close()


def test_the_deploy_refuses_web_markup_in_a_diagram_and_markup_in_form_texts(as_user):
    api = as_user("process_owner")
    sent = {"filename": "xss.bpmn", "xml": xss_payloads.DIAGRAM, "forms": {xss_payloads.FORM_PATH: xss_payloads.FORM}}
    problems = api.post("/workbench/validate", json=sent).json["problems"]
    scripts = [p for p in problems if "XHTML element <script>" in p["reason"]]
    assert [(p["element_id"], p["line"]) for p in scripts] == [("xss", 7), ("fill", 29)]
    marked = {
        re.search(r": (/\S+) holds markup", p["reason"]).group(1) for p in problems if "holds markup" in p["reason"]
    }
    assert marked == {
        "/title",
        "/description",
        "/properties/note/title",
        "/properties/note/description",
        "/properties/choice/enumNames/0",
        "/properties/pick/oneOf/0/title",
        "/properties/lines/title",
        "/properties/lines/items/title",
        "/properties/lines/items/properties/text/title",
    }
    assert {p["element_id"] for p in problems if "holds markup" in p["reason"]} == {"fill"}
    deployed = api.post("/workbench/deploy", json=sent)
    assert deployed.status_code == 422
    assert as_user("admin").get(f"/processes/{xss_payloads.KEY}").status_code == 404


def test_a_style_sheet_instruction_is_refused_and_plain_comparisons_in_texts_are_fine(as_user):
    api = as_user("process_owner")
    styled = REPAIR.replace("?>", '?>\n<?xml-stylesheet type="text/xsl" href="data:,x"?>', 1)
    [problem] = api.post("/workbench/validate", json={"filename": "repair.bpmn", "xml": styled, "forms": FORMS}).json[
        "problems"
    ]
    assert "xml-stylesheet" in problem["reason"] and problem["line"] == 2
    form = json.loads(json.dumps(FORMS[CONTACT]))
    form["description"] = "回访间隔 < 24 小时，费用 > 0 & 无附加 / Within < 24 h, fee > 0 & nothing else"
    plain = {"filename": "repair.bpmn", "xml": REPAIR, "forms": {**FORMS, CONTACT: form}}
    assert api.post("/workbench/validate", json=plain).json == {"problems": [], "warnings": []}
    form["description"] = "请注意<b>24 小时</b> / Mind the <b>24 h</b>"
    [tagged] = api.post("/workbench/validate", json={**plain, "forms": {**FORMS, CONTACT: form}}).json["problems"]
    assert tagged["element_id"] == "contact_customer" and "/description holds markup" in tagged["reason"]
