"""The service notice and the archived report are numbered by the system: per series and year,
unique, from 1, with no gap when a step is refused; a number typed in is refused."""

from __future__ import annotations

from tests.repair_driver import RepairCase

TO_ARCHIVE = (
    "agree_appointment",
    "record_arrival",
    "diagnose_on_site",
    "accept_plan",
    "perform_service",
    "customer_acceptance",
)


def _to_report(as_user) -> RepairCase:
    case = RepairCase(as_user, contract_no="", warranty_evidence="none")
    case.walk("contact_customer", "dispatch_notice", *TO_ARCHIVE)
    if "payment_invoice" in case.ready():
        case.walk("payment_invoice")
    case.walk("file_report")
    return case


def test_notices_and_archived_reports_are_numbered_in_sequence_per_year(as_user, clock):
    year = clock.now().year
    first, second = _to_report(as_user), _to_report(as_user)
    assert (first.data["notice_no"], second.data["notice_no"]) == (f"SN-{year}-00001", f"SN-{year}-00002")
    # Sent back first: a report that is not approved gets no number.
    second.do("archive_report", {"report_approved": False, "review_comments": "缺少签字"})
    assert "archive_no" not in second.data or not second.data["archive_no"]
    second.walk("file_report")
    # A refused form takes no number (no gap): the first number still goes to the next approved report.
    refused = second.submit("archive_report", {"report_approved": True, "review_comments": "x" * 1001})
    assert refused.status_code == 422
    second.do("archive_report", {"report_approved": True})
    first.do("archive_report", {"report_approved": True})
    assert (second.data["archive_no"], first.data["archive_no"]) == (f"AR-{year}-00001", f"AR-{year}-00002")


def test_a_number_typed_in_is_refused(as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer")
    typed = case.submit("dispatch_notice", {**case.FORMS["dispatch_notice"], "notice_no": "SN-1999-12345"})
    assert typed.status_code == 422 and "numbered by the system" in typed.json["fields"]["notice_no"][0]
    case.walk("dispatch_notice")
    assert case.data["notice_no"].endswith("-00001")


def test_each_series_and_year_counts_from_one(ctx):
    with ctx.uow() as uow:
        taken = [uow.numbers.take("SN", 2026), uow.numbers.take("SN", 2026), uow.numbers.take("SN", 2027)]
        taken.append(uow.numbers.take("AR", 2026))
        uow.commit()
    with ctx.uow() as uow:
        uow.numbers.take("SN", 2026)  # rolled back: given back
    with ctx.uow() as uow:
        assert uow.numbers.take("SN", 2026) == 3
    assert taken == [1, 2, 1, 1]
