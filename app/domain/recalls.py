"""Batch defects and recalls (W-08: 三包 — repair, replace or refund): which installed units a batch
defect affects.

The master data has no production-batch column; a batch is named by the product model and, to
narrow it, a purchase-date window and a serial-number prefix (a factory's serials run per batch).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from .iso8601 import as_date

MAX_AFFECTED = 500  # units one recall opens cases for; a larger batch is split into several recalls


class RecallAction(StrEnum):
    REPAIR = "repair"  # 包修
    REPLACE = "replace"  # 包换
    REFUND = "refund"  # 包退


def affected_units(
    units: Iterable[Mapping[str, Any]],
    model: str,
    *,
    purchased_from: str | None = None,
    purchased_to: str | None = None,
    serial_prefix: str | None = None,
) -> list[Mapping[str, Any]]:
    """The units of ``model`` bought within the window (either end open) whose serial starts with
    ``serial_prefix``, in serial order. A unit without a purchase date is in only when no window is given."""
    start, end = as_date(purchased_from), as_date(purchased_to)
    prefix = (serial_prefix or "").strip().upper()
    found = []
    for unit in units:
        if str(unit.get("model") or "").upper() != model.strip().upper():
            continue
        if prefix and not str(unit.get("serial_no") or "").upper().startswith(prefix):
            continue
        bought = as_date(unit.get("purchase_date"))
        if (start or end) and bought is None:
            continue
        if (start and bought < start) or (end and bought > end):
            continue
        found.append(unit)
    return sorted(found, key=lambda u: str(u.get("serial_no")))
