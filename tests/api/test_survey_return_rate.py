"""The survey's return rate is the questionnaires returned out of those SENT, not out of the rows typed in:
one answer back of ten sent is 10 % and asks for a reminder round (K-06: at least 80 %)."""

from __future__ import annotations

from tests.case_driver import CaseDriver

ANSWER = {"customer_code": "C-001", "customer_name": "华信科技", "returned": True, "score": 95, "comments": ""}


class Survey(CaseDriver):
    FORMS: dict = {}
    ROLE_USER: dict = {}

    def user_for(self, task: dict) -> str:
        return "admin"


def test_one_answer_back_of_ten_sent_is_ten_percent_and_asks_for_reminders(as_user):
    started = as_user("admin").post("/processes/satisfaction_survey/instances")
    assert started.status_code == 201, started.json
    survey = Survey(as_user, started.json["id"])
    survey.do("send_questionnaires", {"sent_count": 10, "channel": "mail"})
    survey.do("record_answers", {"answers": [ANSWER]})
    assert survey.data["return_rate"] == 0.1
    assert "reminder_round" in survey.ready()
