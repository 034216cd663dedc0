"""The recurring procedures of the seeds as default schedules, and contract renewal reminders.

Defaults are added once (an administrator may then change or pause them); each begins with its
first occurrence from now on.
"""

from __future__ import annotations

from datetime import datetime

from ..context import ServiceContext
from .contract_renewals import follow_contract
from .schedule_admin import add_schedule

BRANCHES = ["市区 Urban", "郊县 Suburban"]

# name, process key, rule, start data
DEFAULT_SCHEDULES: list[tuple[str, str, str, dict]] = [
    (
        "每日服务管控 / Daily service control (every day at 18:00)",
        "daily_control",
        "R/2026-01-01T18:00:00+08:00/P1D",
        {"compute": "daily_control", "day_ends_at": "18:00"},
    ),
    ("年度售后服务计划 / Annual service plan (every December)", "annual_plan", "R/2026-12-01T09:00:00+08:00/P1Y", {}),
    (
        "预投维修备件计划 / Spare-parts plan (every July, due before September)",
        "spare_parts_plan",
        "R/2026-07-01T09:00:00+08:00/P1Y",
        {"compute": "service_branches", "branches": BRANCHES},
    ),
    (
        "年度满意度调查 / Annual satisfaction survey",
        "satisfaction_survey",
        "R/2027-01-10T09:00:00+08:00/P1Y",
        {"compute": "survey_customers"},
    ),
    (
        "季度服务目标考核 / Quarterly KPI review",
        "kpi_review",
        "R/2026-01-01T09:00:00+08:00/P3M",
        {"compute": "kpi_previous_quarter"},
    ),
    (
        "年度服务预/结算 / Annual service budget (every December, before the financial audit)",
        "service_budget",
        "R/2026-12-01T09:00:00+08:00/P1Y",
        {},
    ),
    (
        "季度培训计划 / Quarterly training plan (administration, D-26)",
        "training",
        "R/2026-01-01T09:00:00+08:00/P3M",
        {"compute": "training_quarter", "training_kind": "quarterly_plan"},
    ),
    (
        "年度全员培训检查 / Yearly check: everyone trained at least once (every December, D-26)",
        "training",
        "R/2026-12-01T09:00:00+08:00/P1Y",
        {"compute": "staff_without_training", "training_kind": "annual_check"},
    ),
    ("季度市场与顾客需求研究 / Quarterly market research", "market_research", "R/2026-01-01T09:00:00+08:00/P3M", {}),
    (
        "月度客诉统计分析与专题会议 / Monthly complaint statistics and meeting",
        "complaint_meeting",
        "R/2026-01-01T09:00:00+08:00/P1M",
        {"compute": "complaint_month"},
    ),
    (
        "月度售后服务报表 / Monthly service report",
        "service_report",
        "R/2026-01-01T09:00:00+08:00/P1M",
        {"compute": "service_statistics", "report_kind": "monthly"},
    ),
    (
        "半年度售后服务报表 / Half-year service report",
        "service_report",
        "R/2026-01-01T09:30:00+08:00/P6M",
        {"compute": "service_statistics", "report_kind": "half_year"},
    ),
    (
        "年度售后服务报表 / Annual service report",
        "service_report",
        "R/2026-01-01T10:00:00+08:00/P1Y",
        {"compute": "service_statistics", "report_kind": "annual"},
    ),
]


def ensure_default_schedules(ctx: ServiceContext) -> list[str]:
    """Add the default schedule of every deployed recurring process that has none yet."""
    added = []
    now = ctx.clock.now()
    with ctx.uow() as uow:
        deployed = {v.process_key for v in uow.versions.latest_all()}
        for name, key, rule, data in DEFAULT_SCHEDULES:
            if key in deployed and uow.schedules.by_name(name) is None:
                add_schedule(uow, name=name, process_key=key, rule=rule, data=data, now=now, actor="system")
                added.append(name)
        added += _contract_renewals(uow, deployed, now)
        uow.commit()
    return added


def _contract_renewals(uow, deployed: set[str], now: datetime) -> list[str]:
    """One renewal case per active contract, a month before it ends (D-18)."""
    if "contract_renewal" not in deployed:
        return []
    added = []
    for contract in uow.master.contracts():
        customer = contract.customer.name
        name = follow_contract(uow, contract.contract_no, customer, contract.ends_on, contract.status, now)
        if name is not None:
            added.append(name)
    return added
