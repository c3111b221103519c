"""Supervision: aggregates for regulators (never charts) (R-REG-02, R-DISP-09)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ihospital.identity.models import Department, Patient, Practitioner
from ihospital.kernel import clock
from ihospital.security import audit
from ihospital.security.models import AuditEvent
from ihospital.security.permissions import SUPERVISION_READ, Actor, authorize
from ihospital.supervision.models import OutboxEvent, ReceivedFeedEvent


async def live_counts(session: AsyncSession, actor: Actor) -> dict[str, int]:
    await authorize(session, actor, SUPERVISION_READ, resource_type="supervision")
    since = clock.now() - timedelta(hours=24)
    from ihospital.triage.models import TriageSession

    queries = {
        "patients": sa.select(sa.func.count(Patient.id)),
        "doctors_verified": sa.select(sa.func.count(Practitioner.id)).where(
            Practitioner.kind == "doctor", Practitioner.status == "verified"),
        "pharmacists_verified": sa.select(sa.func.count(Practitioner.id)).where(
            Practitioner.kind == "pharmacist", Practitioner.status == "verified"),
        "practitioners_pending": sa.select(sa.func.count(Practitioner.id)).where(Practitioner.status == "pending"),
        "departments": sa.select(sa.func.count(Department.id)),
        "audit_events_24h": sa.select(sa.func.count(AuditEvent.seq)).where(AuditEvent.occurred_at >= since),
        "access_denied_24h": sa.select(sa.func.count(AuditEvent.seq)).where(
            AuditEvent.occurred_at >= since, AuditEvent.outcome == "denied"),
        "triage_24h": sa.select(sa.func.count(TriageSession.id)).where(TriageSession.created_at >= since),
        "triage_emergency_24h": sa.select(sa.func.count(TriageSession.id)).where(
            TriageSession.created_at >= since, TriageSession.urgency == "emergency"),
        "feed_pending": sa.select(sa.func.count(OutboxEvent.seq)).where(OutboxEvent.delivered_at.is_(None)),
        "feed_received_24h": sa.select(sa.func.count(ReceivedFeedEvent.event_id)).where(
            ReceivedFeedEvent.received_at >= since),
    }
    counts = {name: int(await session.scalar(q) or 0) for name, q in queries.items()}
    audit.record(session, actor.who, "supervision.read", "supervision", "live_counts", purpose="supervision")
    return counts


async def received_feed(session: AsyncSession, actor: Actor, limit: int = 50) -> list[dict]:
    """What the (sandbox) provincial platform received: the regulator's view of the feed."""
    from ihospital.supervision.models import ReceivedFeedEvent

    await authorize(session, actor, SUPERVISION_READ, resource_type="supervision")
    rows = (await session.execute(sa.select(ReceivedFeedEvent).order_by(ReceivedFeedEvent.received_at.desc())
                                  .limit(limit))).scalars()
    return [{"type": r.event_type, "stream": r.stream[:8], "at": clock.format_local(r.received_at, "%m-%d %H:%M:%S"),
             "payload": r.payload} for r in rows]
