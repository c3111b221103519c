"""Routes for regulators: live aggregate counts."""

from __future__ import annotations

from fastapi import APIRouter

from ihospital.kernel.http import CurrentActor, Tx
from ihospital.supervision import service

router = APIRouter(prefix="/api/v1/supervision", tags=["supervision"])


@router.get("/counts")
async def counts(actor: CurrentActor, session: Tx) -> dict[str, int]:
    return await service.live_counts(session, actor)
