"""Authenticated ``GET /api/v1/me`` against the bare ``/healthz`` endpoint, same app, same run.

Two views: (1) in-process — the ASGI app driven directly, so the figure is the server's own cost per request;
(2) over loopback HTTP with a uvicorn server (bounded by the Python client on this 2-core machine).
Run: ``.venv/bin/python bench/me_bench.py`` (SQLite, and PostgreSQL when it answers on 127.0.0.1:5432).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _server import postgres_up, server, throwaway_database  # noqa: E402

CONCURRENCY = 16
SECONDS = 3.0


async def asgi_get(app, path: str, headers: list[tuple[bytes, bytes]]) -> int:  # noqa: ANN001
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"bench"), *headers], "client": ("127.0.0.1", 1), "server": ("bench", 80)}
    status = 0

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def in_process(url: str) -> None:
    os.environ["IHOSPITAL_DATABASE_URL"] = url
    from ihospital.app import create_app
    from ihospital.kernel.db import Database

    db = Database(url)
    app = create_app(db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as c:
        r = await c.post("/api/v1/auth/token", json={"phone": "13700000001", "password": "Demo@2026"})
        bearer = [(b"authorization", f"Bearer {r.json()['access_token']}".encode())]

    async def run(path: str, headers: list) -> tuple[float, float]:
        lat: list[float] = []
        stop = time.perf_counter() + SECONDS

        async def worker() -> None:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                assert await asgi_get(app, path, headers) == 200
                lat.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return len(lat) / (time.perf_counter() - t0), statistics.quantiles(lat, n=100)[98] * 1000

    await run("/healthz", [])
    bare = await run("/healthz", [])
    me = await run("/api/v1/me", bearer)
    await db.dispose()
    return bare, me


async def over_http(base: str) -> tuple[float, float]:
    async with httpx.AsyncClient(base_url=base) as c:
        r = await c.post("/api/v1/auth/token", json={"phone": "13700000001", "password": "Demo@2026"})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)

    async def run(path: str, h: dict) -> float:
        n = 0
        stop = time.perf_counter() + SECONDS
        async with httpx.AsyncClient(base_url=base, headers=h, limits=limits) as client:
            async def worker() -> None:
                nonlocal n
                while time.perf_counter() < stop:
                    assert (await client.get(path)).status_code == 200
                    n += 1
            t0 = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
            return n / (time.perf_counter() - t0)

    return await run("/healthz", {}), await run("/api/v1/me", headers)


def main() -> None:
    kinds = ["sqlite"] + (["postgres"] if postgres_up() else [])
    for kind in kinds:
        with tempfile.TemporaryDirectory() as tmp, throwaway_database(kind, tmp) as url, server(url) as base:
            (bare_rps, bare_p99), (me_rps, me_p99) = asyncio.run(in_process(url))
            print(f"[{kind}] in-process: bare /healthz {bare_rps:7.0f} req/s (p99 {bare_p99:.1f} ms), "
                  f"GET /api/v1/me {me_rps:6.0f} req/s (p99 {me_p99:.1f} ms) → ratio me/bare {me_rps / bare_rps:.2f}")
            h_bare, h_me = asyncio.run(over_http(base))
            print(f"[{kind}] loopback HTTP (client-bound): bare {h_bare:6.0f} req/s, /me {h_me:6.0f} req/s "
                  f"→ ratio {h_me / h_bare:.2f}")


if __name__ == "__main__":
    main()
