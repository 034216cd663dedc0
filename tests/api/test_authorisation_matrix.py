"""Every route × every role: who may pass the gate, from a table declared here — not read from the code
under test. A route without an entry, or an entry without a route, fails the test; so does a role
added to app/domain/roles.py and missing here.

For each route: without credentials an API route answers 401 (also when the request body is missing:
authentication comes before validation) and a page redirects to /login; each role of the table gets
past the gate (any answer but 401/403 — a 404 or 422 on the test's ids is fine), every other role gets
403. Routes that act on one object (a case, a task, a notification) are declared for the objects made
here: a repair case opened by ``agent`` whose ready task is the customer service agent's.
"""

from __future__ import annotations

import io
import json
from base64 import b64encode
from dataclasses import dataclass
from dataclasses import field

import pytest

from app.domain.customer_links import LinkPurpose
from app.domain.principal import Principal
from app.domain.roles import STAFF_ROLES
from app.domain.roles import Role
from app.persistence.orm import AcceptedDeviation
from app.persistence.orm import Attachment
from app.persistence.orm import Notification
from app.services.cases.opening import start_case
from app.services.customers import links as customer_links
from app.services.people import api_tokens
from app.services.people.users import create_user
from app.services.planning import schedules
from tests.complaint_driver import ComplaintCase
from tests.diagrams import FORM
from tests.diagrams import TINY
from tests.repair_driver import RepairCase

# The organisation's roles, as the issue and README name them (compared with Role below).
ROLES = (
    "cs_agent",
    "dispatcher",
    "supervisor",
    "technician",
    "qa",
    "finance",
    "mis",
    "service_manager",
    "responsible_dept",
    "dept_head",
    "executive",
    "sales",
    "production",
    "administration",
    "process_owner",
    "auditor",
    "admin",
)
ALL = frozenset(ROLES)
ADMIN = frozenset({"admin"})
OWNERS = frozenset({"admin", "process_owner"})  # change diagrams, versions and running cases
DIAGRAM_READERS = OWNERS | {"auditor"}  # read every version's source; the workbench read-only
SCHEDULE_READERS = OWNERS | {"auditor"}
# QA reports: QA, management, process owners and the auditor (README, "QA").
REPORTS = frozenset(
    {"admin", "auditor", "process_owner", "qa", "dept_head", "supervisor", "service_manager", "executive"}
)
LIVE = frozenset({"admin", "process_owner", "auditor", "supervisor", "service_manager"})
# Customer look-ups: the roles that register requests and complaints (seed 000 §4.11; roles.REGISTRARS).
REGISTRARS = frozenset({"admin", "cs_agent", "dispatcher", "supervisor", "service_manager"})
WRITERS = ALL - {"auditor"}  # the auditor changes nothing, not even their own drafts
# The objects: a repair case opened by `agent`, waiting at register_request (lane cs_agent). Who reads it
# (app/domain/visibility.py): the roles that read every case, and those coordinating repairs (the
# executive among them: the company leader approves major on-site support, a lane of repair.bpmn).
CASE_VIEWERS = frozenset(
    {"admin", "process_owner", "auditor", "qa", "supervisor", "cs_agent", "dispatcher", "executive"}
)
TASK_WORKERS = frozenset({"admin", "cs_agent"})
STARTERS = frozenset({"admin", "cs_agent"})  # repair starts in the customer service agent's lane
CANCELLERS = frozenset({"admin", "supervisor"})
# Customer links of a case: issued and revoked by the roles that talk to customers, among its readers.
LINK_MANAGERS = frozenset({"admin", "cs_agent", "supervisor"})
RECIPIENT = frozenset({"cs_agent"})  # the notification is r_cs_agent's own: not even an admin reads it
PUBLIC = None  # no login needed

API, PAGE = "api", "page"
PERIOD = "from=2026-03-01&to=2026-04-01"
DUE = "2026-03-10T09:00:00+08:00"


@dataclass(frozen=True)
class Gate:
    allowed: frozenset[str] | None  # None: public
    kind: str = API
    path: str = ""  # the route with the test's ids ({case}, {task}, ...); default: the rule itself
    json: dict | None = None  # a valid body, so that validation never hides the gate
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # multipart: field -> (file name, content)
    fresh_case: bool = False  # the call may change the case: a new one for this route


TINY_UPLOAD = {"file": ("tiny.bpmn", TINY.encode()), "forms/do_it.json": ("do_it.json", json.dumps(FORM).encode())}
LOG = b"case_id,activity,timestamp\nC1,Register service request,2026-03-02T09:00:00+08:00\n"

# "METHOD rule" (exactly as Flask's url_map has it) -> who may pass the gate.
MATRIX: dict[str, Gate] = {
    # -- pages and public endpoints ------------------------------------------------------------
    "GET /": Gate(PUBLIC, PAGE),
    "GET /healthz": Gate(PUBLIC, PAGE),
    "GET /readyz": Gate(PUBLIC, PAGE),
    "GET /metrics": Gate(PUBLIC, PAGE),
    "GET /login": Gate(PUBLIC, PAGE),
    "POST /login": Gate(PUBLIC, PAGE),  # sent with the session's CSRF token and the role's own credentials
    "POST /logout": Gate(PUBLIC, PAGE),
    "POST /language": Gate(PUBLIC, PAGE),
    # The public service request form: anyone, no account (a customer on a phone); refused without a proof of work.
    "GET /request": Gate(PUBLIC, PAGE),
    "POST /request": Gate(PUBLIC, PAGE),
    "GET /request/sent": Gate(PUBLIC, PAGE),
    "GET /static/<path:filename>": Gate(PUBLIC, PAGE, "/static/css/workspace.css"),
    "GET /vendor/<name>": Gate(PUBLIC, PAGE, "/vendor/bpmn-js.css"),
    "GET /vendor/bpmn-font/<kind>/<name>": Gate(PUBLIC, PAGE, "/vendor/bpmn-font/font/bpmn.woff2"),
    "GET /api/v1/openapi.json": Gate(PUBLIC, API),
    "GET /api/v1/docs": Gate(PUBLIC, PAGE),
    # The customers' pages: the link's token is the credential (tests/api/test_customer_links.py refuses
    # the wrong ones); here a FOLLOW link of the case, and a TASK link whose step is not ready (410).
    "GET /c/<token>": Gate(PUBLIC, PAGE, "/c/{follow}"),
    "GET /c/done": Gate(PUBLIC, PAGE),
    "GET /c/<token>/papers/<kind>.pdf": Gate(PUBLIC, PAGE, "/c/{follow}/papers/service-notice.pdf"),
    "POST /c/<token>/reschedule": Gate(PUBLIC, PAGE, "/c/{follow}/reschedule"),
    "POST /c/<token>/complete": Gate(PUBLIC, PAGE, "/c/{spent}/complete", json={}),
    "POST /cases/<int:instance_id>/customer-links": Gate(LINK_MANAGERS, PAGE, "/cases/{case}/customer-links"),
    "POST /cases/<int:instance_id>/customer-links/<int:link_id>/revoke": Gate(
        LINK_MANAGERS, PAGE, "/cases/{case}/customer-links/0/revoke"
    ),
    "GET /inbox": Gate(ALL, PAGE),
    "GET /notifications": Gate(ALL, PAGE),
    "POST /notifications/<int:notification_id>/open": Gate(RECIPIENT, PAGE, "/notifications/{notification}/open"),
    "POST /notifications/read-all": Gate(WRITERS, PAGE),  # each their own; the auditor changes nothing
    "GET /tasks/<task_id>": Gate(CASE_VIEWERS, PAGE, "/tasks/{task}"),
    "GET /cases/<int:instance_id>": Gate(CASE_VIEWERS, PAGE, "/cases/{case}"),
    "GET /cases/<int:instance_id>/next": Gate(CASE_VIEWERS, PAGE, "/cases/{case}/next"),
    "GET /workspace/cases/<int:instance_id>/diagram.xml": Gate(
        CASE_VIEWERS, PAGE, "/workspace/cases/{case}/diagram.xml"
    ),
    "GET /admin/users": Gate(ADMIN, PAGE),
    "GET /admin/users/new": Gate(ADMIN, PAGE),
    "POST /admin/users/new": Gate(ADMIN, PAGE),  # an empty form: refused (422) past the gate
    "GET /admin/users/<username>": Gate(ADMIN, PAGE, "/admin/users/agent"),
    "POST /admin/users/<username>": Gate(ADMIN, PAGE, "/admin/users/agent"),  # no roles: refused, unchanged
    "POST /admin/users/<username>/active": Gate(ADMIN, PAGE, "/admin/users/nobody/active"),
    "POST /admin/users/<username>/password": Gate(ADMIN, PAGE, "/admin/users/nobody/password"),
    "GET /admin/integrations": Gate(ADMIN, PAGE),
    "POST /admin/integrations/tokens": Gate(ADMIN, PAGE),  # an empty form: refused (422) past the gate
    "POST /admin/integrations/tokens/<int:token_id>/revoke": Gate(ADMIN, PAGE, "/admin/integrations/tokens/0/revoke"),
    "POST /admin/integrations/webhooks": Gate(ADMIN, PAGE),
    "POST /admin/integrations/webhooks/<int:subscription_id>/revoke": Gate(
        ADMIN, PAGE, "/admin/integrations/webhooks/0/revoke"
    ),
    "POST /admin/integrations/deliveries/<int:delivery_id>/replay": Gate(
        ADMIN, PAGE, "/admin/integrations/deliveries/0/replay"
    ),
    "GET /qa": Gate(REPORTS, PAGE),
    "GET /qa/diagram/<process_key>.xml": Gate(REPORTS, PAGE, "/qa/diagram/repair.xml"),
    "GET /qa/conformance": Gate(REPORTS, PAGE, "/qa/conformance"),
    "GET /workbench": Gate(DIAGRAM_READERS, PAGE),
    "GET /workbench/<key>": Gate(DIAGRAM_READERS, PAGE, "/workbench/repair"),
    "GET /workbench/<key>/compare": Gate(DIAGRAM_READERS, PAGE, "/workbench/repair/compare"),
    "GET /workbench/<key>/migrate": Gate(OWNERS, PAGE, "/workbench/repair/migrate"),
    "GET /processes/<key>/versions/<int:version>/live": Gate(LIVE, PAGE, "/processes/repair/versions/1/live"),
    "GET /processes/<key>/versions/<int:version>/live/diagram.xml": Gate(
        LIVE, PAGE, "/processes/repair/versions/1/live/diagram.xml"
    ),
    # -- processes and versions -----------------------------------------------------------------
    "GET /api/v1/processes": Gate(ALL),
    "POST /api/v1/processes": Gate(OWNERS, path="/api/v1/processes?dry_run=1", files=TINY_UPLOAD),
    "GET /api/v1/processes/<key>": Gate(ALL, path="/api/v1/processes/repair"),
    "GET /api/v1/processes/<key>/diff": Gate(ALL, path="/api/v1/processes/repair/diff?from=1&to=1"),
    "POST /api/v1/processes/<key>/instances": Gate(STARTERS, path="/api/v1/processes/repair/instances", json={}),
    "POST /api/v1/processes/<key>/migrate": Gate(
        OWNERS, path="/api/v1/processes/repair/migrate", json={"from": 1, "to": 1, "reason": "x"}
    ),
    "GET /api/v1/processes/<key>/migration-check": Gate(
        OWNERS, path="/api/v1/processes/repair/migration-check?from=1&to=1"
    ),
    "GET /api/v1/processes/<key>/source": Gate(DIAGRAM_READERS, path="/api/v1/processes/repair/source"),
    "GET /api/v1/processes/<key>/lane-roles": Gate(DIAGRAM_READERS, path="/api/v1/processes/repair/lane-roles"),
    "PUT /api/v1/processes/<key>/lane-roles": Gate(
        OWNERS, path="/api/v1/processes/repair/lane-roles", json={"lanes": {}}
    ),
    "GET /api/v1/processes/<key>/versions/<int:version>/source": Gate(
        DIAGRAM_READERS, path="/api/v1/processes/repair/versions/1/source"
    ),
    "GET /api/v1/processes/<key>/versions/<int:version>/live": Gate(
        LIVE, path="/api/v1/processes/repair/versions/1/live"
    ),
    "GET /api/v1/processes/<key>/versions/<int:version>/live/<element_id>": Gate(
        LIVE, path="/api/v1/processes/repair/versions/1/live/contact_customer"
    ),
    "POST /api/v1/processes/<key>/versions/<int:version>/redeploy": Gate(
        OWNERS, path="/api/v1/processes/repair/versions/1/redeploy"
    ),
    "POST /api/v1/workbench/validate": Gate(OWNERS, json={"filename": "tiny.bpmn", "xml": TINY}),
    "POST /api/v1/workbench/deploy": Gate(OWNERS, json={"filename": "tiny.bpmn", "xml": "<broken"}),
    "GET /api/v1/workbench/drafts": Gate(OWNERS),
    "GET /api/v1/workbench/drafts/<key>": Gate(OWNERS, path="/api/v1/workbench/drafts/repair"),
    "PUT /api/v1/workbench/drafts/<key>": Gate(OWNERS, path="/api/v1/workbench/drafts/tiny", json={"xml": TINY}),
    "DELETE /api/v1/workbench/drafts/<key>": Gate(OWNERS, path="/api/v1/workbench/drafts/tiny"),
    "POST /api/v1/workbench/procedures": Gate(OWNERS, json={"key": "x", "name_zh": "", "name_en": ""}),
    "POST /api/v1/workbench/import": Gate(OWNERS, json={"filename": "tiny.bpmn", "xml": "<broken"}),
    "POST /api/v1/workbench/lint": Gate(OWNERS, json={"code": "a ==", "kind": "condition"}),
    "GET /api/v1/workbench/lane-roles": Gate(OWNERS),
    "GET /api/v1/processes/<key>/versions/<int:version>/archive.zip": Gate(
        DIAGRAM_READERS, path="/api/v1/processes/repair/versions/1/archive.zip"
    ),
    "POST /api/v1/workbench/import-archive": Gate(OWNERS, files={"file": ("repair.zip", b"not a zip")}),
    # -- cases ----------------------------------------------------------------------------------
    "GET /api/v1/instances": Gate(ALL),
    "GET /api/v1/instances/<int:instance_id>": Gate(CASE_VIEWERS, path="/api/v1/instances/{case}"),
    "GET /api/v1/cases/<case_no>": Gate(CASE_VIEWERS, path="/api/v1/cases/{case_no}"),
    "GET /api/v1/instances/<int:instance_id>/events": Gate(CASE_VIEWERS, path="/api/v1/instances/{case}/events"),
    "GET /api/v1/instances/<int:instance_id>/timers": Gate(CASE_VIEWERS, path="/api/v1/instances/{case}/timers"),
    "GET /api/v1/instances/<int:instance_id>/attachments": Gate(
        CASE_VIEWERS, path="/api/v1/instances/{case}/attachments"
    ),
    "GET /api/v1/instances/<int:instance_id>/attachments/<int:attachment_id>": Gate(
        CASE_VIEWERS, path="/api/v1/instances/{case}/attachments/{attachment}"
    ),
    "GET /api/v1/instances/<int:instance_id>/papers": Gate(CASE_VIEWERS, path="/api/v1/instances/{case}/papers"),
    "GET /api/v1/instances/<int:instance_id>/papers/<kind>.pdf": Gate(
        CASE_VIEWERS, path="/api/v1/instances/{case}/papers/service-notice.pdf"
    ),
    # One row of the conformance report: whoever reads the report reads it, case viewer or not.
    "GET /api/v1/instances/<int:instance_id>/conformance": Gate(REPORTS, path="/api/v1/instances/{case}/conformance"),
    "POST /api/v1/instances/<int:instance_id>/cancel": Gate(
        CANCELLERS, path="/api/v1/instances/{case}/cancel", json={"reason": "matrix"}, fresh_case=True
    ),
    "POST /api/v1/instances/<int:instance_id>/suspend": Gate(
        OWNERS, path="/api/v1/instances/{case}/suspend", json={"reason": "matrix"}, fresh_case=True
    ),
    "POST /api/v1/instances/<int:instance_id>/resume": Gate(
        OWNERS, path="/api/v1/instances/{case}/resume", json={"reason": "matrix"}, fresh_case=True
    ),
    "POST /api/v1/instances/<int:instance_id>/retry": Gate(
        OWNERS, path="/api/v1/instances/{case}/retry", json={}, fresh_case=True
    ),
    "POST /api/v1/instances/<int:instance_id>/repeat": Gate(
        OWNERS,
        path="/api/v1/instances/{case}/repeat",
        json={"element_id": "register_request", "reason": "matrix"},
        fresh_case=True,
    ),
    "POST /api/v1/instances/<int:instance_id>/migrate": Gate(
        OWNERS, path="/api/v1/instances/{case}/migrate", json={"version": 1, "reason": "x"}, fresh_case=True
    ),
    "POST /api/v1/instances/<int:instance_id>/tasks/<task_id>/skip": Gate(
        OWNERS, path="/api/v1/instances/{case}/tasks/{task}/skip", json={"reason": "matrix"}, fresh_case=True
    ),
    "PATCH /api/v1/instances/<int:instance_id>/timers/<timer_id>": Gate(
        OWNERS, path="/api/v1/instances/{case}/timers/no-such-timer", json={"due_at": DUE, "reason": "matrix"}
    ),
    # -- tasks, drafts, notifications, look-ups -------------------------------------------------
    "GET /api/v1/tasks": Gate(ALL),
    "GET /api/v1/tasks/<task_id>": Gate(CASE_VIEWERS, path="/api/v1/tasks/{task}"),
    "POST /api/v1/tasks/<task_id>/claim": Gate(TASK_WORKERS, path="/api/v1/tasks/{task}/claim", fresh_case=True),
    "POST /api/v1/tasks/<task_id>/unclaim": Gate(TASK_WORKERS, path="/api/v1/tasks/{task}/unclaim", fresh_case=True),
    "POST /api/v1/tasks/<task_id>/delegate": Gate(
        TASK_WORKERS, path="/api/v1/tasks/{task}/delegate", json={"username": "agent"}, fresh_case=True
    ),
    "POST /api/v1/tasks/<task_id>/complete": Gate(
        TASK_WORKERS, path="/api/v1/tasks/{task}/complete", json={"channel": "phone"}, fresh_case=True
    ),  # an incomplete form: 422 past the gate, and the case stays where it is
    "POST /api/v1/tasks/<task_id>/quote": Gate(TASK_WORKERS, path="/api/v1/tasks/{task}/quote", json={}),
    "GET /api/v1/drafts/<task_id>": Gate(ALL, path="/api/v1/drafts/{task}"),  # the caller's own draft
    "PUT /api/v1/drafts/<task_id>": Gate(TASK_WORKERS, path="/api/v1/drafts/{task}", json={"channel": "phone"}),
    "DELETE /api/v1/drafts/<task_id>": Gate(WRITERS, path="/api/v1/drafts/{task}"),
    "GET /api/v1/notifications": Gate(ALL),
    "POST /api/v1/notifications/read-all": Gate(WRITERS),  # each their own; the auditor changes nothing
    "POST /api/v1/notifications/<int:notification_id>/read": Gate(
        RECIPIENT, path="/api/v1/notifications/{notification}/read"
    ),
    "GET /api/v1/lookups/customers": Gate(REGISTRARS, path="/api/v1/lookups/customers?q=张"),
    "GET /api/v1/lookups/units": Gate(REGISTRARS, path="/api/v1/lookups/units?serial=SN"),
    "GET /api/v1/lookups/technicians": Gate(REGISTRARS, path="/api/v1/lookups/technicians?q=tech"),
    "GET /api/v1/me": Gate(ALL),
    "GET /api/v1/users": Gate(ADMIN),
    "POST /api/v1/users": Gate(ADMIN, json={"username": "matrix.new", "roles": ["cs_agent"]}),
    "GET /api/v1/users/<username>": Gate(ADMIN, path="/api/v1/users/agent"),
    "PATCH /api/v1/users/<username>": Gate(ADMIN, path="/api/v1/users/agent", json={"display_name": "matrix"}),
    "POST /api/v1/users/<username>/disable": Gate(ADMIN, path="/api/v1/users/nobody/disable"),
    "POST /api/v1/users/<username>/enable": Gate(ADMIN, path="/api/v1/users/agent/enable"),
    "POST /api/v1/users/<username>/password": Gate(ADMIN, path="/api/v1/users/nobody/password", json={}),
    "GET /api/v1/tokens": Gate(ADMIN),
    "POST /api/v1/tokens": Gate(ADMIN, json={"username": "agent", "name": "matrix"}),
    "POST /api/v1/tokens/<int:token_id>/revoke": Gate(ADMIN, path="/api/v1/tokens/999999/revoke"),
    "GET /api/v1/webhooks": Gate(ADMIN),
    "POST /api/v1/webhooks": Gate(ADMIN, json={"name": "matrix", "url": "http://127.0.0.1:9/hooks"}),
    "POST /api/v1/webhooks/<int:subscription_id>/revoke": Gate(ADMIN, path="/api/v1/webhooks/999999/revoke"),
    "GET /api/v1/webhooks/deliveries": Gate(ADMIN),
    "POST /api/v1/webhooks/deliveries/<int:delivery_id>/replay": Gate(
        ADMIN, path="/api/v1/webhooks/deliveries/999999/replay"
    ),
    "GET /api/v1/events": Gate(ALL),  # each reads the events of the cases they may read
    "POST /api/v1/messages": Gate(WRITERS, json={"name": "matrix", "case_no": "none"}),  # to a case one may read
    # External tasks: any principal that changes things; which tasks, by the role of the task's lane.
    "POST /api/v1/external-tasks/fetch-and-lock": Gate(
        WRITERS, json={"worker_id": "w", "topics": [{"name": "matrix", "lock_duration": 1000}]}
    ),
    "POST /api/v1/external-tasks/<task_id>/complete": Gate(
        WRITERS, path="/api/v1/external-tasks/none/complete", json={"worker_id": "w"}
    ),
    "POST /api/v1/external-tasks/<task_id>/failure": Gate(
        WRITERS, path="/api/v1/external-tasks/none/failure", json={"worker_id": "w", "error_message": "x", "retries": 0}
    ),
    "POST /api/v1/external-tasks/<task_id>/extend-lock": Gate(
        WRITERS, path="/api/v1/external-tasks/none/extend-lock", json={"worker_id": "w", "new_duration": 1000}
    ),
    "POST /api/v1/external-tasks/<task_id>/bpmn-error": Gate(
        WRITERS, path="/api/v1/external-tasks/none/bpmn-error", json={"worker_id": "w", "error_code": "E"}
    ),
    # -- time, calendar, schedules --------------------------------------------------------------
    "GET /api/v1/clock": Gate(ALL),
    "POST /api/v1/clock/advance": Gate(ADMIN, json={"duration": "PT1M"}),
    "GET /api/v1/calendar": Gate(ALL, path="/api/v1/calendar?from=2026-03-01&to=2026-03-08"),
    "GET /api/v1/calendar/years": Gate(ALL),
    "PUT /api/v1/calendar/<isodate:day>": Gate(ADMIN, path="/api/v1/calendar/2027-02-08", json={"is_workday": False}),
    "GET /api/v1/schedules": Gate(SCHEDULE_READERS),
    "POST /api/v1/schedules": Gate(
        ADMIN, json={"name": "matrix 2", "process_key": "repair", "rule": "R/2027-01-04T09:00:00+08:00/P1W"}
    ),
    "PATCH /api/v1/schedules/<int:schedule_id>": Gate(
        ADMIN, path="/api/v1/schedules/{schedule}", json={"enabled": False}
    ),
    # -- QA and reports -------------------------------------------------------------------------
    "GET /api/v1/reports/complaints": Gate(REPORTS, path="/api/v1/reports/complaints?month=2026-03"),
    "GET /api/v1/reports/kpi": Gate(REPORTS, path="/api/v1/reports/kpi?period=2026-Q1"),
    "GET /api/v1/reports/technicians": Gate(REPORTS, path="/api/v1/reports/technicians?period=2026-03"),
    "GET /api/v1/reports/kpi.<any(xlsx, csv):fmt>": Gate(REPORTS, path="/api/v1/reports/kpi.csv?quarter=2026-Q1"),
    "GET /api/v1/reports/kpi-trend": Gate(REPORTS),
    "GET /api/v1/reports/plans/<int:instance_id>": Gate(CASE_VIEWERS, path="/api/v1/reports/plans/{case}"),
    "GET /api/v1/reports/deadlines": Gate(REPORTS, path=f"/api/v1/reports/deadlines?{PERIOD}"),
    "GET /api/v1/reports/deadlines.<any(xlsx, csv):fmt>": Gate(REPORTS, path=f"/api/v1/reports/deadlines.csv?{PERIOD}"),
    "GET /api/v1/reports/conformance": Gate(REPORTS, path=f"/api/v1/reports/conformance?{PERIOD}"),
    "GET /api/v1/reports/conformance.<any(xlsx, csv):fmt>": Gate(
        REPORTS, path=f"/api/v1/reports/conformance.csv?{PERIOD}"
    ),
    "GET /api/v1/reports/heatmap": Gate(REPORTS, path=f"/api/v1/reports/heatmap?{PERIOD}"),
    "GET /api/v1/reports/quality-feedback": Gate(REPORTS, path=f"/api/v1/reports/quality-feedback?{PERIOD}"),
    "GET /api/v1/exports/<process_key>.csv": Gate(REPORTS, path=f"/api/v1/exports/repair.csv?{PERIOD}"),
    "GET /api/v1/exports/<process_key>.xes": Gate(REPORTS, path=f"/api/v1/exports/repair.xes?{PERIOD}"),
    "POST /api/v1/qa/log-check": Gate(
        REPORTS, path="/api/v1/qa/log-check?process=repair", files={"file": ("log.csv", LOG)}
    ),
    "GET /api/v1/accepted-deviations": Gate(REPORTS),
    "POST /api/v1/accepted-deviations": Gate(
        OWNERS, json={"process_key": "repair", "element_id": "callback", "kind": "skipped", "reason": "matrix"}
    ),
    "DELETE /api/v1/accepted-deviations/<int:row_id>": Gate(OWNERS, path="/api/v1/accepted-deviations/{deviation}"),
}
# -- master data (issue 14): who keeps each table, and who reads it besides its keepers ----------
# Customers and units: customer service and the supervisor keep them, whoever registers requests reads
# them; contracts and prices: finance; technicians: the service manager, read by those who dispatch.
# The administrator keeps every table and the auditor reads them all.
RECORD_REGISTRARS = REGISTRARS | {"auditor"}  # customers and units: whoever registers requests
MASTER_KEEPERS = {
    "customers": frozenset({"admin", "cs_agent", "supervisor"}),
    "units": frozenset({"admin", "cs_agent", "supervisor"}),
    "contracts": frozenset({"admin", "finance"}),
    "technicians": frozenset({"admin", "service_manager"}),
    "prices": frozenset({"admin", "finance"}),
}
MASTER_READERS = {
    "customers": RECORD_REGISTRARS,
    "units": RECORD_REGISTRARS,
    "contracts": RECORD_REGISTRARS | {"finance"},
    "technicians": frozenset({"admin", "auditor", "dispatcher", "supervisor", "service_manager"}),
    "prices": ALL - {"process_owner"},  # every working role: a technician quotes on site
}
ANY_RECORDS = frozenset().union(*MASTER_READERS.values())
SHEET = {"file": ("sheet.csv", b"code\nX1\n")}
for _table in MASTER_KEEPERS:
    _api, _keep, _read = f"/api/v1/master/{_table}", MASTER_KEEPERS[_table], MASTER_READERS[_table]
    MATRIX |= {
        f"GET {_api}": Gate(_read),
        f"POST {_api}": Gate(_keep, json={}),  # an empty record: 422 past the gate
        f"GET {_api}/<path:key>": Gate(_read, path=f"{_api}/NO-SUCH-KEY"),
        f"PATCH {_api}/<path:key>": Gate(_keep, path=f"{_api}/NO-SUCH-KEY", json={}),
        f"POST {_api}/import": Gate(_keep, files=SHEET),  # a dry run, by default
        f"POST {_api}/import/columns": Gate(_keep, files=SHEET),
        f"GET {_api}/export": Gate(_read, path=f"{_api}/export?format=csv"),
    }
MATRIX |= {
    "GET /master": Gate(ANY_RECORDS, PAGE),
    "GET /master/<table>": Gate(MASTER_READERS["prices"], PAGE, "/master/prices"),
    "GET /master/<table>/<path:key>": Gate(MASTER_READERS["customers"], PAGE, "/master/customers/NO-SUCH-KEY"),
    "GET /master/<table>/new": Gate(MASTER_KEEPERS["customers"], PAGE, "/master/customers/new"),
    "POST /master/<table>/new": Gate(MASTER_KEEPERS["customers"], PAGE, "/master/customers/new"),
    "GET /master/<table>/import": Gate(MASTER_KEEPERS["prices"], PAGE, "/master/prices/import"),
    "GET /master/<table>/<path:key>/edit": Gate(MASTER_KEEPERS["technicians"], PAGE, "/master/technicians/nobody/edit"),
    "POST /master/<table>/<path:key>/edit": Gate(MASTER_KEEPERS["units"], PAGE, "/master/units/NO-SUCH-KEY/edit"),
}

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def routes(app) -> set[str]:
    return {f"{m} {r.rule}" for r in app.url_map.iter_rules() for m in sorted(r.methods - IGNORED_METHODS)}


def user(role: str) -> str:
    return f"r_{role}"


class World:
    """The objects the routes act on, and a new case for each route that may change its case."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.agent = Principal("agent", frozenset({"cs_agent"}))
        self.case_numbers: dict[int, str] = {}
        self.case, self.task = self.new_case()
        now = ctx.clock.now()
        with ctx.uow() as uow:
            attachment = Attachment(
                instance_id=self.case, task_id=self.task, field="signature", media_type="image/png",
                content=b"\x89PNG", size=4, created_by="agent", created_at=now,
            )  # fmt: skip
            note = Notification(
                username=user("cs_agent"), kind="assigned", instance_id=self.case, task_id=self.task,
                title="matrix", body="", created_at=now,
            )  # fmt: skip
            deviation = AcceptedDeviation(
                process_key="repair", element_id="register_request", kind="inserted", reason="matrix",
                created_by="admin", created_at=now,
            )  # fmt: skip
            for row in (attachment, note, deviation):
                uow.add_row(row)
            uow.commit()
        schedule = schedules.create_schedule(
            ctx, "matrix", "repair", "R/2027-01-04T09:00:00+08:00/P1W", {}, Principal("admin", frozenset({"admin"}))
        )
        with ctx.uow() as uow:
            follow = customer_links.issue_link(
                uow, ctx.customers, case_id=self.case, purpose=LinkPurpose.FOLLOW, now=now, by="agent"
            )
            spent = customer_links.issue_link(
                uow, ctx.customers, case_id=self.case, purpose=LinkPurpose.TASK, task_spec="register_request", now=now
            )
            uow.commit()
        self.ids = {
            "follow": follow.token,
            "spent": spent.token,
            "attachment": attachment.id,
            "notification": note.id,
            "deviation": deviation.id,
            "schedule": schedule.id,
        }

    def new_case(self) -> tuple[int, str]:
        case = start_case(self.ctx, "repair", None, self.agent)
        self.case_numbers[case.id] = case.case_no
        with self.ctx.uow() as uow:
            [task] = uow.tasks.for_instance(case.id, status="ready")
        return case.id, task.id

    def path(self, rule: str, gate: Gate, case: int, task: str) -> str:
        template = gate.path or rule.split(" ", 1)[1]
        return template.format(case=case, task=task, case_no=self.case_numbers[case], **self.ids)


def call(
    client, method: str, path: str, gate: Gate, username: str | None, *, body: bool = True, token: str | None = None
):
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    elif username is not None:
        headers["Authorization"] = "Basic " + b64encode(f"{username}:{username}".encode()).decode()
    kwargs: dict = {"headers": headers}
    if body and gate.files:
        kwargs["data"] = {name: (io.BytesIO(content), filename) for name, (filename, content) in gate.files.items()}
        kwargs["content_type"] = "multipart/form-data"
    elif body and gate.json is not None:
        kwargs["json"] = gate.json
    response = client.open(path, method=method, **kwargs)
    response.close()  # a static file's handle; status and headers stay readable
    return response


def login_form(app, username: str):
    """POST /login as a browser sends it: the CSRF token of the session, then the form."""
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    return client.post("/login", data={"username": username, "password": username, "csrf_token": token})


def passed_the_gate(response, gate: Gate) -> bool:
    if response.status_code in (401, 403):
        return False
    if gate.kind == PAGE and gate.allowed is not PUBLIC and response.status_code in (301, 302, 303):
        return "/login" not in response.headers.get("Location", "")
    return True


# Roles no staff account works under: the customer acts through a case link (domain/customer_steps.py),
# whose principal is bound to one case and may do only that case's customer steps.
NOT_STAFF = frozenset({"customer"})


def test_every_role_of_the_organisation_is_in_the_matrix():
    assert set(ROLES) == {r.value for r in Role if r in STAFF_ROLES}, "a role was added or removed: declare it"
    # The customer's role is no account's: a case link's principal, on the /c/ pages alone.
    assert Role.CUSTOMER not in STAFF_ROLES


def test_every_route_is_in_the_matrix(app):
    served = routes(app)
    assert not served - set(MATRIX), (
        f"routes without an entry (declare who may call them): {sorted(served - set(MATRIX))}"
    )
    assert not set(MATRIX) - served, f"entries without a route: {sorted(set(MATRIX) - served)}"


def test_every_route_lets_exactly_its_roles_through(app, ctx):
    for role in ROLES:
        create_user(ctx, user(role), user(role), [role])
    world = World(ctx)
    client = app.test_client()
    wrong: list[str] = []
    for key in sorted(set(MATRIX) & routes(app)):
        gate = MATRIX[key]
        method, rule = key.split(" ", 1)
        case, task = world.new_case() if gate.fresh_case else (world.case, world.task)
        path = world.path(key, gate, case, task)

        # Without credentials.
        anonymous = call(client, method, path, gate, None)
        if gate.allowed is PUBLIC:
            if not passed_the_gate(anonymous, gate) and key != "POST /login":  # the form needs its CSRF token
                wrong.append(f"{key}: public, but {anonymous.status_code} without credentials")
        elif gate.kind == API:
            bare = call(client, method, path, gate, None, body=False)
            for what, response in (("", anonymous), (" (no body)", bare)):
                if response.status_code != 401 or "Basic" not in response.headers.get("WWW-Authenticate", ""):
                    wrong.append(f"{key}: {response.status_code} without credentials{what}, expected 401")
        elif anonymous.status_code != 302 or "/login" not in anonymous.headers.get("Location", ""):
            wrong.append(f"{key}: {anonymous.status_code} without credentials, expected a redirect to /login")

        # Each role: denied ones first (they must change nothing), then the allowed ones.
        allowed = ALL if gate.allowed is PUBLIC else gate.allowed
        for role in sorted(ROLES, key=lambda r: (r in allowed, r)):
            if key == "POST /login":
                response = login_form(app, user(role))
            else:
                response = call(client, method, path, gate, user(role))
            if role in allowed and not passed_the_gate(response, gate):
                wrong.append(f"{key}: {role} may call it but got {response.status_code}")
            elif role not in allowed and response.status_code != 403:
                wrong.append(f"{key}: {role} may not call it but got {response.status_code}")
    assert not wrong, f"{len(wrong)} cell(s) of the matrix are wrong:\n" + "\n".join(wrong)


def test_an_api_token_passes_exactly_the_gates_of_its_scope(app, ctx):
    """Token scopes: every user here is also an administrator, but each one's token carries only the
    one role of the table; through every API route the token gets what that role gets, not more."""
    admin = Principal("admin", frozenset({"admin"}))
    tokens = {}
    for role in ROLES:
        create_user(ctx, user(role), user(role), sorted({role, "admin"}))
        tokens[role] = api_tokens.create_token(ctx, admin, user(role), "matrix", [role]).secret
    world = World(ctx)
    client = app.test_client()
    wrong: list[str] = []
    for key in sorted(set(MATRIX) & routes(app)):
        gate = MATRIX[key]
        if gate.kind != API or gate.allowed is PUBLIC:
            continue
        method = key.split(" ", 1)[0]
        case, task = world.new_case() if gate.fresh_case else (world.case, world.task)
        path = world.path(key, gate, case, task)
        for role in sorted(ROLES, key=lambda r: (r in gate.allowed, r)):
            response = call(client, method, path, gate, None, token=tokens[role])
            if role in gate.allowed and not passed_the_gate(response, gate):
                wrong.append(f"{key}: a {role} token may call it but got {response.status_code}")
            elif role not in gate.allowed and response.status_code != 403:
                wrong.append(f"{key}: a {role} token may not call it but got {response.status_code}")
    assert not wrong, f"{len(wrong)} cell(s) of the token matrix are wrong:\n" + "\n".join(wrong)


def test_the_table_gives_the_read_only_auditor_no_write():
    """The table's reading of README ("the auditor role reads everything and changes nothing"): no write
    is declared for the auditor except its own session and language, the read-only log check, and what
    anyone may do without an account (the public request form, the customer's link pages: they act as
    the public or the link, never as the auditor)."""
    own = {"POST /login", "POST /logout", "POST /language", "POST /api/v1/qa/log-check", "POST /request"}
    own |= {"POST /c/<token>/reschedule", "POST /c/<token>/complete"}  # the customer's, through a link
    for key, gate in MATRIX.items():
        if key.split(" ", 1)[0] in ("POST", "PUT", "PATCH", "DELETE") and key not in own:
            assert gate.allowed is not PUBLIC and "auditor" not in gate.allowed, key


# -- per record: users × cases × read endpoints ---------------------------------------------------
# Customer records are confidential per person (seed 000 §4.11; app/domain/visibility.py): which of
# these users reads which of these cases, declared here for both settings of AFTERSALES_CASE_VISIBILITY.
RECORD_USERS = (
    "tech_urban1",
    "tech_urban2",
    "tech_suburb1",
    "dispatcher",
    "agent",
    "supervisor",
    "service_manager",
    "dept_head",
    "finance",
    "qa",
    "auditor",
    "process_owner",
    "admin",
)
EVERY_CASE = frozenset({"admin", "process_owner", "auditor", "qa"})
PERSON_READERS = {
    # remote support, ready in the technicians' lane and claimed by nobody: any technician may take it
    "claimable": EVERY_CASE | {"agent", "dispatcher", "supervisor", "tech_urban1", "tech_urban2", "tech_suburb1"},
    # the dispatcher chose tech_urban1 on the service notice; the diagnosis is theirs
    "tech1": EVERY_CASE | {"agent", "dispatcher", "supervisor", "tech_urban1"},
    # chosen tech_urban1, who handed the diagnosis over to tech_urban2
    "handed": EVERY_CASE | {"agent", "dispatcher", "supervisor", "tech_urban1", "tech_urban2"},
    # a complaint waiting to be registered: its coordinators, not the repair dispatcher
    "complaint": EVERY_CASE | {"agent", "supervisor", "service_manager", "dept_head"},
}
ROLE_VIEW = frozenset({"admin", "process_owner", "auditor", "supervisor"})
TECHNICIANS = frozenset({"tech_urban1", "tech_urban2", "tech_suburb1"})
ROLE_READERS = {  # the role-wide view: a task of one's role, ever, in the case
    "claimable": ROLE_VIEW | {"agent"} | TECHNICIANS,
    "tech1": ROLE_VIEW | {"agent", "dispatcher"} | TECHNICIANS,
    "handed": ROLE_VIEW | {"agent", "dispatcher"} | TECHNICIANS,
    "complaint": ROLE_VIEW | {"agent"},
}
RECORD_READS = (
    (API, "/api/v1/instances/{case}"),
    (API, "/api/v1/instances/{case}/events"),
    (API, "/api/v1/instances/{case}/timers"),
    (API, "/api/v1/instances/{case}/attachments"),
    (API, "/api/v1/instances/{case}/attachments/{attachment}"),
    (API, "/api/v1/instances/{case}/papers"),
    (API, "/api/v1/tasks?instance_id={case}&status=all"),
    (API, "/api/v1/tasks/{task}"),  # each task of the case, done or ready
    (PAGE, "/cases/{case}"),
    (PAGE, "/cases/{case}/next"),
    (PAGE, "/workspace/cases/{case}/diagram.xml"),
    (PAGE, "/tasks/{task}"),
)


def open_records(ctx, as_user) -> dict[str, dict]:
    """The cases of RECORD_READERS, each with all its task ids and an attachment."""
    claimable = RepairCase(as_user)
    claimable.do("contact_customer", service_mode="remote")
    tech1 = RepairCase(as_user)
    tech1.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")  # technician: tech_urban1
    handed = RepairCase(as_user)
    handed.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")
    diagnosis = handed.ready()["diagnose_on_site"]["id"]
    moved = as_user("tech_urban1").post(f"/tasks/{diagnosis}/delegate", json={"username": "tech_urban2"})
    assert moved.status_code == 200, moved.json
    complaint = ComplaintCase(as_user, as_user("agent").post("/processes/complaint/instances").json["id"])
    records = {}
    for name, case in (("claimable", claimable), ("tech1", tech1), ("handed", handed), ("complaint", complaint)):
        with ctx.uow() as uow:
            tasks = [t.id for t in uow.tasks.for_instance(case.id)]
            row = Attachment(
                instance_id=case.id, task_id=tasks[0], field="signature", media_type="image/png",
                content=b"\x89PNG", size=4, created_by="agent", created_at=ctx.clock.now(),
            )  # fmt: skip
            uow.add_row(row)
            uow.commit()
        records[name] = {"case": case.id, "tasks": tasks, "attachment": row.id}
    return records


def _record_reads(app, ctx, as_user, readers: dict[str, frozenset[str]]) -> list[str]:
    records = open_records(ctx, as_user)
    client = app.test_client()
    wrong = []
    for username in RECORD_USERS:
        listed = {c["id"] for c in as_user(username).get("/instances?limit=1000").json}
        for name, record in records.items():
            may = username in readers[name]
            if (record["case"] in listed) != may:
                wrong.append(f"GET /api/v1/instances: {username} {'misses' if may else 'lists'} case {name}")
            for kind, template in RECORD_READS:
                every_task = kind == API and "{task}" in template  # pages: the case's newest task only
                for task in record["tasks"] if every_task else record["tasks"][-1:]:
                    path = template.format(case=record["case"], task=task, attachment=record["attachment"])
                    status = call(client, "GET", path, Gate(ALL, kind), username).status_code
                    expected = ((302,) if path.endswith("/next") else (200,)) if may else (403,)
                    if status not in expected:
                        wrong.append(f"GET {path} ({name}): {username} got {status}, expected {expected[0]}")
    return wrong


def test_each_user_reads_exactly_the_cases_they_work_may_claim_or_coordinate(app, ctx, as_user):
    wrong = _record_reads(app, ctx, as_user, PERSON_READERS)
    assert not wrong, f"{len(wrong)} cell(s) of the per-record matrix are wrong:\n" + "\n".join(wrong)


@pytest.mark.parametrize("app", [{"CASE_VISIBILITY": "role"}], indirect=True)
def test_the_role_setting_restores_the_role_wide_view(app, ctx, as_user):
    assert ctx.case_visibility == "role"
    wrong = _record_reads(app, ctx, as_user, ROLE_READERS)
    assert not wrong, f"{len(wrong)} cell(s) of the role-wide matrix are wrong:\n" + "\n".join(wrong)
