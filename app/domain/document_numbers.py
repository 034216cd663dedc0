"""Document numbers of the procedures' papers: a series prefix, the year and a sequence.

Seed 000 has the service notice (售后服务通知单) issued and the report numbered and archived
(审查、编号、归档); the seeds give no format, so this project's is ``<series>-<year>-<5 digits>``,
e.g. ``SN-2026-00017``, the series named in the form field (``"x-number": {"series": "SN"}``), so
a process owner chooses the prefix in the diagram's form. Numbers run per series and year from 1,
unique and without gaps (a step that is rolled back gives its number back).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SERIES = re.compile(r"^[A-Z][A-Z0-9]{0,15}$")


@dataclass(frozen=True)
class NumberRule:
    """A form field the system numbers: its series, and the boolean field that must be true first."""

    series: str
    when: str | None = None

    @classmethod
    def of(cls, prop: Any) -> NumberRule | None:
        rule = prop.get("x-number") if isinstance(prop, dict) else None
        if not isinstance(rule, dict) or not SERIES.match(str(rule.get("series", ""))):
            return None
        return cls(rule["series"], rule.get("when"))

    def applies(self, form: dict[str, Any]) -> bool:
        return self.when is None or form.get(self.when) is True


def document_number(series: str, year: int, sequence: int) -> str:
    return f"{series}-{year}-{sequence:05d}"
