"""The monthly service report to its end (seed 000 §4.7): opened on the 1st with the figures of the
month before, chased when not drafted within 5 days, sent back by the reviewer, approved by the
company leader and distributed."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from app.domain.principal import Principal
from app.services.planning import schedules
from app.services.timing.timer_firing import fire_due
from tests.case_driver import CaseDriver
from tests.repair_driver import RepairCase

ADMIN = Principal("admin", frozenset({"admin"}))


class Report(CaseDriver):
    ROLE_USER = {"mis": "mis", "dept_head": "dept_head", "executive": "executive"}
    FORMS = {
        "draft_report": {"summary": "本月服务平稳", "by_customer_category": "个人 1 / 企业 0"},
        "report_overdue_followup": {"report_followup_action": "已催促管理信息部"},
        "review_report": {"report_review_approved": True},
        "approve_report": {"report_approved": True},
    }


def test_a_monthly_report_is_chased_sent_back_approved_and_distributed(app, ctx, clock, as_user):
    RepairCase(as_user)  # a service case in the month the report covers
    month = clock.now().astimezone(ctx.calendar.tz).replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    first = (month + timedelta(days=32)).replace(day=1)
    rule = f"R1/{first.isoformat()}/P1M"
    data = {"compute": "service_statistics", "report_kind": "monthly"}
    schedules.create_schedule(ctx, "report-test", "service_report", rule, data, ADMIN)
    clock.advance(first + timedelta(minutes=1) - clock.now())
    assert fire_due(ctx).opened == 1
    with ctx.uow() as uow:
        [case] = [i for i in uow.instances.list(limit=100) if i.process_key == "service_report"]
    report = Report(as_user, case.id)
    assert report.data["period"] == month.strftime("%Y-%m")
    assert report.data["statistics"]["service_cases_opened"] == 1

    clock.advance(timedelta(days=5, minutes=1))
    fire_due(ctx)  # not drafted in 5 days: chased
    assert set(report.ready()) == {"draft_report", "report_overdue_followup"}
    report.walk("report_overdue_followup", "draft_report")
    report.do("review_report", {"report_review_approved": False, "report_review_comments": "补充客诉情况"})
    assert list(report.ready()) == ["draft_report"]  # sent back to be redrafted
    report.walk("draft_report", "review_report", "approve_report")
    assert report.body["status"] == "completed" and report.data["report_distributed"] is True
    assert datetime.fromisoformat(report.body["data"]["scheduled_for"]) == first
