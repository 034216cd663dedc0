"""Sheet names and column headers of the QA downloads in the user's language (Chinese or English).

The report builders (downloads.py) name sheets and columns by key; ``localise`` swaps each key for
its label. A key without a label is an error (a test builds every download in both languages), so a
new column cannot ship with a raw key. The event log export (event_log_export.py) keeps its
machine-readable header: it is the input of process-mining tools and of the log check.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...integrations.spreadsheets import Sheet

SHEET_LABELS: dict[str, tuple[str, str]] = {
    "Cases": ("案件", "Cases"),
    "Deviations": ("偏差", "Deviations"),
    "By element": ("按元素", "By element"),
    "By activity": ("按活动", "By activity"),
    "Summary": ("汇总", "Summary"),
    "Deadlines": ("时限", "Deadlines"),
    "By clause": ("按条款", "By clause"),
    "By person": ("按人员", "By person"),
    "By branch": ("按分支", "By branch"),
    "By month": ("按月份", "By month"),
    "KPIs": ("考核指标", "KPIs"),
    "Score": ("加权得分", "Score"),
}

COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "case_id": ("案件编号 (内部)", "Case id"),
    "case_no": ("案件号", "Case number"),
    "version": ("流程版本", "Version"),
    "status": ("状态", "Status"),
    "fitness": ("拟合度", "Fitness"),
    "fitness_with_accepted": ("拟合度 (计入已接受偏差)", "Fitness with accepted deviations"),
    "steps": ("记录步骤", "Recorded steps"),
    "matched": ("符合步骤", "Matched steps"),
    "deviations": ("偏差", "Deviations"),
    "kind": ("偏差类型", "Kind"),
    "element_id": ("流程元素", "Element"),
    "position": ("位置", "Position"),
    "detail": ("说明", "Detail"),
    "accepted": ("已接受", "Accepted"),
    "count": ("次数", "Count"),
    "process_key": ("流程", "Process"),
    "cases": ("案件数", "Cases"),
    "conforming": ("完全符合", "Conforming"),
    "conforming_with_accepted": ("符合 (计入已接受偏差)", "Conforming with accepted deviations"),
    "average_fitness": ("平均拟合度", "Average fitness"),
    "deadline": ("时限", "Deadline"),
    "name": ("名称", "Name"),
    "clause": ("条款", "Clause"),
    "clause_name": ("条款名称", "Clause name"),
    "task": ("任务", "Task"),
    "due_at": ("到期时间", "Due at"),
    "outcome": ("结果", "Outcome"),
    "hours": ("小时 (余量/超时)", "Hours (margin/breach)"),
    "person": ("人员", "Person"),
    "branch": ("分支", "Branch"),
    "month": ("月份", "Month"),
    "estimated": ("估算", "Estimated"),
    "met": ("按时", "Met"),
    "breached": ("超时", "Breached"),
    "open": ("未到期", "Not yet due"),
    "at_risk": ("有风险", "At risk"),
    "met_rate": ("按时率", "Met rate"),
    "median_breach_hours": ("超时中位数 (小时)", "Median breach (h)"),
    "quarter": ("季度", "Quarter"),
    "kpi": ("指标", "KPI"),
    "value": ("实际值", "Value"),
    "target": ("目标值", "Target"),
    "weight": ("权重", "Weight"),
    "case_ids": ("案件编号", "Case ids"),
    "missed_case_ids": ("未达标案件编号", "Missed case ids"),
    "weighted_score": ("加权得分", "Weighted score"),
    "missed": ("未达标指标", "Missed KPIs"),
    "events": ("事件数", "Events"),
    "fitting": ("拟合", "Fitting"),
    "produced": ("产生令牌", "Produced tokens"),
    "consumed": ("消耗令牌", "Consumed tokens"),
    "missing": ("缺失令牌", "Missing tokens"),
    "remaining": ("剩余令牌", "Remaining tokens"),
    "activity": ("活动", "Activity"),
    "filename": ("文件名", "File name"),
    "format": ("格式", "Format"),
    "complete": ("案件已结束", "Cases finished"),
    "fitting_cases": ("拟合案件数", "Fitting cases"),
    "log_fitness": ("整体日志拟合度", "Whole-log fitness"),
    "ignored_routing_events": ("忽略的网关事件", "Ignored routing events"),
}


def _pick(labels: tuple[str, str], language: str) -> str:
    return labels[0] if language.startswith("zh") else labels[1]


def localise(sheets: Sequence[Sheet], language: str) -> list[Sheet]:
    """The sheets with names and headers in ``language`` ("zh…" Chinese, anything else English)."""
    return [
        Sheet(
            _pick(SHEET_LABELS[s.name], language),
            [_pick(COLUMN_LABELS[h], language) for h in s.headers],
            s.rows,
        )
        for s in sheets
    ]
