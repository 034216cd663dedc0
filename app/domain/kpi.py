"""Service KPIs of GB/T 27922 as decomposed in seed 002 §5.1.5, computed from case facts.

| key | 中文 | target | weight | counted as |
|---|---|---|---|---|
| first_time_fix | 维修一次成功率 | ≥ 90 % | 25 % | repair callbacks that confirm the fix on the first visit |
| quote_timeliness | 服务维修报价及时率 | ≥ 95 % | 15 % | quotes given within 24 h of the service notice (G-06) |
| repair_timeliness | 服务维修及时率 | ≥ 95 % | 25 % | arrival within the promise (D-02/03/05); PREMIUM: fix too |
| complaint_satisfaction | 客诉处理满意率 | ≥ 90 % | 35 % | 3-month complaint callbacks with a satisfied complainant |

The seeds give targets and weights but no formulas; the counting rules above are our reading
(REQUIREMENTS.md §1.10, G-06). The weighted score is Σ weight × min(value / target, 1) × 100
over the figures that have cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

QUOTE_HOURS = 24
ARRIVAL_WATCH = "arrival_deadline_passed"  # repair.bpmn's timer of the arrival promise
FIX_WITHIN_PROMISE = "PREMIUM"  # seed 002: "4小时内到达现场并排除故障", arrive *and* fix in 4 h


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    name: str
    target: float
    weight: float


KPIS = (
    KpiDefinition("first_time_fix", "维修一次成功率 / First-time fix rate", 0.90, 0.25),
    KpiDefinition("quote_timeliness", "服务维修报价及时率 / Quote timeliness", 0.95, 0.15),
    KpiDefinition("repair_timeliness", "服务维修及时率 / Repair timeliness", 0.95, 0.25),
    KpiDefinition("complaint_satisfaction", "客诉处理满意率 / Complaint handling satisfaction", 0.90, 0.35),
)


@dataclass
class Tally:
    """Cases counted for one KPI: which met the rule and which did not."""

    good: list[int] = field(default_factory=list)
    bad: list[int] = field(default_factory=list)

    def add(self, case_id: int, ok: bool) -> None:
        (self.good if ok else self.bad).append(case_id)

    @property
    def cases(self) -> int:
        return len(self.good) + len(self.bad)

    @property
    def value(self) -> float | None:
        return len(self.good) / self.cases if self.cases else None


def evaluate(tallies: dict[str, Tally]) -> dict:
    """Figures per KPI (value, target, weight, met, cases, and the case ids behind them) and the score."""
    figures, score, weights = {}, 0.0, 0.0
    for kpi in KPIS:
        tally = tallies.get(kpi.key, Tally())
        value = tally.value
        met = value is not None and value >= kpi.target
        figures[kpi.key] = {
            "name": kpi.name,
            "value": round(value, 4) if value is not None else None,
            "target": kpi.target,
            "weight": kpi.weight,
            "met": met,
            "cases": tally.cases,
            "case_ids": sorted(tally.good + tally.bad),
            "missed_case_ids": sorted(tally.bad),
        }
        if value is not None:
            score += kpi.weight * min(value / kpi.target, 1.0) * 100
            weights += kpi.weight
    weighted = round(score / weights, 2) if weights else None
    missed = [k for k, f in figures.items() if f["value"] is not None and not f["met"]]
    return {"figures": figures, "weighted_score": weighted, "missed": missed}


def within_service_level(
    arrival_missed: bool | None, profile: str | None, due: datetime | None, fixed_at: datetime | None
) -> bool | None:
    """Whether a repair kept its service level (repair timeliness, K-02: "repairs done within the SLA").

    :param arrival_missed: the arrival promise's timer fired (True), was stopped by the arrival or a
        no-visit decision (False), or the case had no arrival promise (None: an older diagram)
    :param fixed_at: when the service was performed; it counts only for a profile that promises the fix
    :returns: None when the case cannot be judged by the promise
    """
    if arrival_missed is None:
        return None
    if arrival_missed:
        return False
    if profile == FIX_WITHIN_PROMISE and due is not None:
        return fixed_at is not None and fixed_at <= due
    return True


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(label: str) -> tuple[date, date]:
    """``2026-Q1`` → (2026-01-01, 2026-04-01): the first day and the day after."""
    year, quarter = int(label[:4]), int(label[-1])
    first = date(year, 3 * (quarter - 1) + 1, 1)
    after = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return first, after


def period_bounds(label: str) -> tuple[date, date]:
    """A reporting period → (first day, day after): ``2026`` (year), ``2026-H1`` (half year),
    ``2026-Q1`` (quarter), ``2026-03`` (month). Raises ValueError for anything else."""
    label = label.strip()
    if len(label) == 4 and label.isdigit():
        return date(int(label), 1, 1), date(int(label) + 1, 1, 1)
    year_text, _, part = label.partition("-")
    if len(year_text) != 4 or not year_text.isdigit():
        raise ValueError(label)
    year = int(year_text)
    if part in ("H1", "H2"):
        return (date(year, 1, 1), date(year, 7, 1)) if part == "H1" else (date(year, 7, 1), date(year + 1, 1, 1))
    if part in ("Q1", "Q2", "Q3", "Q4"):
        return quarter_bounds(label)
    if len(part) == 2 and part.isdigit() and 1 <= int(part) <= 12:
        month = int(part)
        return date(year, month, 1), date(year + (month == 12), month % 12 + 1, 1)
    raise ValueError(label)


def previous_quarter(day: date) -> str:
    year, quarter = day.year, (day.month - 1) // 3 + 1
    return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"


# Seed 003 (25): the customer rates the technician on four items, each on four levels.
RATING_ITEMS = (
    ("rating_attitude", "服务态度 / Attitude"),
    ("rating_skills", "技术水平 / Skills"),
    ("rating_arrival", "到达及时 / Timely arrival"),
    ("rating_promises", "承诺事项 / Promised tasks"),
)
RATING_LEVELS = (1, 2, 3, 4)  # 差 poor, 一般 fair, 好 good, 很好 very good


def technician_ratings(ratings: list[tuple[str, int, dict]]) -> list[dict]:
    """Per technician, from (technician, case id, the acceptance form's ratings): per item the average
    level and how many cases gave each level; overall the mean of the item averages and a score of
    100 × overall / 4 (all "very good" = 100, all "poor" = 25). Items not rated in a case are skipped."""
    by_technician: dict[str, list[tuple[int, dict]]] = {}
    for technician, case_id, form in ratings:
        by_technician.setdefault(technician, []).append((case_id, form))
    report = []
    for technician in sorted(by_technician):
        rated = by_technician[technician]
        items = {}
        for key, name in RATING_ITEMS:
            levels = [form[key] for _, form in rated if form.get(key) in RATING_LEVELS]
            items[key] = {
                "name": name,
                "average": round(sum(levels) / len(levels), 2) if levels else None,
                "levels": {str(level): levels.count(level) for level in RATING_LEVELS},
            }
        averages = [i["average"] for i in items.values() if i["average"] is not None]
        overall = round(sum(averages) / len(averages), 2) if averages else None
        report.append(
            {
                "technician": technician,
                "cases": len(rated),
                "case_ids": sorted(case_id for case_id, _ in rated),
                "items": items,
                "overall": overall,
                "score": round(overall / 4 * 100, 1) if overall is not None else None,
            }
        )
    return report
