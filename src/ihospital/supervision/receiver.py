"""The sandbox provincial regulator: receives signed feed events like the real platform would.

Mounted in the app for the demo and usable as its own ASGI app (``receiver_app``) for fault tests where the
regulator goes down and comes back. Idempotent by event id; acknowledges duplicates with 200.
"""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from ihospital.kernel import clock
from ihospital.kernel.runtime import database
from ihospital.kernel.settings import get_settings
from ihospital.supervision.models import ReceivedFeedEvent
from ihospital.supervision.signing import verify

router = APIRouter(include_in_schema=False)


@router.post("/sandbox/regulator/events")
async def receive(request: Request) -> JSONResponse:
    body = await request.body()
    ts = request.headers.get("x-ihospital-timestamp", "")
    if not verify(get_settings().regulator_feed_secret, ts, body, request.headers.get("x-ihospital-signature", "")):
        return JSONResponse({"code": "regulator.bad_signature", "detail": "签名验证失败"}, status_code=401)
    import json

    event = json.loads(body)
    async with database().transaction() as session:
        existing = await session.get(ReceivedFeedEvent, event["event_id"])
        if existing:
            existing.deliveries += 1
            return JSONResponse({"ack": event["event_id"], "duplicate": True})
        session.add(ReceivedFeedEvent(event_id=event["event_id"], event_type=event["event_type"],
                                      stream=event["stream"], stream_seq=event["seq"], payload=event["payload"],
                                      received_at=clock.now()))
    return JSONResponse({"ack": event["event_id"]})


async def received(limit: int = 100) -> list[ReceivedFeedEvent]:
    async with database().transaction() as session:
        return list((await session.execute(sa.select(ReceivedFeedEvent)
                                           .order_by(ReceivedFeedEvent.received_at.desc()).limit(limit))).scalars())


def receiver_app() -> FastAPI:
    app = FastAPI(title="sandbox regulator")
    app.include_router(router)
    return app
