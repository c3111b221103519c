"""Browser tests: register → log in → add a family member → see them; a staff login with TOTP."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pyotp
import pytest
from tests.factories import unique_phone, valid_id

from ihospital.demo import totp_secret_for
from ihospital.security.crypto import blind_index

pytestmark = pytest.mark.e2e
MOBILE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def sms_code(db_path: Path, phone: str) -> str:
    with sqlite3.connect(db_path) as conn:
        row = conn.execute("SELECT body FROM sandbox_sms WHERE phone_bidx = ? ORDER BY created_at DESC LIMIT 1",
                           (blind_index(phone, kind="phone"),)).fetchone()
    assert row, "no SMS recorded by the sandbox"
    return re.search(r"验证码(\d{6})", row[0]).group(1)  # type: ignore[union-attr]


async def test_register_login_add_family_member(live_server: dict, browser, artifacts: Path) -> None:  # noqa: ANN001
    context = await browser.new_context(**MOBILE)
    page = await context.new_page()
    base = live_server["base"]
    phone = unique_phone()
    await page.goto(f"{base}/register")
    await page.get_by_label("手机号").fill(phone)
    await page.get_by_role("button", name="获取验证码").click()
    await page.get_by_text("验证码已发送").wait_for()
    await page.get_by_label("短信验证码").fill(sms_code(live_server["db_path"], phone))
    await page.get_by_label("设置密码").fill("Browser@2026")
    await page.screenshot(path=str(artifacts / "01-register.png"), full_page=True)
    await page.get_by_role("button", name="注册并登录").click()
    await page.wait_for_url(f"{base}/patient")
    await page.get_by_text("还没有就诊人").wait_for()

    # Log out and back in with the password.
    await page.get_by_role("button", name="退出").click()
    await page.wait_for_url(f"{base}/login")
    await page.get_by_label("手机号").fill(phone)
    await page.get_by_label("密码").fill("Browser@2026")
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(f"{base}/patient")

    # Register oneself, then a child (guardian consent), and see both.
    await page.get_by_label("与您的关系").select_option("self")
    await page.get_by_label("真实姓名").fill("周明")
    await page.get_by_label("证件号码").fill(valid_id("19880808", "male"))
    await page.get_by_role("button", name="实名核验并添加").click()
    await page.get_by_text("已添加就诊人：周明").wait_for()
    await page.get_by_label("与您的关系").select_option("child")
    await page.get_by_label("真实姓名").fill("周小雨")
    await page.get_by_label("证件号码").fill(valid_id("20210505", "female"))
    await page.get_by_label("我是监护人").check()
    await page.get_by_role("button", name="实名核验并添加").click()
    await page.get_by_text("已添加就诊人：周小雨").wait_for()
    items = page.locator("#family-list li")
    assert await items.count() == 2
    text = await page.locator("#family-list").inner_text()
    assert "周明" in text and "周小雨" in text and "子女" in text
    assert "********" in text  # ID numbers are masked in the list
    await page.get_by_role("button", name="同意周小雨的健康信息处理").click()
    await page.get_by_text("已同意健康信息处理").first.wait_for()
    await page.screenshot(path=str(artifacts / "02-patient-family.png"), full_page=True)
    await context.close()


async def test_staff_login_with_totp(live_server: dict, browser, artifacts: Path) -> None:  # noqa: ANN001
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = await context.new_page()
    base = live_server["base"]
    await page.goto(f"{base}/login")
    await page.get_by_label("手机号").fill("13900000001")
    await page.get_by_label("密码").fill("Demo@2026")
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(f"{base}/login/totp")
    await page.get_by_label("动态验证码").fill(pyotp.TOTP(totp_secret_for("13900000001", 2026)).now())
    await page.get_by_role("button", name="验证").click()
    await page.wait_for_url(f"{base}/admin")
    await page.get_by_text("医务人员资质审核").wait_for()
    assert await page.get_by_text("待审核").count() >= 1  # the demo keeps one doctor pending
    await page.screenshot(path=str(artifacts / "03-admin.png"), full_page=True)
    await context.close()
