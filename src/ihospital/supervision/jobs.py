"""The regulator-feed relay as a periodic job."""

from __future__ import annotations

import httpx

from ihospital.kernel.jobs import periodic
from ihospital.kernel.runtime import database
from ihospital.kernel.settings import get_settings
from ihospital.supervision.relay import relay_once

_client: httpx.AsyncClient | None = None


def feed_url() -> str:
    s = get_settings()
    return s.regulator_feed_url or f"http://{s.host}:{s.port}/sandbox/regulator/events"


@periodic("regulator-feed-relay", seconds=2.0)
async def relay_job() -> None:
    global _client
    if _client is None:
        _client = httpx.AsyncClient()
    await relay_once(database(), _client, url=feed_url())
