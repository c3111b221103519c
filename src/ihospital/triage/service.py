"""Triage use cases: run the engine, keep the session (R-AI-08), expose the booking check (R-SCOPE-05)."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy.ext.asyncio import AsyncSession

from ihospital.kernel.errors import NotFound, ValidationFailed
from ihospital.security import audit
from ihospital.security.permissions import PROFILE_READ, Actor, authorize
from ihospital.triage.models import TriageSession
from ihospital.triage.schemas import TriageIn, TriageOut

EMERGENCY_ADVICE = "您描述的情况可能危及生命，请立即拨打120或前往最近医院急诊科就医，不要等待线上问诊。"


def _engine():  # noqa: ANN202 - the engine is loaded once per process and kept in memory
    from ihospital.triage.engine import load_engine

    return load_engine()


async def run_triage(session: AsyncSession, actor: Actor | None, data: TriageIn) -> TriageOut:
    if data.patient_id:
        if actor is None:
            raise ValidationFailed("triage.login_required", "为就诊人导诊请先登录")
        await authorize(session, actor, PROFILE_READ, patient_id=data.patient_id)
    engine = _engine()
    result = engine.triage(data.text, data.age, data.sex, data.pregnant)
    payload = {"text": data.text, "age": data.age, "sex": data.sex, "pregnant": data.pregnant}
    digest = hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    record = TriageSession(account_id=actor.account_id if actor else None, patient_id=data.patient_id,
                           input=payload, input_sha256=digest, output=result, engine_version=engine.version,
                           urgency=result["urgency"], red_flag=bool(result["red_flags"]))
    session.add(record)
    await session.flush()
    who = actor.who if actor else audit.Who(None, "anonymous")
    # R-SCOPE-05: the red flag and the advice shown are logged.
    audit.record(session, who, "triage.run", "triage_session", record.id, patient_id=data.patient_id,
                 purpose="triage", detail={"urgency": result["urgency"],
                                           "red_flags": [f.get("code") for f in result["red_flags"]],
                                           "advice": EMERGENCY_ADVICE if result["urgency"] == "emergency" else None})
    emergency = result["urgency"] == "emergency"
    return TriageOut(session_id=record.id, engine_version=engine.version, urgency=result["urgency"],
                     red_flags=result["red_flags"], symptoms=result["symptoms"],
                     departments=result["departments"], questions=result.get("questions", []),
                     booking_allowed=not emergency, emergency_advice=EMERGENCY_ADVICE if emergency else None)


async def ensure_booking_allowed(session: AsyncSession, triage_session_id: str | None) -> None:
    """The hook for scheduling: a red-flag triage result cannot be booked online (R-SCOPE-05)."""
    if triage_session_id is None:
        return
    record = await session.get(TriageSession, triage_session_id)
    if record is None:
        raise NotFound("triage.session_not_found", "导诊记录不存在")
    if record.urgency == "emergency":
        raise ValidationFailed("triage.emergency_not_bookable", EMERGENCY_ADVICE, rule="R-SCOPE-05")
