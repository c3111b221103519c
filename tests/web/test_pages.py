"""Server-rendered pages: login, CSRF on cookie writes, role homes, the patient family page."""

from __future__ import annotations

import re

import httpx
import pyotp
from tests.factories import PASSWORD, make_user, valid_id


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def page_login(client: httpx.AsyncClient, phone: str) -> None:
    r = await client.post("/login", data={"mode": "password", "phone": phone, "password": PASSWORD})
    assert r.status_code == 303, r.text


async def test_login_page_renders_in_chinese(client: httpx.AsyncClient) -> None:
    r = await client.get("/login")
    assert r.status_code == 200 and "密码登录" in r.text and 'lang="zh-CN"' in r.text


async def test_wrong_password_re_renders_with_error_and_keeps_phone(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    r = await client.post("/login", data={"mode": "password", "phone": user.phone, "password": "Wrong@pw12"})
    assert r.status_code == 401 and "手机号或密码" in r.text and user.phone in r.text


async def test_patient_adds_family_member_through_the_page_with_csrf(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    await page_login(client, user.phone)
    r = await client.get("/patient")
    assert r.status_code == 200 and "还没有就诊人" in r.text
    token = csrf_of(r.text)
    form = {"real_name": "赵六", "doc_type": "cn_id", "doc_number": valid_id(), "relationship": "self"}
    r = await client.post("/patient/family", data=form)  # no CSRF token: refused
    assert r.status_code == 403
    r = await client.post("/patient/family", data={**form, "csrf_token": token})
    assert r.status_code == 200 and "已添加就诊人：赵六" in r.text and "赵六" in r.text
    # Bad input keeps the form and shows a Chinese error; nothing is added.
    bad = {**form, "real_name": "钱七", "relationship": "spouse", "doc_number": "110105199001011234", "csrf_token": token}
    r = await client.post("/patient/family", data=bad)
    assert r.status_code == 422 and "校验位" in r.text and "钱七" in r.text
    assert r.text.count("badge ok\">已实名") == 1


async def test_staff_page_login_requires_totp(client: httpx.AsyncClient) -> None:
    admin = await make_user(client, "admin")
    r = await client.post("/login", data={"mode": "password", "phone": admin.phone, "password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/login/totp"
    r = await client.get("/admin")
    assert r.status_code == 303 and r.headers["location"] == "/login/totp"
    r = await client.get("/login/totp")
    token = csrf_of(r.text)
    r = await client.post("/login/totp", data={"totp": "123456", "csrf_token": token})
    assert r.status_code == 401 and "动态验证码错误" in r.text
    import datetime as dt

    from ihospital.kernel import clock

    clock.advance(dt.timedelta(seconds=90))
    code = pyotp.TOTP(admin.totp_secret).at(clock.now())
    r = await client.post("/login/totp", data={"totp": code, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/admin"
    r = await client.get("/admin")
    assert r.status_code == 200 and "医务人员资质审核" in r.text


async def test_patient_cannot_open_admin_page(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    await page_login(client, user.phone)
    r = await client.get("/admin")
    assert r.status_code == 403 and "无权访问" in r.text


async def test_regulator_page_shows_counts_and_the_received_feed(client: httpx.AsyncClient) -> None:
    import datetime as dt

    from ihospital.kernel import clock

    regulator = await make_user(client, "regulator")
    await client.post("/login", data={"mode": "password", "phone": regulator.phone, "password": PASSWORD})
    token = csrf_of((await client.get("/login/totp")).text)
    clock.advance(dt.timedelta(seconds=90))
    await client.post("/login/totp", data={"totp": pyotp.TOTP(regulator.totp_secret).at(clock.now()), "csrf_token": token})
    r = await client.get("/regulator")
    assert r.status_code == 200 and "监管看板" in r.text and "监管平台接收的上报事件" in r.text
    assert r.text.count("监管平台接收的上报事件") == 1
    assert 'data-count="patients"' in r.text
