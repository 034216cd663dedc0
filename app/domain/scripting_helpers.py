"""Date helpers for diagram scripts and timer expressions (ISO strings in, ISO strings out)."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta


def add_days(moment: str, days: float) -> str:
    """``add_days("2026-11-24T09:00:00+08:00", 3)`` → the ISO time three calendar days later."""
    return (datetime.fromisoformat(moment) + timedelta(days=days)).isoformat()


def days_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 86400
