"""The papers of a case are printable PDFs (A4, Chinese with its font embedded): each one carries the
company header, its document number, the case's customer and its signature page, the customer's
drawn signature as an image; only those who read the case get them, and only once issued."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pypdf

from app.demo.plans import plan_form
from tests.complaint_driver import ComplaintCase
from tests.repair_driver import TO_DIAGNOSIS
from tests.repair_driver import RepairCase


def _png(width: int = 40, height: int = 12) -> str:
    """A real (decodable) PNG of a black stroke on white, as a data URL: a drawn signature."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    rows = b"".join(
        b"\x00" + bytes(0 if abs(y - height // 2) <= 1 else 255 for _ in range(width)) for y in range(height)
    )
    content = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(content).decode()


def _pdf(response) -> pypdf.PdfReader:
    assert response.status_code == 200, response.json
    assert response.mimetype == "application/pdf"
    return pypdf.PdfReader(io.BytesIO(response.data))


def _text(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _fonts(reader: pypdf.PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptors = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for d in descriptors:
                descriptor = d.get("/FontDescriptor")
                files = ("/FontFile", "/FontFile2", "/FontFile3")
                embedded = descriptor and any(k in descriptor.get_object() for k in files)
                if embedded:
                    names.add(str(font["/BaseFont"]))
    return names


def _papers(as_user, case_id: int, user: str = "admin") -> dict[str, dict]:
    listed = as_user(user).get(f"/instances/{case_id}/papers")
    assert listed.status_code == 200, listed.json
    return {p["kind"]: p for p in listed.json}


def _factory_repair(as_user) -> RepairCase:
    case = RepairCase(as_user, customer_name="李娜 Li Na")
    case.walk(*TO_DIAGNOSIS)
    case.do("diagnose_on_site", fixable_on_site=False)
    case.do("accept_plan")
    case.walk("rtf_receive", "rtf_repair", "qa_inspection", "ship_back")
    case.do("customer_acceptance", signature=_png(), signed_by="李娜")
    if "payment_invoice" in case.ready():
        case.walk("payment_invoice")
    case.walk("file_report", "archive_report")
    return case


def test_every_paper_of_a_repair_prints_its_number_customer_and_signatures(as_user):
    case = _factory_repair(as_user)
    data = case.data
    papers = _papers(as_user, case.id)
    assert set(papers) == {"service-notice", "service-report", "repair-card", "pickup-receipt"}
    expected = {
        "service-notice": ("售后服务通知单", data["notice_no"], "签发人"),
        "service-report": ("售后服务报告", data["archive_no"], "客户签名"),
        "repair-card": ("返厂维修卡", data["notice_no"], "维修人"),
        "pickup-receipt": ("取件收据", data["pickup_receipt_no"], "经办人"),
    }
    for kind, (title, number, signer) in expected.items():
        assert papers[kind]["number"] == number
        reader = _pdf(as_user("agent").get(f"/instances/{case.id}/papers/{kind}.pdf"))
        text = _text(reader)
        for printed in ("客户服务部", title, number, case.body["case_no"], "李娜 Li Na", "签字 / Signatures", signer):
            assert printed in text, (kind, printed)
        assert round(reader.pages[0].mediabox.width) == 595 and round(reader.pages[0].mediabox.height) == 842  # A4
        assert any("NotoSansCJK" in name.replace("-", "") for name in _fonts(reader)), kind  # embedded
    report = _pdf(as_user("agent").get(f"/instances/{case.id}/papers/service-report.pdf"))
    # The customer's drawn signature is on the report as an image, beside who signed.
    signature_page = next(page for page in report.pages if "客户签名" in page.extract_text())
    assert [image.image.size for image in signature_page.images] == [(40, 12)]
    assert "李娜" in signature_page.extract_text() and "tech_urban1" in signature_page.extract_text()
    assert "4 很好" in _text(report)  # ratings by their level, not a bare number


def test_a_paper_is_the_same_bytes_at_each_download(as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice")
    first = as_user("agent").get(f"/instances/{case.id}/papers/service-notice.pdf")
    again = as_user("dispatcher").get(f"/instances/{case.id}/papers/service-notice.pdf")
    assert first.status_code == 200 and first.data == again.data
    assert "张伟 Zhang Wei" in _text(_pdf(first)) and "tech_urban1" in _text(_pdf(first))


def test_a_paper_not_yet_issued_is_not_found_and_a_stranger_gets_none(as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer")
    assert _papers(as_user, case.id) == {}
    missing = as_user("agent").get(f"/instances/{case.id}/papers/service-notice.pdf")
    assert missing.status_code == 404 and "not issued" in missing.json["message"]
    assert as_user("agent").get(f"/instances/{case.id}/papers/invoice.pdf").status_code == 404
    case.walk("dispatch_notice")
    # tech_suburb1 works nothing of this case: neither the list nor the paper.
    assert as_user("tech_suburb1").get(f"/instances/{case.id}/papers").status_code == 403
    assert as_user("tech_suburb1").get(f"/instances/{case.id}/papers/service-notice.pdf").status_code == 403
    assert as_user("tech_urban1").get(f"/instances/{case.id}/papers/service-notice.pdf").status_code == 200


def test_the_complaint_tracking_form_lists_the_actions_and_the_qa_managers_signature(as_user):
    case = ComplaintCase.registered(as_user)
    case.walk("clarify_facts", "dept_head_review", "qa_investigation", "handle_complaint", "approve_countermeasures")
    case.track_actions()
    assert _papers(as_user, case.id) == {}
    case.walk("qa_sign_tracking")
    assert _papers(as_user, case.id)["tracking-form"]["number"] == case.body["case_no"]
    text = _text(_pdf(as_user("qa").get(f"/instances/{case.id}/papers/tracking-form.pdf")))
    for printed in ("客户投诉闭环跟踪单", case.body["case_no"], "王秀英", "密封圈来料全检", "品质部经理 朱军", "签字"):
        assert printed in text, printed


def test_the_annual_plan_is_a_paper_once_approved(as_user, ctx):
    with ctx.uow() as uow:
        uow.users.get("executive").display_name = "王总 Wang"
        uow.commit()
    plan_id = as_user("agent").post("/processes/annual_plan/instances").json["id"]

    def do(element_id: str, user: str, data: dict) -> None:
        ready = as_user("admin").get(f"/tasks?instance_id={plan_id}").json
        [task] = [t for t in ready if t["element_id"] == element_id]
        done = as_user(user).post(f"/tasks/{task['id']}/complete", json=data)
        assert done.status_code == 200, done.json

    [draft] = as_user("admin").get(f"/tasks?instance_id={plan_id}").json
    year = as_user("agent").get(f"/tasks/{draft['id']}").json["form"]["properties"]["plan_year"]["default"]
    do("draft_plan", "agent", plan_form(year))
    do("review_plan", "dept_head", {"review_approved": True})
    assert _papers(as_user, plan_id) == {}
    do("approve_plan", "executive", {"plan_approved": True, "approval_comments": "同意"})
    case_no = as_user("admin").get(f"/instances/{plan_id}").json["case_no"]
    text = _text(_pdf(as_user("admin").get(f"/instances/{plan_id}/papers/annual-plan.pdf")))
    for printed in ("年度售后服务计划", case_no, str(year), "1,200,000", "巡回检修", "批准", "王总 Wang"):
        assert printed in text, printed


def test_the_case_page_links_each_issued_paper(app, as_user):
    from tests.api.test_workspace import session_for

    case = RepairCase(as_user)
    client, _ = session_for(app, "agent")
    assert 'id="papers"' not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    case.walk("contact_customer", "dispatch_notice")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    link = f"/api/v1/instances/{case.id}/papers/service-notice.pdf"
    assert 'id="papers"' in page and link in page and case.data["notice_no"] in page
    assert client.get(link).data.startswith(b"%PDF-")  # the browser's session is enough
