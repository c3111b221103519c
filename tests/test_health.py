"""Operational endpoints and the problem+json contract."""

from __future__ import annotations

import httpx


async def test_healthz_and_readyz_report_the_database(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    r = await client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["database"] in ("sqlite", "postgresql")


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert r.headers["x-request-id"] == "abc123"
    r = await client.get("/healthz")
    assert len(r.headers["x-request-id"]) == 16


async def test_unknown_route_is_problem_json_in_chinese(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/nope")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == "http.404" and body["detail"] == "请求的资源不存在"


async def test_openapi_lists_the_api(client: httpx.AsyncClient) -> None:
    r = await client.get("/openapi.json")
    paths = r.json()["paths"]
    assert "/api/v1/auth/token" in paths and "/api/v1/patients" in paths and "/api/v1/triage" in paths


async def test_the_transaction_commits_before_the_response_is_sent(client: httpx.AsyncClient) -> None:
    """A client that reads right after a 201 must see the write (no commit after the response)."""
    from tests.factories import make_patient, make_user

    user = await make_user(client)
    created = await make_patient(client, user)
    r = await client.get("/api/v1/patients", headers=user.headers)
    assert [p["id"] for p in r.json()] == [created["id"]]
