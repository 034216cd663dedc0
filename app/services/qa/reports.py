"""Reports computed from the cases themselves, never typed in.

Complaint statistics per month (seed 004 §5.1.3.2): counts by category × urgency, by severity
and status, and the recurring issues (same product and category three times or more in the
month) that call for a hot-spot meeting (CP-03).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from ...domain.principal import Principal
from ...domain.roles import Role
from ...errors import Forbidden
from ...errors import InvalidInput
from ...persistence.orm import Instance
from ..context import ServiceContext

REPORT_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.AUDITOR,
        Role.PROCESS_OWNER,
        Role.QA,
        Role.DEPT_HEAD,
        Role.SUPERVISOR,
        Role.SERVICE_MANAGER,
        Role.EXECUTIVE,
    }
)
HOT_SPOT_THRESHOLD = 3


def require_role(actor: Principal, roles: frozenset[str], what: str) -> None:
    if not actor.roles & roles:
        raise Forbidden(f"{what} are for quality, management and audit roles")


def _month_bounds(month: str, tz) -> tuple[datetime, datetime]:
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=tz)
    except ValueError:
        raise InvalidInput(
            f"month must look like 2026-03, not {month!r}", errors={"month": ["expected YYYY-MM"]}
        ) from None
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


def complaint_statistics(ctx: ServiceContext, month: str, actor: Principal) -> dict[str, Any]:
    require_role(actor, REPORT_ROLES, "complaint statistics")
    start, end = _month_bounds(month, ctx.calendar.tz)
    with ctx.uow() as uow:
        cases = uow.instances.created_between("complaint", start, end)
    return {"month": month, **complaint_figures(cases)}


def complaint_figures(cases: list[Instance]) -> dict[str, Any]:
    """The counts and hot spots of ``cases`` (the complaints of one month)."""
    by_category_urgency: Counter[tuple[str, str]] = Counter()
    by_severity: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    repeats: Counter[tuple[str, str]] = Counter()
    registered = 0
    for case in cases:
        data = case.data or {}
        by_status[data.get("complaint_status") or ("registering" if case.status == "running" else case.status)] += 1
        if "category" not in data:
            continue  # not registered yet
        registered += 1
        by_category_urgency[(data["category"], data.get("urgency", ""))] += 1
        by_severity[data.get("severity", "")] += 1
        repeats[(data.get("product_model") or "", data["category"])] += 1
    return {
        "total": len(cases),
        "registered": registered,
        "by_category_urgency": [
            {"category": c, "urgency": u, "count": n} for (c, u), n in sorted(by_category_urgency.items())
        ],
        "by_severity": dict(sorted(by_severity.items())),
        "by_status": dict(sorted(by_status.items())),
        "hot_spots": [
            {"product_model": p, "category": c, "count": n}
            for (p, c), n in repeats.most_common()
            if n >= HOT_SPOT_THRESHOLD
        ],
    }
