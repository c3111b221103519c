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
    }
    counts = {name: int(await session.scalar(q) or 0) for name, q in queries.items()}
    audit.record(session, actor.who, "supervision.read", "supervision", "live_counts", purpose="supervision")
    return counts
