"""Proposing technicians for a service notice (seed 004: region, skill, workload; seed 000: 持证上岗),
who may not be sent (no valid certificate, on leave that day), and when the dispatchers hear that a
certificate runs out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from enum import StrEnum

# Told this many days before a certificate runs out (issue #14: "the dispatcher is told").
CERTIFICATE_WARNING_DAYS = 30


class CertificateStage(StrEnum):
    """What the dispatchers are told about a technician's certificate, once each per expiry date."""

    EXPIRING = "expiring"  # valid, but runs out within CERTIFICATE_WARNING_DAYS
    EXPIRED = "expired"  # ran out: the technician is out of dispatch


@dataclass(frozen=True)
class TechnicianProfile:
    username: str
    name: str
    regions: tuple[str, ...]
    skills: tuple[str, ...]
    cert_expiry: date | None
    open_tasks: int
    max_load: int
    unavailable: tuple[tuple[date, date], ...] = ()  # leave and days off, first and last day included


@dataclass(frozen=True)
class Proposal:
    technician: TechnicianProfile
    score: int
    reasons: tuple[str, ...]  # in English, as the API has always given them
    reasons_zh: tuple[str, ...] = ()  # the same in Chinese, for the dispatcher's choice

    @property
    def title(self) -> str:
        """The dispatcher's choice as "中文 / English" (a form shows the user's half): name — why."""
        name = self.technician.name
        return f"{name} — {'、'.join(self.reasons_zh)} / {name} — {', '.join(self.reasons)}"


def is_certified(tech: TechnicianProfile, on: date) -> bool:
    return tech.cert_expiry is not None and tech.cert_expiry >= on


def on_leave(tech: TechnicianProfile, on: date) -> tuple[date, date] | None:
    """The period of leave (or day off) of ``tech`` that includes ``on``, if any."""
    return next(((first, last) for first, last in tech.unavailable if first <= on <= last), None)


def dispatch_refusal(tech: TechnicianProfile | None, on: date) -> str | None:
    """Why ``tech`` may not be sent to a customer on ``on`` (持证上岗, not on leave), or None if they may.

    The rules that disqualify; region, skill and workload only rank (see ``rank_technicians``).
    """
    if tech is None:
        return "has no technician record (certificate, regions, skills) / 无工程师档案"
    if tech.cert_expiry is None:
        return "has no certificate / 无上岗证"
    if not is_certified(tech, on):
        return f"certificate expired on {tech.cert_expiry.isoformat()} / 上岗证已过期"
    leave = on_leave(tech, on)
    if leave is not None:
        first, last = leave
        period = first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
        return f"on leave {period} / 休假中"
    return None


def certificate_stage(expiry: date | None, today: date) -> CertificateStage | None:
    """What to tell about a certificate valid until ``expiry`` on ``today`` (None: nothing yet)."""
    if expiry is None:
        return None
    if expiry < today:
        return CertificateStage.EXPIRED
    if expiry <= today + timedelta(days=CERTIFICATE_WARNING_DAYS):
        return CertificateStage.EXPIRING
    return None


def rank_technicians(
    techs: list[TechnicianProfile], *, region: str | None, skill: str | None, on: date
) -> list[Proposal]:
    """Certified technicians, best first: region and skill match, then the lightest open load.

    Technicians without a valid certificate, or on leave on ``on``, are left out: they may not be dispatched.
    An overloaded technician (open tasks ≥ max load) is still proposed, last.
    """
    proposals = []
    for tech in techs:
        if dispatch_refusal(tech, on) is not None:
            continue
        score, reasons, reasons_zh = 0, [], []
        if region and region in tech.regions:
            score += 20
            reasons.append(f"region {region}")
            reasons_zh.append(f"区域 {region}")
        if skill and skill in tech.skills:
            score += 20
            reasons.append(f"skill {skill}")
            reasons_zh.append(f"技能 {skill}")
        overloaded = tech.open_tasks >= tech.max_load
        score -= 100 if overloaded else tech.open_tasks
        reasons.append(f"{tech.open_tasks}/{tech.max_load} open" + (" (overloaded)" if overloaded else ""))
        reasons_zh.append(f"在办 {tech.open_tasks}/{tech.max_load}" + ("（已满负荷）" if overloaded else ""))
        proposals.append(Proposal(tech, score, tuple(reasons), tuple(reasons_zh)))
    return sorted(proposals, key=lambda p: (-p.score, p.technician.username))
