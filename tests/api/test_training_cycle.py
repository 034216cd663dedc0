"""Training as a procedure (D-26, seed 001/002): a new hire trained within a month of joining, the
quarterly training plan by administration, and the yearly check listing the staff without training,
each walked to its end with a moved clock."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from app.domain.principal import Principal
from app.services.planning import schedules
from app.services.timing.timer_firing import fire_due
from tests.case_driver import CaseDriver

ADMIN = Principal("admin", frozenset({"admin"}))
SESSION = {"date": "2026-03-20", "topic": "安全规范与服务流程", "trainer": "dept_head", "setting": "class"}


class Training(CaseDriver):
    ROLE_USER = {"administration": "hr", "dept_head": "dept_head"}
    FORMS = {
        "plan_training": {"sessions": [{**SESSION, "audience": "新员工"}]},
        "follow_up_training": {"training_follow_up": "督促行政部本周内安排"},
    }

    def held(self, *attendees: str, day: str = "2026-03-20") -> None:
        session = {"date": day, "topic": SESSION["topic"], "attendees": list(attendees), "materials_mailed": False}
        self.do("record_attendance", {"sessions_held": [session]})


def scheduled(ctx, clock, as_user, data: dict, at: str) -> Training:
    schedules.create_schedule(ctx, f"training-{at}", "training", f"R1/{at}/P1Y", data, ADMIN)
    clock.advance(datetime.fromisoformat(at) + timedelta(minutes=1) - clock.now())
    assert fire_due(ctx).opened == 1
    with ctx.uow() as uow:
        case = max((i for i in uow.instances.list(limit=100) if i.process_key == "training"), key=lambda i: i.id)
    return Training(as_user, case.id)


def test_a_new_hire_is_trained_within_a_month_or_the_department_head_follows_it_up(app, ctx, clock, as_user):
    refused = as_user("hr").post("/processes/training/instances", json={"training_kind": "new_hire"})
    assert refused.status_code == 422 and {"employee", "hired_on"} <= set(refused.json["fields"])
    started = as_user("hr").post(
        "/processes/training/instances",
        json={"training_kind": "new_hire", "employee": "tech_urban2", "hired_on": "2026-03-02"},
    )
    assert started.status_code == 201
    case = Training(as_user, started.json["id"])
    assert case.ready()["plan_training"]["candidate_roles"] == ["administration"]
    assert case.data["training_due"].startswith("2026-04-03T00:00")  # all of 2 April, a month after joining
    case.do("plan_training")
    case.held("tech_urban1")  # the new hire was not there: planned again
    assert list(case.ready()) == ["plan_training"] and case.data["not_yet_trained"] == ["tech_urban2"]
    clock.advance(datetime.fromisoformat("2026-04-03T00:01:00+08:00") - clock.now())
    fire_due(ctx)
    assert [t["element_id"] for t in case.timer_rows() if t["status"] == "fired"] == ["training_late"]
    assert set(case.ready()) == {"plan_training", "follow_up_training"}
    case.do("follow_up_training")
    case.do("plan_training")
    case.held("tech_urban2", day="2026-04-08")
    assert case.body["status"] == "completed" and case.data["not_yet_trained"] == []


def test_the_quarterly_plan_covers_its_quarter_and_the_yearly_check_lists_who_had_no_training(app, ctx, clock, as_user):
    quarterly = {"compute": "training_quarter", "training_kind": "quarterly_plan"}
    quarter = scheduled(ctx, clock, as_user, quarterly, "2026-04-01T09:00:00+08:00")
    assert quarter.data["training_quarter"] == "2026-Q2" and quarter.data["training_due"].startswith("2026-07-01T00")
    quarter.do("plan_training")
    quarter.held("agent", "tech_urban1", day="2026-05-12")
    assert quarter.body["status"] == "completed"

    check = {"compute": "staff_without_training", "training_kind": "annual_check"}
    yearly = scheduled(ctx, clock, as_user, check, "2026-12-01T09:00:00+08:00")
    untrained = [s["username"] for s in yearly.data["untrained_staff"]]
    assert "agent" not in untrained and "tech_urban1" not in untrained  # trained in May
    assert {"tech_urban2", "qa", "hr", "executive"} <= set(untrained)
    assert not {"admin", "auditor", "process_owner"} & set(untrained)  # accounts, not service staff
    yearly.do("plan_training")
    yearly.held(*untrained[:-1], day="2026-12-15")  # one still missing at the year's end
    clock.advance(datetime.fromisoformat("2027-01-01T00:01:00+08:00") - clock.now())
    fire_due(ctx)
    assert set(yearly.ready()) == {"plan_training", "follow_up_training"}
    assert yearly.data["not_yet_trained"] == untrained[-1:]
