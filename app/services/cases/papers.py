"""The papers of a case as printable PDFs, stored with the case once issued (signed, numbered, approved).

Six papers of the seeds' procedures (service notice 售后服务通知单, service report with the customer's
signature, repair card, pickup receipt, the complaint's closed-loop tracking form, the approved annual
plan); paper_specs.py says which step issues each and which later steps sign it. A paper exists once
that step is done; before that it is not found.

What the customer signed must not change when a template, a master record or a person's name does:
the step that issues (or signs) a paper queues a pending version in ``case_papers`` in its own
transaction, with the facts it prints as they are then (paper_specs.queue_issued). The PDF is rendered after the
commit, never while the case is locked: at once by the alarm clock's paper job in the scheduler's
thread (signals.papers_queued; the step's answer waits for nothing), or in the request itself when
``PAPERS_RENDER_AT_COMMIT`` is on (``listen``: a process without the alarm clock); what neither stored
— a rendering that failed, retried with a back-off (domain/papers.py) — is stored by the alarm's
sweep (``store_pending``, or ``aftersales store-papers``): the table is the truth, the scheduler only
the alarm. A failed rendering never fails the step. Once stored, the bytes and their SHA-256 are the paper: every
download gives them (and records its SHA-256 in the audit trail); a download of a paper still pending
renders and stores it first. A step done again (rework) queues a new version; older versions stay
downloadable (``?version=``). A case whose papers were issued before they were stored (no row) gets its
version 1 rendered from the case as it is, at its first download.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ...domain.customer_steps import as_customer_step
from ...domain.events import EventType
from ...domain.papers import PaperState
from ...domain.papers import retry_at
from ...domain.principal import Principal
from ...errors import NotFound
from ...errors import Unavailable
from ...integrations import pdf_papers
from ...integrations.pdf_papers import Paper
from ...integrations.pdf_papers import Row
from ...integrations.pdf_papers import Section
from ...integrations.pdf_papers import Signature
from ...integrations.pdf_papers import Table
from ...persistence.orm import CasePaper
from ...persistence.orm import Event
from ...persistence.orm import Instance
from ...persistence.unit_of_work import Busy
from ...persistence.unit_of_work import UnitOfWork
from ..context import ServiceContext
from ..signals import papers_queued
from ..tasks.workspace import form_labels
from .attachments import REFERENCE
from .journal import record
from .opening import load_visible
from .paper_specs import ENGINE_FIELDS
from .paper_specs import PEOPLE_FIELDS
from .paper_specs import RATINGS
from .paper_specs import SPECS
from .paper_specs import PaperKind
from .paper_specs import PaperSpec
from .paper_specs import Signer
from .paper_specs import done_steps
from .paper_specs import new_version
from .paper_specs import number_of
from .paper_specs import people_of

log = logging.getLogger(__name__)

__all__ = ["PaperKind", "case_papers", "listen", "paper_pdf", "store_paper", "store_pending"]
ROUND_BATCH = 20  # papers rendered per alarm round at most
CLAIM = timedelta(minutes=2)  # a paper a round took is another round's again after this (its worker died)


@dataclass(frozen=True)
class PaperVersion:
    version: int
    number: str
    issued_by: str  # the step whose completion issued it
    issued_at: datetime
    state: PaperState
    sha256: str | None


@dataclass(frozen=True)
class PaperLink:
    kind: PaperKind
    title: str
    number: str  # the latest version's
    versions: list[PaperVersion]  # oldest first; empty for a paper issued before papers were stored

    @property
    def version(self) -> int | None:
        return self.versions[-1].version if self.versions else None

    @property
    def stored(self) -> bool:
        return bool(self.versions) and self.versions[-1].state == PaperState.STORED


@dataclass(frozen=True)
class PaperFile:
    filename: str
    content: bytes
    version: int
    sha256: str


def case_papers(ctx: ServiceContext, instance_id: int, actor: Principal) -> list[PaperLink]:
    """The papers case ``instance_id`` has issued so far with their versions, for those who may read the case."""
    with ctx.uow() as uow:
        instance = load_visible(ctx, uow, instance_id, actor)
        stored: dict[str, list[CasePaper]] = {}
        for row in uow.papers.of_instance(instance_id):
            stored.setdefault(row.kind, []).append(row)
        specs = [spec for spec in SPECS.values() if spec.process_key == instance.process_key]
        unqueued = [spec for spec in specs if spec.kind.value not in stored]
        done = done_steps(uow.events.for_instance(instance_id)) if unqueued else set()
        links = []
        for spec in specs:
            title = f"{spec.title} / {spec.title_en}"
            rows = stored.get(spec.kind.value)
            if rows:
                versions = [
                    PaperVersion(r.version, r.number, r.issued_by, r.issued_at, PaperState(r.state), r.sha256)
                    for r in rows
                ]
                links.append(PaperLink(spec.kind, title, rows[-1].number, versions))
            elif spec.issued(instance.data or {}, done):  # issued before papers were stored
                links.append(PaperLink(spec.kind, title, number_of(spec, instance, instance.data or {}), []))
        return links


def paper_pdf(
    ctx: ServiceContext, instance_id: int, kind: str, actor: Principal, version: int | None = None
) -> PaperFile:
    """The stored PDF of paper ``kind`` of the case (its latest version, or ``version``), stored first if
    it is still pending; not found for a paper the case has not issued. The download is recorded."""
    try:
        spec = SPECS[PaperKind(kind)]
    except ValueError:
        raise NotFound(f"no paper {kind!r}; papers: {', '.join(k.value for k in PaperKind)}") from None
    paper_id, state = _version_to_download(ctx, instance_id, spec, actor, version)
    if state == PaperState.PENDING:
        try:
            store_paper(ctx, paper_id, by=actor.username)
        except Exception as exc:  # noqa: BLE001 - recorded on the row; the alarm tries again
            raise Unavailable(f"the {spec.title_en.lower()} could not be rendered now; try again later") from exc
    with ctx.uow() as uow:
        row = uow.papers.get(paper_id, with_content=True)
        instance = uow.instances.get(instance_id)
        assert row is not None and row.content is not None and row.sha256 is not None and instance is not None
        record(
            uow,
            instance,
            ctx.clock.now(),
            actor.username,
            EventType.PAPER_DOWNLOADED,
            data={"kind": row.kind, "version": row.version, "number": row.number, "sha256": row.sha256},
        )
        uow.commit()
    return PaperFile(f"{row.number}-{row.kind}-v{row.version}.pdf", row.content, row.version, row.sha256)


def _version_to_download(
    ctx: ServiceContext, instance_id: int, spec: PaperSpec, actor: Principal, version: int | None
) -> tuple[int, PaperState]:
    for attempt in range(2):
        with ctx.uow() as uow:
            instance = load_visible(ctx, uow, instance_id, actor)
            if spec.process_key != instance.process_key:
                raise NotFound(f"case {instance_id} has not issued the {spec.title_en.lower()}")
            row = uow.papers.find(instance_id, spec.kind.value, version)
            if row is not None:
                return row.id, PaperState(row.state)
            if version is not None:
                raise NotFound(f"case {instance_id} has no version {version} of the {spec.title_en.lower()}")
            events = uow.events.for_instance(instance_id)
            data = instance.data or {}
            if not spec.issued(data, done_steps(events)):
                raise NotFound(f"case {instance_id} has not issued the {spec.title_en.lower()}")
            # Issued before papers were stored: version 1 is the case as it is now.
            signing = [e for e in events if e.type == "task_completed" and spec.stored_on(e.element_id)]
            row = new_version(uow, spec, instance, signing[-1], events, data)
            try:
                uow.commit()
            except Busy:  # another download queued it at the same time: take that one
                if attempt:
                    raise
                continue
            return row.id, PaperState.PENDING
    raise AssertionError("unreachable")


def store_paper(ctx: ServiceContext, paper_id: int, *, by: str | None = None) -> bool:
    """Render pending paper ``paper_id`` from the facts its step queued and store it (outside any case
    lock); True once stored (by this call or another worker). A rendering that fails is recorded on
    the row (attempts, error, next attempt) and raised."""
    with ctx.uow() as uow:
        row = uow.papers.get(paper_id)
        if row is None or row.state == PaperState.STORED:
            return row is not None
        instance = uow.instances.get(row.instance_id)
        assert instance is not None
        spec = SPECS[PaperKind(row.kind)]
        events = [e for e in uow.events.for_instance(instance.id) if row.event_id is None or e.id <= row.event_id]
        facts = row.facts or {}
        paper = _paper(ctx, uow, spec, instance, events, facts.get("data") or {}, facts.get("people") or {})
    try:
        content = pdf_papers.render_pdf(paper)
    except Exception as exc:
        _failed(ctx, paper_id, exc)
        raise
    sha256 = hashlib.sha256(content).hexdigest()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        if uow.papers.store(paper_id, content, sha256, now):
            data = {"kind": row.kind, "version": row.version, "number": row.number, "sha256": sha256}
            record(uow, instance, now, by, EventType.PAPER_STORED, element_id=row.issued_by, data=data)
        uow.commit()
    return True


def _failed(ctx: ServiceContext, paper_id: int, exc: Exception) -> None:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        row = uow.papers.get(paper_id)
        if row is not None and row.state == PaperState.PENDING:
            row.attempts += 1
            row.next_attempt_at = retry_at(now, row.attempts)
            row.last_error = f"{exc.__class__.__name__}: {exc}"[:500]
            uow.commit()


def store_pending(ctx: ServiceContext, *, instance_id: int | None = None, limit: int = ROUND_BATCH) -> int:
    """Render and store the pending papers due (of one case, or any); returns how many were stored.
    What the alarm clock does each round; a paper that fails again waits for its next attempt."""
    with ctx.uow() as uow:
        due = uow.papers.due(ctx.clock.now(), limit, instance_id)
    stored = 0
    for paper_id in due:
        now = ctx.clock.now()
        with ctx.uow() as uow:  # the workers' rounds share the table: each paper is rendered by one of them
            claimed = uow.papers.claim(paper_id, now, now + CLAIM)
            uow.commit()
        if not claimed:
            continue
        try:
            stored += store_paper(ctx, paper_id)
        except Exception:  # noqa: BLE001 - recorded on the row; one broken paper must not hold up the others
            log.exception("paper %s could not be rendered; tried again later", paper_id)
    return stored


def listen(ctx: ServiceContext) -> None:
    """Render a step's papers right after its commit (signals.papers_queued), outside the case's lock."""

    def render(_ctx: object, instance_id: int) -> None:
        try:
            store_pending(ctx, instance_id=instance_id)
        except Exception:  # noqa: BLE001 - the step is committed; the alarm's round renders them later
            log.exception("the papers of case %s were not rendered after its step", instance_id)

    papers_queued.connect(render, sender=ctx, weak=False)


def _paper(
    ctx: ServiceContext,
    uow: UnitOfWork,
    spec: PaperSpec,
    instance: Instance,
    events: list[Event],
    data: dict[str, Any],
    people: dict[str, str],
) -> Paper:
    """The facts a paper prints: ``data`` and ``people`` as its step queued them, ``events`` up to that step."""
    process = ctx.versions.get(uow, instance.version_id)
    facts = _Facts(ctx.calendar.tz, process.forms, data)
    # the latest completion wins; a customer step's fallback task signs as the customer's step
    completed = {as_customer_step(e.element_id): e for e in events if e.type == "task_completed"}
    facts.people = {**people_of(uow, events, data), **people}  # the names as they were when it was issued
    issued = completed[spec.issued_by]
    return Paper(
        company=ctx.company,
        title=spec.title,
        title_en=spec.title_en,
        number=number_of(spec, instance, data),
        case_no=instance.case_no or f"#{instance.id}",
        issued_at=facts.local(issued.at),
        created=issued.at.astimezone(facts.tz).replace(microsecond=0).isoformat(),
        sections=[section for title, fields in spec.sections if (section := facts.section(title, fields))],
        signatures=[_signature(uow, instance, signer, completed, facts) for signer in spec.signers],
    )


def _signature(
    uow: UnitOfWork, instance: Instance, signer: Signer, completed: dict[str | None, Event], facts: _Facts
) -> Signature:
    if signer.blank:
        return Signature(signer.role)
    event = completed.get(signer.step) if signer.step else None
    who = facts.people.get(event.actor or "", event.actor or "") if event else ""
    raw = str(facts.data.get(signer.name_field) or "") if signer.name_field else ""
    name = facts.people.get(raw, raw)
    image, note = None, ""
    reference = str(facts.data.get(signer.image_field) or "") if signer.image_field else ""
    if reference.startswith(REFERENCE) and reference.removeprefix(REFERENCE).isdigit():
        row = uow.attachments.get(int(reference.removeprefix(REFERENCE)), with_content=True)
        if row is not None and row.instance_id == instance.id and row.media_type.startswith("image/"):
            image = f"data:{row.media_type};base64,{base64.b64encode(row.content).decode('ascii')}"
        elif row is not None and row.instance_id == instance.id:
            note = f"签字扫描件见附件 / signed scan: {reference}"
    if event is None:
        return Signature(signer.role, name=name, image=image, note=note)
    if name and who and name != who:
        note = (note + " · " if note else "") + f"录入 / entered by {who}"
    return Signature(signer.role, name=name or who, at=facts.local(event.at), image=image, note=note)


class _Facts:
    """The case's data printed as people read it: labels from the forms, choices by name, local times."""

    def __init__(self, tz: ZoneInfo, forms: dict[str, dict[str, Any]], data: dict[str, Any]) -> None:
        self.tz, self.data = tz, data
        self.titles, self.choices, _ = form_labels(forms)
        self.titles = {**ENGINE_FIELDS, **self.titles}
        self.props: dict[str, dict[str, Any]] = {}
        for schema in forms.values():
            for name, prop in (schema.get("properties") or {}).items():
                if isinstance(prop, dict):
                    self.props.setdefault(name, prop)
        self.people: dict[str, str] = {}

    def local(self, at: datetime) -> str:
        return at.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

    def section(self, title: str, fields: tuple[str, ...]) -> Section | None:
        rows, tables = [], []
        for name in fields:
            value = self.data.get(name)
            if value is None or value == "" or value == []:
                continue
            if isinstance(value, list) and all(isinstance(item, dict) for item in value):
                tables.append(self.table(name, value))
            else:
                zh, en = _split(self.titles.get(name, name))
                rows.append(Row(zh, self.value(name, value, self.props.get(name, {})), en))
        return Section(title, rows, tables) if rows or tables else None

    def table(self, name: str, items: list[dict[str, Any]]) -> Table:
        columns = (self.props.get(name, {}).get("items") or {}).get("properties") or {}
        keys = list(columns) or sorted({key for item in items for key in item})
        return Table(
            _split(self.titles.get(name, name))[0],
            [_split(columns.get(key, {}).get("title") or key)[0] for key in keys],
            [[self.value(key, item.get(key), columns.get(key, {})) for key in keys] for item in items],
        )

    def value(self, name: str, value: Any, prop: dict[str, Any]) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "是 / yes" if value else "否 / no"
        if isinstance(value, list):
            return "、".join(self.value(name, item, prop.get("items") or {}) for item in value)
        if isinstance(value, dict):
            return "; ".join(f"{key}: {item}" for key, item in value.items())
        names = {str(v): t for v, t in zip(prop.get("enum") or [], prop.get("enumNames") or [], strict=False)}
        names = names or self.choices.get(name, {})
        if str(value) in names:
            return _split(str(names[str(value)]))[0]
        if (prop.get("format") == "date-time" or name in ("received_at", "arrived_at")) and isinstance(value, str):
            try:
                return self.local(datetime.fromisoformat(value))
            except ValueError:
                return value
        if prop.get("x-options") == "technicians" or name in PEOPLE_FIELDS:
            return self.people.get(str(value), str(value))
        if name.startswith("rating_") and isinstance(value, int):
            return f"{value} {RATINGS.get(value, '')}".strip()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, (int, float)):
            return f"{value:,}" if abs(value) >= 10_000 else str(value)
        return str(value)


def _split(title: str) -> tuple[str, str]:
    """ "中文 / English" → ("中文", "English"); a title in one language is kept whole."""
    zh, sep, en = title.partition(" / ")
    return (zh, en) if sep else (title, "")
