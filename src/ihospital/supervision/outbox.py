"""Write reportable events to the outbox in the caller's transaction (R-REG-01, R-REG-03).

Event types (the minimum data set of R-REG-03): consultation.started, consultation.ended, record.signed,
prescription.signed, prescription.reviewed, drugs.dispensed, drugs.delivered, order.refunded,
practitioner.verified. Payloads carry ids and codes, never names, phones or ID numbers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ihospital.kernel import clock
from ihospital.kernel.ids import new_id
from ihospital.kernel.masking import mask_text
from ihospital.supervision.models import OutboxEvent

EVENT_TYPES = frozenset({
    "consultation.started", "consultation.ended", "record.signed", "prescription.signed",
    "prescription.reviewed", "drugs.dispensed", "drugs.delivered", "order.refunded", "practitioner.verified",
})


def emit(session: AsyncSession, event_type: str, *, consultation_id: str | None = None,
         payload: dict[str, Any] | None = None) -> str:
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown reportable event {event_type!r}")
    event_id = new_id()
    now = clock.now()
    body = {k: mask_text(v) if isinstance(v, str) else v for k, v in (payload or {}).items()}
    if consultation_id:
        body.setdefault("consultation_id", consultation_id)
    session.add(OutboxEvent(id=event_id, event_type=event_type, stream=consultation_id or event_id, payload=body,
                            occurred_at=now, next_attempt_at=now, attempts=0))
    return event_id
