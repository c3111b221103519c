"""The audit trail: append-only and hash-chained (R-AUD-01, R-AUD-03, R-AUD-05).

Services call :func:`record` inside their transaction; the events are chained and inserted just
before commit, under a lock (PostgreSQL advisory lock; SQLite's write lock), so the chain stays
linear across app processes while the lock is held only for the last moments of a transaction.
A rolled-back use case leaves no audit row; denials are written in a transaction of their own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from ihospital.kernel import clock
from ihospital.kernel.db import AUDIT_PENDING_KEY
from ihospital.kernel.ids import new_id
from ihospital.kernel.logging import request_id_var
from ihospital.security.models import AuditEvent

GENESIS = "0" * 64
_PENDING = AUDIT_PENDING_KEY
_ADVISORY_KEY = 0x1A0D17  # arbitrary constant naming the audit-chain lock


@dataclass
class Who:
    account_id: str | None
    role: str
    ip: str | None = None


def record(session: AsyncSession, who: Who, action: str, resource_type: str, resource_id: str | None = None,
           *, patient_id: str | None = None, purpose: str = "care", outcome: str = "success",
           detail: dict[str, Any] | None = None) -> None:
    session.sync_session.info.setdefault(_PENDING, []).append(
        make_event(who, action, resource_type, resource_id, patient_id=patient_id, purpose=purpose, outcome=outcome,
              detail=detail))


def make_event(who: Who, action: str, resource_type: str, resource_id: str | None = None, *,
          patient_id: str | None = None, purpose: str = "care", outcome: str = "success",
          detail: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": new_id(),
        "occurred_at": clock.now(),
        "actor_account_id": who.account_id,
        "actor_role": who.role,
        "action": action,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "patient_id": patient_id,
        "purpose": purpose,
        "outcome": outcome,
        "request_id": request_id_var.get(),
        "ip": who.ip,
        "detail": detail or {},
    }


def canonical(row: dict[str, Any]) -> bytes:
    fields = {k: row[k] for k in (
        "seq", "id", "occurred_at", "actor_account_id", "actor_role", "action", "resource_type",
        "resource_id", "patient_id", "purpose", "outcome", "request_id", "ip", "detail", "prev_hash")}
    fields["occurred_at"] = fields["occurred_at"].isoformat(timespec="microseconds")
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(row: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


@event.listens_for(Session, "before_commit")
def _seal_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})
    head = conn.execute(sa.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev = (head[0], head[1]) if head else (0, GENESIS)
    rows = []
    for item in pending:
        seq += 1
        row = {**item, "seq": seq, "prev_hash": prev}
        row["hash"] = prev = chain_hash(row)
        rows.append(row)
    conn.execute(sa.insert(AuditEvent), rows)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def verify(session: AsyncSession, batch: int = 5000) -> VerifyReport:
    """Walk the chain: an edited row breaks its hash, an inserted or deleted one breaks the links."""
    report = VerifyReport()
    prev, expected_seq, last = GENESIS, 1, 0
    cols = [c for c in AuditEvent.__table__.columns]
    while True:
        result = await session.execute(
            sa.select(*cols).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch))
        rows = [dict(r._mapping) for r in result]
        if not rows:
            break
        for row in rows:
            report.checked += 1
            if row["seq"] != expected_seq:
                report.problems.append(f"seq {expected_seq}..{row['seq'] - 1}: missing (deleted rows)")
            if row["prev_hash"] != prev:
                report.problems.append(f"seq {row['seq']}: link broken (row inserted, deleted or reordered)")
            if chain_hash(row) != row["hash"]:
                report.problems.append(f"seq {row['seq']}: content does not match its hash (row edited)")
            prev, expected_seq, last = row["hash"], row["seq"] + 1, row["seq"]
    return report
