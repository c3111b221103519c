"""Test fixtures: a fresh database per backend (SQLite always, PostgreSQL when it answers or is
required), migrated with Alembic, and the ASGI app over httpx."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

os.environ.setdefault("IHOSPITAL_ENV", "test")
os.environ.setdefault("IHOSPITAL_LOG_JSON", "true")
os.environ.setdefault("IHOSPITAL_LOGIN_IP_RATE_PER_MINUTE", "100000")

from ihospital.kernel import clock  # noqa: E402
from ihospital.kernel.db import Database  # noqa: E402
from ihospital.kernel.migrate import upgrade  # noqa: E402
from ihospital.kernel.runtime import set_database  # noqa: E402
from ihospital.security.ratelimit import reset_limiter  # noqa: E402

PG_ADMIN_URL = os.environ.get("IHOSPITAL_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("IHOSPITAL_REQUIRE_POSTGRES") == "1"


def postgres_available() -> bool:
    if os.environ.get("IHOSPITAL_TEST_DATABASE_URL"):
        return True
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def _pg_url(dbname: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{dbname}"


async def _pg_admin(sql: str) -> None:
    import asyncpg

    dsn = PG_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database for the whole session, per backend; dropped afterwards."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "test.db"
        url = f"sqlite+aiosqlite:///{path}"
        upgrade(url)
        yield url
        return
    if not postgres_available():
        if REQUIRE_PG:
            pytest.fail("PostgreSQL is required (CI) but does not answer on 127.0.0.1:5432")
        pytest.skip("PostgreSQL not available")
    name = f"ihs_test_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = _pg_url(name)
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    set_database(database)
    yield database
    await database.dispose()
    set_database(None)


@pytest.fixture(scope="session")
def app(db: Database):  # noqa: ANN201
    from ihospital.app import create_app

    return create_app(db)


@pytest.fixture
async def client(app, db: Database) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    set_database(db)  # the other backend's session fixture may have run in between
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture(autouse=True)
def _fresh_limits_and_clock() -> Iterator[None]:
    reset_limiter()
    clock.reset()
    yield
    clock.reset()
