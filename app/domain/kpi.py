"""Service KPIs of GB/T 27922 as decomposed in seed 002 §5.1.5, computed from case facts.

| key | 中文 | target | weight | counted as |
|---|---|---|---|---|
| first_time_fix | 维修一次成功率 | ≥ 90 % | 25 % | repair callbacks that confirm the fix on the first visit |
| quote_timeliness | 服务维修报价及时率 | ≥ 95 % | 15 % | quotes given within 24 h of the service notice (G-06) |
| repair_timeliness | 服务维修及时率 | ≥ 95 % | 25 % | repairs closed with no deadline escalation |
| complaint_satisfaction | 客诉处理满意率 | ≥ 90 % | 35 % | 3-month complaint callbacks with a satisfied complainant |

The seeds give targets and weights but no formulas; the counting rules above are our reading
(REQUIREMENTS.md §1.10, G-06). The weighted score is Σ weight × min(value / target, 1) × 100
over the figures that have cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date

QUOTE_HOURS = 24


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


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(label: str) -> tuple[date, date]:
    """``2026-Q1`` → (2026-01-01, 2026-04-01): the first day and the day after."""
    year, quarter = int(label[:4]), int(label[-1])
    first = date(year, 3 * (quarter - 1) + 1, 1)
    after = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return first, after


def previous_quarter(day: date) -> str:
    year, quarter = day.year, (day.month - 1) // 3 + 1
    return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
