"""Shared helpers for benchmarks: a throwaway database and a real uvicorn server on loopback."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

PG_ADMIN = os.environ.get("IHOSPITAL_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


async def _pg(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def throwaway_database(kind: str, tmpdir: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmpdir}/bench.db"
        return
    name = f"ihs_bench_{secrets.token_hex(4)}"
    asyncio.run(_pg(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def server(database_url: str, *, demo: bool = True, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "IHOSPITAL_DATABASE_URL": database_url, "IHOSPITAL_LOG_JSON": "true",
           "IHOSPITAL_LOGIN_IP_RATE_PER_MINUTE": "1000000", **(extra_env or {})}
    cli = [sys.executable, "-m", "ihospital.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    if demo:
        subprocess.run([*cli, "demo", "load", "--quiet"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
