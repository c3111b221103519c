"""Routes of the triage domain."""

from __future__ import annotations

from fastapi import APIRouter

from ihospital.kernel.http import OptionalActor, Tx
from ihospital.triage import service
from ihospital.triage.schemas import TriageIn, TriageOut

router = APIRouter(prefix="/api/v1", tags=["triage"])


@router.post("/triage")
async def triage(body: TriageIn, actor: OptionalActor, session: Tx) -> TriageOut:
    """AI triage (智能导诊): urgency, red flags and ranked departments. AI assistance, not a diagnosis."""
    return await service.run_triage(session, actor, body)
