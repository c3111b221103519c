"""Deliver outbox events to the regulator: signed, retried with back-off until acknowledged, in order per
stream (consultation), at least once. Safe with several app processes: rows are claimed with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite has one writer anyway)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ihospital.kernel import clock
from ihospital.kernel.db import Database
from ihospital.kernel.settings import get_settings
from ihospital.supervision.models import OutboxEvent
from ihospital.supervision.signing import canonical_body, sign

MAX_BACKOFF_SECONDS = 300


def backoff(attempts: int) -> timedelta:
    base = min(2 ** attempts, MAX_BACKOFF_SECONDS)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not security


def wire_event(event: OutboxEvent) -> dict:
    return {"event_id": event.id, "event_type": event.event_type, "stream": event.stream, "seq": event.seq,
            "occurred_at": event.occurred_at.isoformat(), "payload": event.payload}


@dataclass
class RelayResult:
    delivered: int = 0
    failed: int = 0


def _stream_heads(limit: int) -> sa.Select:
    """The oldest undelivered event of each stream that is due: later events wait for it (ordering)."""
    earlier = aliased(OutboxEvent)
    blocked = sa.exists().where(earlier.stream == OutboxEvent.stream, earlier.delivered_at.is_(None),
                                earlier.seq < OutboxEvent.seq)
    return (sa.select(OutboxEvent).where(OutboxEvent.delivered_at.is_(None),
                                         OutboxEvent.next_attempt_at <= clock.now(), ~blocked)
            .order_by(OutboxEvent.seq).limit(limit))


LEASE = timedelta(seconds=30)


async def relay_once(db: Database, client: httpx.AsyncClient, *, url: str | None = None, limit: int = 100
                     ) -> RelayResult:
    """Claim due stream heads (a short lease), post them with no transaction open, then record the outcome."""
    settings = get_settings()
    target = url or settings.regulator_feed_url
    async with db.transaction() as session:
        query = _stream_heads(limit)
        if db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True, of=OutboxEvent)
        events = list((await session.execute(query)).scalars())
        claimed = [(e.id, e.attempts, canonical_body(wire_event(e))) for e in events]
        for e in events:  # another relay (or process) skips them until the lease runs out
            e.next_attempt_at = clock.now() + LEASE
    outcomes: list[tuple[str, int, str | None]] = []
    for event_id, attempts, body in claimed:
        ts = clock.now().isoformat()
        headers = {"Content-Type": "application/json", "X-Ihospital-Timestamp": ts,
                   "X-Ihospital-Signature": sign(settings.regulator_feed_secret, ts, body),
                   "X-Ihospital-Event-Id": event_id}
        try:
            response = await client.post(target, content=body, headers=headers, timeout=5.0)
            error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        outcomes.append((event_id, attempts + 1, error))
    result = RelayResult()
    if not outcomes:
        return result
    async with db.transaction() as session:
        for event_id, attempts, error in outcomes:
            values: dict = {"attempts": attempts, "last_error": error[:500] if error else None}
            if error is None:
                values["delivered_at"] = clock.now()
                result.delivered += 1
            else:
                values["next_attempt_at"] = clock.now() + backoff(attempts)
                result.failed += 1
            await session.execute(sa.update(OutboxEvent).where(OutboxEvent.id == event_id).values(**values))
    return result


async def pending_count(db: Database) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(sa.select(sa.func.count(OutboxEvent.seq)).where(
            OutboxEvent.delivered_at.is_(None))) or 0)
