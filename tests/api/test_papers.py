"""The papers of a case are printable PDFs (A4, Chinese with its font embedded): each one carries the
company header, its document number, the case's customer and its signature page, the customer's
drawn signature as an image; only those who read the case get them, and only once issued.

A paper is stored with the case when its step commits (rendered right after the commit with
PAPERS_RENDER_AT_COMMIT, the production default, else at its first download): every download then
gives the stored bytes, whatever changes later; a step done again stores a new version; a rendering
that fails never fails the step and is tried again by the alarm clock's round."""

from __future__ import annotations

import base64
import hashlib
import io
import struct
import threading
import zlib
from datetime import timedelta

import pypdf
import pytest

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


AT_COMMIT = {"PAPERS_RENDER_AT_COMMIT": True}


@pytest.mark.parametrize("app", [AT_COMMIT, {}], indirect=True, ids=["rendered-at-commit", "rendered-at-download"])
def test_every_paper_of_a_repair_prints_its_number_customer_and_signatures(app, as_user):
    case = _factory_repair(as_user)
    data = case.data
    papers = _papers(as_user, case.id)
    assert set(papers) == {"service-notice", "service-report", "repair-card", "pickup-receipt"}
    at_commit = app.config["PAPERS_RENDER_AT_COMMIT"]
    assert all(p["stored"] == at_commit for p in papers.values())
    # Signed again later: the report once archived, the repair card once QA inspected it.
    steps = {kind: [v["issued_by"] for v in p["versions"]] for kind, p in papers.items()}
    assert steps == {
        "service-notice": ["dispatch_notice"],
        "service-report": ["customer_acceptance", "archive_report"],
        "repair-card": ["rtf_repair", "qa_inspection"],
        "pickup-receipt": ["rtf_receive"],
    }
    expected = {
        "service-notice": ("售后服务通知单", data["notice_no"], "签发人"),
        "service-report": ("售后服务报告", data["archive_no"], "客户签名"),
        "repair-card": ("返厂维修卡", data["notice_no"], "维修人"),
        "pickup-receipt": ("取件收据", data["pickup_receipt_no"], "经办人"),
    }
    for kind, (title, number, signer) in expected.items():
        assert papers[kind]["number"] == number
        response = as_user("agent").get(f"/instances/{case.id}/papers/{kind}.pdf")
        reader = _pdf(response)
        assert response.headers["X-Paper-SHA256"] == hashlib.sha256(response.data).hexdigest()
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
    assert all(p["stored"] for p in _papers(as_user, case.id).values())
    # The version the customer signed carries the notice number, not yet the archive's stamp.
    signed = _text(_pdf(as_user("agent").get(f"/instances/{case.id}/papers/service-report.pdf?version=1")))
    assert data["notice_no"] in signed and "李娜 Li Na" in signed and data["archive_no"] not in signed


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


def _stored_rows(ctx, case_id: int) -> list:
    with ctx.uow() as uow:
        return uow.papers.of_instance(case_id)


@pytest.mark.parametrize("app", [AT_COMMIT], indirect=True)
def test_a_paper_is_stored_once_at_its_step_and_downloads_give_those_bytes_whatever_changes(
    app, ctx, as_user, monkeypatch
):
    from app.integrations import pdf_papers

    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice")
    [row] = _stored_rows(ctx, case.id)  # stored right after the step, before anyone asked for it
    listed = _papers(as_user, case.id)["service-notice"]
    assert (listed["version"], listed["stored"], listed["versions"][0]["sha256"]) == (1, True, row.sha256)

    # The template and a person's name change after the notice was issued.
    monkeypatch.setattr(pdf_papers, "render_html", lambda paper: "<p>新版式 new layout</p>")
    with ctx.uow() as uow:
        uow.users.get("tech_urban1").display_name = "王师傅 Master Wang"
        uow.commit()
    first = as_user("agent").get(f"/instances/{case.id}/papers/service-notice.pdf")
    again = as_user("dispatcher").get(f"/instances/{case.id}/papers/service-notice.pdf")
    assert first.data == again.data and hashlib.sha256(first.data).hexdigest() == row.sha256
    text = _text(_pdf(first))
    assert "售后服务通知单" in text and "tech_urban1" in text and "新版式" not in text and "王师傅" not in text
    assert len(_stored_rows(ctx, case.id)) == 1  # nothing stored again by the downloads

    # The audit trail: stored once, and each download with the SHA-256 of the bytes it gave.
    [stored] = case.events("paper_stored")
    assert stored["data"] == {"kind": "service-notice", "version": 1, "number": row.number, "sha256": row.sha256}
    downloads = case.events("paper_downloaded")
    assert [(e["actor"], e["data"]["sha256"]) for e in downloads] == [("agent", row.sha256), ("dispatcher", row.sha256)]

    # A paper issued now is rendered with what holds now: the changes were real.
    other = RepairCase(as_user)
    other.walk("contact_customer", "dispatch_notice")
    fresh = as_user("agent").get(f"/instances/{other.id}/papers/service-notice.pdf").data
    assert "新版式" in _text(_pdf_bytes(fresh))


def _pdf_bytes(content: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(content))


@pytest.mark.parametrize("app", [AT_COMMIT], indirect=True)
def test_a_step_done_again_stores_a_new_version_and_the_old_one_stays(app, ctx, as_user):
    from tests.api.test_workspace import session_for

    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice")
    repeated = as_user("process_owner").post(
        f"/instances/{case.id}/repeat", json={"element_id": "dispatch_notice", "reason": "改派 / another engineer"}
    )
    assert repeated.status_code == 200, repeated.json
    case.do("dispatch_notice", technician="tech_urban2")
    listed = _papers(as_user, case.id)["service-notice"]
    assert [v["version"] for v in listed["versions"]] == [1, 2] and listed["version"] == 2
    v1, v2 = listed["versions"]
    assert v1["sha256"] != v2["sha256"] and all(v["state"] == "stored" for v in listed["versions"])

    latest = as_user("agent").get(f"/instances/{case.id}/papers/service-notice.pdf")
    first = as_user("agent").get(f"/instances/{case.id}/papers/service-notice.pdf?version=1")
    assert latest.headers["X-Paper-Version"] == "2" and first.headers["X-Paper-Version"] == "1"
    assert hashlib.sha256(first.data).hexdigest() == v1["sha256"]
    assert "tech_urban2" in _text(_pdf(latest)) and "tech_urban2" not in _text(_pdf(first))
    assert "tech_urban1" in _text(_pdf(first))
    missing = as_user("agent").get(f"/instances/{case.id}/papers/service-notice.pdf?version=3")
    assert missing.status_code == 404 and "no version 3" in missing.json["message"]

    # The case page lists the paper with its versions, the earlier one still a link.
    client, _ = session_for(app, "agent")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/api/v1/instances/{case.id}/papers/service-notice.pdf?version=1" in page and "第 2 版" in page


@pytest.mark.parametrize("app", [AT_COMMIT], indirect=True)
def test_a_failed_rendering_does_not_fail_the_step_and_the_alarm_stores_it_later(app, ctx, clock, as_user, monkeypatch):
    from app.integrations import pdf_papers
    from app.scheduler import AlarmClock

    def broken(paper):
        raise OSError("font cache unreadable")

    case = RepairCase(as_user)
    case.walk("contact_customer")
    render = pdf_papers.render_pdf
    monkeypatch.setattr(pdf_papers, "render_pdf", broken)
    case.do("dispatch_notice")  # the step is done all the same
    assert "agree_appointment" in case.ready()
    listed = _papers(as_user, case.id)["service-notice"]
    assert (listed["version"], listed["stored"]) == (1, False)
    [row] = _stored_rows(ctx, case.id)
    assert row.attempts == 1 and "font cache unreadable" in row.last_error and row.sha256 is None

    # Asked for while it still fails: try again later (503), and the attempt counts.
    refused = as_user("agent").get(f"/instances/{case.id}/papers/service-notice.pdf")
    assert refused.status_code == 503 and "try again later" in refused.json["message"]
    assert _stored_rows(ctx, case.id)[0].attempts == 2

    monkeypatch.setattr(pdf_papers, "render_pdf", render)  # repaired
    alarm = AlarmClock(ctx, sweep_seconds=60)  # not started: the test runs the paper job the sweep rings
    alarm.fire()
    assert alarm.scheduler.get_job("papers") is not None
    alarm.store_papers()  # not due yet: it waits after a failure
    assert not _papers(as_user, case.id)["service-notice"]["stored"]
    clock.advance(timedelta(minutes=3))
    alarm.fire()
    alarm.store_papers()
    [row] = _stored_rows(ctx, case.id)
    assert row.state == "stored" and row.sha256 and not case.events("paper_downloaded")
    [stored] = case.events("paper_stored")
    assert stored["actor"] is None  # by the alarm clock, nobody
    download = as_user("agent").get(f"/instances/{case.id}/papers/service-notice.pdf")
    assert hashlib.sha256(download.data).hexdigest() == row.sha256
    assert case.data["notice_no"] in _text(_pdf(download))


def test_a_paper_issued_before_papers_were_stored_is_stored_at_its_first_download(ctx, as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice")
    with ctx.uow() as uow:  # as a case of the release before: issued, no row
        for row in uow.papers.of_instance(case.id):
            uow.session.delete(row)
        uow.commit()
    listed = _papers(as_user, case.id)["service-notice"]
    assert (listed["version"], listed["versions"], listed["number"]) == (None, [], case.data["notice_no"])
    first = as_user("agent").get(f"/instances/{case.id}/papers/service-notice.pdf")
    assert first.status_code == 200 and first.headers["X-Paper-Version"] == "1"
    assert as_user("agent").get(f"/instances/{case.id}/papers/service-notice.pdf").data == first.data
    [row] = _stored_rows(ctx, case.id)
    assert (row.version, row.issued_by, row.sha256) == (1, "dispatch_notice", hashlib.sha256(first.data).hexdigest())


def test_the_papers_a_step_left_pending_are_stored_by_the_store_papers_command(app, ctx, as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice")  # rendering at commit is off here: left to the alarm
    assert not _papers(as_user, case.id)["service-notice"]["stored"]
    result = app.test_cli_runner().invoke(args=["store-papers"])
    assert result.exit_code == 0 and "stored 1 paper(s)" in result.output, result.output
    assert _papers(as_user, case.id)["service-notice"]["stored"]
    assert "stored 0 paper(s)" in app.test_cli_runner().invoke(args=["store-papers"]).output


def test_with_the_alarm_clock_a_step_rings_the_paper_job_which_stores_its_paper(ctx, as_user):
    from app.scheduler import AlarmClock
    from app.services.signals import papers_queued

    alarm = AlarmClock(ctx, sweep_seconds=3600)
    alarm.scheduler.start(paused=True)  # jobs are kept, none runs: the test runs it
    papers_queued.connect(alarm.on_papers_queued, sender=ctx)
    try:
        case = RepairCase(as_user)
        case.walk("contact_customer")
        assert alarm.scheduler.get_job("papers") is None
        case.walk("dispatch_notice")
        assert alarm.scheduler.get_job("papers") is not None  # rung by the step's commit, to run at once
        assert not _papers(as_user, case.id)["service-notice"]["stored"]  # the step did not wait for it
        alarm.store_papers()  # what the job runs
        assert _papers(as_user, case.id)["service-notice"]["stored"]
    finally:
        papers_queued.disconnect(alarm.on_papers_queued, sender=ctx)
        alarm.shutdown()


def test_the_alarm_renders_papers_on_one_thread_one_at_a_time(ctx, as_user, monkeypatch):
    """Renderings on several threads at once held a gigabyte (an allocation arena per thread): every paper
    the steps ring is rendered on the alarm's one paper thread, never two at once."""
    from app.integrations import pdf_papers
    from app.scheduler import AlarmClock
    from app.services.signals import papers_queued

    render, cases = pdf_papers.render_pdf, 4
    threads: list[int] = []
    running, overlapped, all_rendered = [0], [False], threading.Event()

    def watched(paper):
        running[0] += 1
        overlapped[0] |= running[0] > 1
        threads.append(threading.get_ident())
        try:
            return render(paper)
        finally:
            running[0] -= 1
            if len(threads) >= cases:
                all_rendered.set()

    monkeypatch.setattr(pdf_papers, "render_pdf", watched)
    alarm = AlarmClock(ctx, sweep_seconds=3600)
    papers_queued.connect(alarm.on_papers_queued, sender=ctx)
    alarm.scheduler.start()
    try:
        for _ in range(cases):
            RepairCase(as_user).walk("contact_customer", "dispatch_notice")  # each rings the paper job
        assert all_rendered.wait(60), "the paper job did not render the service notices"
    finally:
        papers_queued.disconnect(alarm.on_papers_queued, sender=ctx)
        alarm.scheduler.shutdown(wait=True)  # the last paper stored before the database goes
    assert len(set(threads)) == 1 and threading.get_ident() not in threads and not overlapped[0]


def test_a_paper_one_workers_round_took_is_not_rendered_again_by_another_unless_that_worker_died(ctx, as_user, clock):
    from app.services.cases.papers import CLAIM
    from app.services.cases.papers import store_pending

    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice")  # pending: rendering at commit is off here
    [row] = _stored_rows(ctx, case.id)
    with ctx.uow() as uow:  # another worker's round took it and is rendering it
        assert uow.papers.claim(row.id, clock.now(), clock.now() + CLAIM)
        uow.commit()
    assert store_pending(ctx) == 0  # not rendered twice
    clock.advance(CLAIM + timedelta(seconds=1))  # that worker died: the paper is due again
    assert store_pending(ctx) == 1 and _stored_rows(ctx, case.id)[0].state == "stored"
