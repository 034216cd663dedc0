"""Drives a case through the HTTP API, completing each task as a user of its role would."""

from __future__ import annotations

from typing import Any


class CaseDriver:
    """Subclasses name the process's valid form data (``FORMS``), who works each role (``ROLE_USER``) and
    who does a step another user of its role would not (``STEP_USER``)."""

    FORMS: dict[str, dict[str, Any]] = {}
    ROLE_USER: dict[str, str] = {}
    STEP_USER: dict[str, str] = {}

    def __init__(self, as_user, case_id: int) -> None:
        self.as_user, self.id = as_user, case_id

    def ready(self) -> dict[str, dict]:
        return {t["element_id"]: t for t in self.as_user("admin").get(f"/tasks?instance_id={self.id}").json}

    def user_for(self, task: dict) -> str:
        return task["assignee"] or self.STEP_USER.get(task["element_id"]) or self.ROLE_USER[task["candidate_roles"][0]]

    def submit(self, element_id: str, data: dict | None = None, user: str | None = None):
        ready = self.ready()
        assert element_id in ready, f"{element_id} is not ready; ready: {sorted(ready)}"
        task = ready[element_id]
        payload = self.FORMS[element_id] if data is None else data
        # A customer's own step: the staff user of the customer role does it on the customer's behalf.
        on_behalf = "?on_behalf=true" if task["candidate_roles"][:1] == ["customer"] else ""
        return self.as_user(user or self.user_for(task)).post(f"/tasks/{task['id']}/complete{on_behalf}", json=payload)

    def do(self, element_id: str, data: dict | None = None, **changes: Any) -> None:
        payload = {**(self.FORMS.get(element_id, {}) if data is None else data), **changes}
        response = self.submit(element_id, payload)
        assert response.status_code == 200, (element_id, response.json)

    def walk(self, *element_ids: str) -> None:
        for element_id in element_ids:
            self.do(element_id)

    @property
    def body(self) -> dict:
        return self.as_user("admin").get(f"/instances/{self.id}").json

    @property
    def data(self) -> dict:
        return self.body["data"]

    def events(self, type_: str | None = None) -> list[dict]:
        events = self.as_user("admin").get(f"/instances/{self.id}/events").json
        return [e for e in events if type_ is None or e["type"] == type_]

    def completed_path(self) -> list[str]:
        return [e["element_id"] for e in self.events() if e["type"] in ("task_completed", "element_completed")]

    def timer_rows(self) -> list[dict]:
        return self.as_user("admin").get(f"/instances/{self.id}/timers").json
