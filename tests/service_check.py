"""tests/bpmn/service_check.bpmn deployed alone: register → on site (diagnose, repair) or remote → close.

A sequence with one exclusive choice, no boundary events, no subprocesses: small enough to count
tokens by hand (log check) and to convert to a Petri net with pm4py (cross-check).
"""

from __future__ import annotations

from pathlib import Path

from app.demo.loader import load_master_data
from app.services.people.users import create_user
from app.services.processes.deployments import deploy_directory
from tests.case_driver import CaseDriver
from tests.conftest import USERS
from tests.conftest import make_app
from tests.diagrams import write_tiny

DIAGRAM = Path(__file__).resolve().parent / "bpmn" / "service_check.bpmn"
ACTIVITIES = {  # element id → name
    "sc_start": "收到请求 / Request received",
    "sc_register": "登记 / Register",
    "sc_diagnose": "诊断 / Diagnose",
    "sc_repair": "维修 / Repair",
    "sc_remote": "远程支持 / Remote support",
    "sc_close": "结案 / Close the case",
    "sc_end": "已结案 / Closed",
}


USERNAMES = ("admin", "agent", "tech_urban1", "process_owner", "auditor", "qa")


def service_check_app(tmp_path, database_url, clock, users=USERNAMES):
    processes = tmp_path / "processes-service-check"
    write_tiny(processes, DIAGRAM.read_text(encoding="utf-8"), name="service_check.bpmn")
    app = make_app(database_url, clock, processes)
    ctx = app.extensions["aftersales"]
    deploy_directory(ctx, actor="tests")
    load_master_data(ctx)  # tech_urban1's technician record: a certificate, or no technician's task
    for username in users:
        create_user(ctx, username, username, USERS[username])
    return app


class ServiceCheckCase(CaseDriver):
    """``on_site``: register with ok=True (diagnose and repair) or False (remote support)."""

    FORMS = {e: {"ok": True} for e in ACTIVITIES}
    ROLE_USER = {"cs_agent": "agent", "technician": "tech_urban1"}

    def __init__(self, as_user, *, on_site: bool) -> None:
        started = as_user("agent").post("/processes/service_check/instances")
        assert started.status_code == 201, started.json
        super().__init__(as_user, started.json["id"])
        self.do("sc_register", {"ok": on_site})
