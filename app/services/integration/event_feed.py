"""The global event feed: every case's audit events in one order, read with a cursor.

The cursor is an opaque position ``"<txid>.<id>"``. Events are handed out in (transaction id, event
id) order and only once their transaction has ended (PostgreSQL's snapshot horizon; SQLite's writers
take turns), so an event committed late by a slow transaction is never placed before a cursor a
client already holds: polling ``after=<next>`` misses nothing and repeats nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...domain.principal import Principal
from ...errors import InvalidInput
from ...persistence.orm import Event
from ..cases.opening import read_scope
from ..context import ServiceContext

START = "0.0"
MAX_PAGE = 500


@dataclass(frozen=True)
class FeedEvent:
    event: Event
    process_key: str
    case_no: str | None


@dataclass(frozen=True)
class FeedPage:
    events: list[FeedEvent]
    next: str  # the cursor to ask with next time (the same one when nothing was new)


def parse_cursor(cursor: str | None) -> tuple[int, int]:
    """``"12.345"`` → (12, 345); a cursor this service did not hand out is refused by name."""
    text = (cursor or START).strip()
    txid, dot, event_id = text.partition(".")
    if not dot or not txid.isdigit() or not event_id.isdigit():
        raise InvalidInput("not a cursor of this feed", errors={"after": ["a cursor from an earlier page, e.g. 0.0"]})
    return int(txid), int(event_id)


def format_cursor(position: tuple[int, int]) -> str:
    return f"{position[0]}.{position[1]}"


def read_feed(
    ctx: ServiceContext,
    actor: Principal,
    after: str | None,
    *,
    limit: int = 100,
    process_keys: list[str] | None = None,
    types: list[str] | None = None,
) -> FeedPage:
    """The next events the caller may read (the events of the cases they may read), oldest first."""
    position = parse_cursor(after)
    with ctx.uow() as uow:
        scope = read_scope(ctx, uow, actor)
        rows = uow.events.feed(
            position,
            limit=min(max(limit, 1), MAX_PAGE),
            process_keys=process_keys or (),
            types=types or (),
            visible_to=scope,
        )
    if rows:
        last = rows[-1][0]
        position = (last.txid, last.id)
    return FeedPage([FeedEvent(*row) for row in rows], format_cursor(position))


def event_document(item: FeedEvent) -> dict:
    """One event as the feed and the webhooks show it (JSON-ready)."""
    event = item.event
    return {
        "cursor": format_cursor((event.txid, event.id)),
        "id": event.id,
        "type": event.type,
        "at": event.at.isoformat(),
        "instance_id": event.instance_id,
        "case_no": item.case_no,
        "process_key": item.process_key,
        "element_id": event.element_id,
        "element_name": event.element_name,
        "task_id": event.task_id,
        "actor": event.actor,
        "data": event.data,
    }
