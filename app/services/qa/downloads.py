"""The QA reports as tables for download (XLSX with every table, CSV with the main one).

Each function takes the report a QA service computed (same roles, same figures as the JSON API)
and lays it out as ``Sheet`` rows; times are shown in the application's time zone, sheet names
and column headers in the user's language (download_labels.py).
"""

from __future__ import annotations

from datetime import datetime
from datetime import tzinfo
from typing import Any

from ...domain.principal import Principal
from ...integrations.spreadsheets import Download
from ...integrations.spreadsheets import Sheet
from ...integrations.spreadsheets import download
from ..context import ServiceContext
from . import conformance
from . import deadline_conformance as deadlines
from . import kpi
from .download_labels import localise

GROUP_COLUMNS = ["met", "breached", "open", "at_risk", "met_rate", "median_breach_hours"]


def _local(value: datetime | None, tz: tzinfo) -> datetime | None:
    return value.astimezone(tz).replace(tzinfo=None) if value is not None else None


def conformance_sheets(report: dict[str, Any]) -> list[Sheet]:
    cases = Sheet(
        "Cases",
        ["case_id", "case_no", "version", "status", "fitness", "fitness_with_accepted", "steps", "matched"]
        + ["deviations"],
        [
            [
                c["case_id"],
                c["case_no"],
                c["version"],
                c["status"],
                c["fitness"],
                c["fitness_with_accepted"],
                c["steps"],
                c["matched"],
                len(c["deviations"]),
            ]
            for c in report["per_case"]
        ],
    )
    deviations = Sheet(
        "Deviations",
        ["case_id", "case_no", "kind", "element_id", "position", "detail", "accepted"],
        [
            [c["case_id"], c["case_no"], d["kind"], d["element_id"], d["position"], d["detail"], d["accepted"]]
            for c in report["per_case"]
            for d in c["deviations"]
        ],
    )
    by_element = Sheet(
        "By element",
        ["element_id", "kind", "count"],
        [[r["element_id"], r["kind"], r["count"]] for r in report["deviations_by_element"]],
    )
    summary = Sheet(
        "Summary",
        ["process_key", "cases", "conforming", "conforming_with_accepted", "average_fitness"],
        [
            [
                report["process_key"],
                report["cases"],
                report["conforming"],
                report["conforming_with_accepted"],
                report["average_fitness"],
            ]
        ],
    )
    return [cases, deviations, by_element, summary]


def deadline_sheets(report: dict[str, Any], tz: tzinfo) -> list[Sheet]:
    columns = ["case_id", "case_no", "process_key", "deadline", "name", "clause", "task", "due_at", "outcome"]
    columns += ["hours", "person", "branch", "month", "estimated"]
    rows = [
        [
            r["case_id"],
            r["case_no"],
            r["process_key"],
            r["deadline"],
            r["name"],
            r["clause"],
            r["task"],
            _local(r["due_at"], tz),
            r["outcome"],
            round(r["seconds"] / 3600, 2),
            r["person"],
            r["branch"],
            r["month"],
            r["estimated"],
        ]
        for r in report["rows"]
    ]
    sheets = [Sheet("Deadlines", columns, rows)]
    clauses = report["by_clause"]
    sheets.append(
        Sheet(
            "By clause",
            ["clause", "clause_name", *GROUP_COLUMNS],
            [[g["clause"], "; ".join(g["names"]), *(g[c] for c in GROUP_COLUMNS)] for g in clauses],
        )
    )
    for key in ("person", "branch", "month"):
        group, title = report[f"by_{key}"], f"By {key}"
        sheets.append(Sheet(title, [key, *GROUP_COLUMNS], [[g[key], *(g[c] for c in GROUP_COLUMNS)] for g in group]))
    return sheets


def kpi_sheets(report: dict[str, Any]) -> list[Sheet]:
    rows = [
        [
            report["period"],
            key,
            f["name"],
            f["value"],
            f["target"],
            f["weight"],
            f["met"],
            f["cases"],
            " ".join(str(i) for i in f["case_ids"]),
            " ".join(str(i) for i in f["missed_case_ids"]),
        ]
        for key, f in report["figures"].items()
    ]
    columns = ["quarter", "kpi", "name", "value", "target", "weight", "met", "cases", "case_ids", "missed_case_ids"]
    score = Sheet(
        "Score",
        ["quarter", "weighted_score", "missed"],
        [[report["period"], report["weighted_score"], " ".join(report["missed"])]],
    )
    return [Sheet("KPIs", columns, rows), score]


def log_check_sheets(report: dict[str, Any]) -> list[Sheet]:
    cases = Sheet(
        "Cases",
        ["case_id", "events", "fitness", "fitting", "produced", "consumed", "missing", "remaining", "deviations"],
        [
            [
                c["case_id"],
                c["events"],
                c["fitness"],
                c["fitting"],
                c["produced"],
                c["consumed"],
                c["missing"],
                c["remaining"],
                "; ".join(f"{d['kind']} {d['activity']} @{d['position']}" for d in c["deviations"]),
            ]
            for c in report["cases"]
        ],
    )
    deviations = Sheet(
        "Deviations",
        ["case_id", "position", "kind", "activity", "name", "detail"],
        [
            [c["case_id"], d["position"], d["kind"], d["activity"], d["name"], d["detail"]]
            for c in report["cases"]
            for d in c["deviations"]
        ],
    )
    s = report["summary"]
    by_activity = Sheet(
        "By activity",
        ["activity", "name", "kind", "count"],
        [[r["activity"], r["name"], r["kind"], r["count"]] for r in s["deviations_by_activity"]],
    )
    keys = ["cases", "events", "fitting_cases", "average_fitness", "log_fitness", "produced", "consumed", "missing"]
    keys += ["remaining", "ignored_routing_events"]
    summary = Sheet(
        "Summary",
        ["process_key", "version", "filename", "format", "complete", *keys],
        [
            [report["process_key"], report["version"], report["filename"], report["format"], report["complete"]]
            + [s[k] for k in keys]
        ],
    )
    return [cases, deviations, by_activity, summary]


# -- downloads: the report computed by its service, laid out as tables -----------------------


def conformance_download(
    ctx: ServiceContext,
    process_key: str,
    start: datetime,
    end: datetime,
    actor: Principal,
    fmt: str,
    language: str,
) -> Download:
    report = conformance.conformance_report(ctx, process_key, start, end, actor)
    return download(localise(conformance_sheets(report), language), fmt, f"conformance-{process_key}")


def deadline_download(
    ctx: ServiceContext,
    start: datetime,
    end: datetime,
    actor: Principal,
    process_key: str | None,
    fmt: str,
    language: str,
) -> Download:
    report = deadlines.deadline_report(ctx, start, end, actor, process_key)
    sheets = localise(deadline_sheets(report, ctx.calendar.tz), language)
    return download(sheets, fmt, f"deadlines-{process_key or 'all'}")


def kpi_download(ctx: ServiceContext, quarter: str, actor: Principal, fmt: str, language: str) -> Download:
    report = kpi.period_kpis(ctx, quarter, actor)
    return download(localise(kpi_sheets(report), language), fmt, f"kpi-{quarter}")


def log_check_download(report: dict[str, Any], fmt: str, language: str) -> Download:
    stem = f"log-check-{report['process_key']}-v{report['version']}"
    return download(localise(log_check_sheets(report), language), fmt, stem)
