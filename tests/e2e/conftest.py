"""Browser-test fixtures: a real server process on a free port and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
REQUIRE_BROWSER = os.environ.get("IHOSPITAL_REQUIRE_BROWSER") == "1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The app as users get it: migrated SQLite, demo data, uvicorn on a free port."""
    db_path = tmp_path_factory.mktemp("e2e") / "e2e.db"
    port = free_port()
    env = {**os.environ, "IHOSPITAL_DATABASE_URL": f"sqlite+aiosqlite:///{db_path}", "IHOSPITAL_PORT": str(port),
           "IHOSPITAL_ENV": "development", "IHOSPITAL_LOG_JSON": "true"}
    cli = [sys.executable, "-m", "ihospital.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "demo", "load", "--quiet"], env=env, check=True, capture_output=True)
    log = open(tmp_path_factory.mktemp("e2e-log") / "server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("server did not start")
    yield {"base": base, "db_path": db_path, "env": env}
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 - one stat at session start
        if REQUIRE_BROWSER:
            pytest.fail(f"browser tests are required but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip("Debian chromium not installed")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        await b.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
