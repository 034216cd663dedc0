"""Field quality feedback (F-12, 用户信息反馈/处理表) in QA's reports: the feedback cases a technician's
service form opened in a period (quality_feedback.bpmn, opened by repair.bpmn's message), each with
the repair case it came from, what it is about and how far QA's handling got.

Read-only, for the report roles only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...domain.cases import TaskState
from ...domain.principal import Principal
from ..context import ServiceContext
from .reports import REPORT_ROLES
from .reports import require_role

PROCESS_KEY = "quality_feedback"
MAX_CASES = 1000


def feedback_report(ctx: ServiceContext, start: datetime, end: datetime, actor: Principal) -> dict[str, Any]:
    """Feedback cases opened from ``start`` up to (not incl.) ``end``: counts and one row per case."""
    require_role(actor, REPORT_ROLES, "QA reports")
    with ctx.uow() as uow:
        opened = uow.instances.list(process_key=PROCESS_KEY, limit=MAX_CASES)
        cases = [c for c in reversed(opened) if start <= _aware(c.created_at, start) < end]
        parents = {p.id: p.case_no for p in uow.instances.list(ids={c.parent_id for c in cases if c.parent_id})}
        steps: dict[int, list[str]] = {c.id: [] for c in cases}
        for task in uow.tasks.of_instances(steps):
            if task.status == TaskState.READY:
                steps[task.instance_id].append(task.element_id)
        rows = [_row(c, parents.get(c.parent_id), sorted(steps[c.id])) for c in cases]
    return {
        "opened": len(rows),
        "open": sum(1 for r in rows if r["status"] == "running"),
        "closed": sum(1 for r in rows if r["status"] == "completed"),
        "cases": rows,
    }


def _aware(moment: datetime, like: datetime) -> datetime:
    # SQLite hands timestamps back naive (UTC); compare them as the period's zone-aware bounds are
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=like.tzinfo).astimezone(like.tzinfo)


def _row(case: Any, parent_case_no: str | None, waiting_on: list[str]) -> dict[str, Any]:
    data = case.data or {}
    intake = data.get("intake") if isinstance(data.get("intake"), dict) else {}
    field = lambda name: data.get(name, intake.get(name))  # noqa: E731 - the start data, wherever it sits
    return {
        "case_no": case.case_no,
        "instance_id": case.id,
        "status": case.status,
        "from_case_no": parent_case_no or field("linked_case_no"),
        "product_model": field("product_model"),
        "serial_no": field("serial_no"),
        "reported_by": field("reported_by"),
        "description": field("description"),
        "opened_at": case.created_at,
        "closed_at": case.completed_at,
        "waiting_on": waiting_on,
        "measures": data.get("measures"),
        "result": data.get("result"),
    }
