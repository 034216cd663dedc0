"""A customer visit (用户走访, seed 000 §4.4.1, AP-03): planned, made, recorded, and followed up by the
supervisor when the record asks for it."""

from __future__ import annotations

from tests.case_driver import CaseDriver


class Visit(CaseDriver):
    ROLE_USER = {"cs_agent": "agent", "supervisor": "supervisor"}
    FORMS = {
        "plan_visit": {
            "customer_name": "华信科技",
            "visit_date": "2026-03-10",
            "visitors": "客服 王芳、工程师 徐静",
            "customer_contact": "李经理 13800000000",
            "visit_purpose": "了解服务器使用情况",
        },
        "visit_customer": {"visited_on": "2026-03-10", "people_met": "李经理", "equipment_checked": "机房服务器正常"},
        "record_visit": {
            "customer_opinions": "响应快，但备件等待时间长",
            "customer_needs": "希望本地备件库",
            "visit_satisfied": True,
            "follow_up_needed": True,
        },
        "follow_up_visit": {
            "follow_up_actions": [{"action": "评估设立备件点", "owner": "mis", "due_date": "2026-04-30"}]
        },
    }


def test_a_visit_is_planned_made_recorded_and_followed_up_when_the_record_asks(as_user):
    started = as_user("agent").post("/processes/customer_visit/instances", json={"customer_name": "华信科技"})
    assert started.status_code == 201
    visit = Visit(as_user, started.json["id"])
    visit.walk("plan_visit", "visit_customer", "record_visit")
    assert visit.ready()["follow_up_visit"]["candidate_roles"] == ["supervisor"]
    visit.do("follow_up_visit")
    assert visit.body["status"] == "completed"
    assert visit.completed_path()[-1] == "visit_followed_up"

    quiet = Visit(as_user, as_user("agent").post("/processes/customer_visit/instances", json={}).json["id"])
    quiet.walk("plan_visit", "visit_customer")
    quiet.do("record_visit", follow_up_needed=False)
    assert quiet.body["status"] == "completed" and "follow_up_visit" not in quiet.completed_path()
