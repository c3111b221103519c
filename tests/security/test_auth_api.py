"""Accounts, SMS codes, tokens, lockout, rate limits and TOTP over the API (R-SEC-02)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pyotp
import sqlalchemy as sa
from tests.factories import PASSWORD, make_user, unique_phone

from ihospital.kernel import clock
from ihospital.kernel.runtime import database
from ihospital.security.crypto import blind_index
from ihospital.security.models import Account, SandboxSms


async def latest_code(phone: str) -> str:
    async with database().transaction() as s:
        body = await s.scalar(sa.select(SandboxSms.body).where(SandboxSms.phone_bidx == blind_index(phone, kind="phone"))
                              .order_by(SandboxSms.created_at.desc()).limit(1))
    assert body, "no SMS in the sandbox"
    return re.search(r"验证码(\d{6})", body).group(1)  # type: ignore[union-attr]


async def account_count() -> int:
    async with database().transaction() as s:
        return int(await s.scalar(sa.select(sa.func.count(Account.id))) or 0)


async def test_register_with_sms_code_then_token_then_me(client: httpx.AsyncClient) -> None:
    phone = unique_phone()
    r = await client.post("/api/v1/auth/sms-codes", json={"phone": phone, "purpose": "register"})
    assert r.status_code == 202
    code = await latest_code(phone)
    r = await client.post("/api/v1/auth/register", json={"phone": phone, "password": PASSWORD, "sms_code": code})
    assert r.status_code == 201, r.text
    assert r.json()["phone_masked"] == phone[:3] + "****" + phone[-4:]
    r = await client.post("/api/v1/auth/token", json={"phone": phone, "password": PASSWORD})
    token = r.json()["access_token"]
    r = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["role"] == "patient"
    # The code is single-use.
    r = await client.post("/api/v1/auth/register", json={"phone": phone, "password": PASSWORD, "sms_code": code})
    assert r.status_code == 422 and r.json()["code"] == "auth.sms_code_invalid"


async def test_sms_code_login(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    await client.post("/api/v1/auth/sms-codes", json={"phone": user.phone, "purpose": "login"})
    code = await latest_code(user.phone)
    r = await client.post("/api/v1/auth/token", json={"phone": user.phone, "sms_code": code})
    assert r.status_code == 200
    r = await client.post("/api/v1/auth/token", json={"phone": user.phone, "sms_code": code})
    assert r.status_code == 401  # consumed


async def test_bad_registration_input_is_problem_json_and_writes_nothing(client: httpx.AsyncClient) -> None:
    before = await account_count()
    for body, code in [
        ({"phone": "12345", "password": PASSWORD, "sms_code": "123456"}, "request.invalid"),
        ({"phone": "19912345678", "password": PASSWORD, "sms_code": "12"}, "request.invalid"),
        ({"phone": "19912345678", "password": PASSWORD, "sms_code": "123456"}, "auth.sms_code_invalid"),
        ({"phone": "1991234567x", "password": PASSWORD, "sms_code": "123456"}, "identity.phone_invalid"),
    ]:
        r = await client.post("/api/v1/auth/register", json=body)
        assert r.status_code in (400, 422), r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == code and r.json()["detail"]
    assert await account_count() == before


async def test_weak_password_rejected_and_nothing_written(client: httpx.AsyncClient) -> None:
    phone = unique_phone()
    await client.post("/api/v1/auth/sms-codes", json={"phone": phone, "purpose": "register"})
    code = await latest_code(phone)
    before = await account_count()
    r = await client.post("/api/v1/auth/register", json={"phone": phone, "password": "12345678", "sms_code": code})
    assert r.status_code == 422 and r.json()["code"] == "auth.password_weak" and r.json()["rule"] == "R-SEC-02"
    assert await account_count() == before
    # The failed attempt rolled back the code's consumption too: it still works.
    r = await client.post("/api/v1/auth/register", json={"phone": phone, "password": PASSWORD, "sms_code": code})
    assert r.status_code == 201


async def test_r_sec_02_lockout_after_repeated_failures(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    for _ in range(4):
        r = await client.post("/api/v1/auth/token", json={"phone": user.phone, "password": "Wrong@pass1"})
        assert r.status_code == 401 and r.json()["code"] == "auth.invalid_credentials"
    r = await client.post("/api/v1/auth/token", json={"phone": user.phone, "password": "Wrong@pass1"})
    assert r.status_code == 423 and r.json()["code"] == "auth.locked"
    # Even the right password is refused while locked, and works again after the lockout.
    r = await client.post("/api/v1/auth/token", json={"phone": user.phone, "password": PASSWORD})
    assert r.status_code == 423
    clock.advance(timedelta(minutes=16))
    r = await client.post("/api/v1/auth/token", json={"phone": user.phone, "password": PASSWORD})
    assert r.status_code == 200


async def test_r_sec_02_rate_limit_per_phone(client: httpx.AsyncClient) -> None:
    phone = unique_phone()  # not registered: no lockout, only the rate limit applies
    statuses = [(await client.post("/api/v1/auth/token", json={"phone": phone, "password": "x"})).status_code
                for _ in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


async def test_r_sec_02_staff_token_needs_totp(client: httpx.AsyncClient) -> None:
    admin = await make_user(client, "admin")
    r = await client.post("/api/v1/auth/token", json={"phone": admin.phone, "password": PASSWORD})
    assert r.status_code == 401 and r.json()["code"] == "auth.totp_required"
    r = await client.post("/api/v1/auth/token", json={"phone": admin.phone, "password": PASSWORD, "totp": "000000"})
    assert r.status_code == 401 and r.json()["code"] == "auth.totp_invalid"
    clock.advance(timedelta(seconds=60))  # a fresh time step (codes are single-use)
    code = pyotp.TOTP(admin.totp_secret).at(clock.now())
    r = await client.post("/api/v1/auth/token", json={"phone": admin.phone, "password": PASSWORD, "totp": code})
    assert r.status_code == 200 and r.json()["role"] == "admin"
    # The same code cannot be replayed.
    r = await client.post("/api/v1/auth/token", json={"phone": admin.phone, "password": PASSWORD, "totp": code})
    assert r.status_code == 401


async def test_invalid_and_revoked_tokens(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["code"] == "auth.required"
    user = await make_user(client)
    r = await client.post("/api/v1/auth/logout", headers=user.headers)
    assert r.status_code == 204
    r = await client.get("/api/v1/me", headers=user.headers)
    assert r.status_code == 401 and r.json()["code"] == "auth.session_expired"


async def test_phone_is_encrypted_at_rest(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    async with database().transaction() as s:
        raw = await s.scalar(sa.text("SELECT phone FROM accounts WHERE id = :id"), {"id": user.account_id})
    assert raw.startswith("v1:") and user.phone not in raw
