"""Routes of the security domain: registration, SMS codes, tokens, /me."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request

from ihospital.kernel.errors import Conflict, ValidationFailed
from ihospital.kernel.http import CurrentActor, Tx, client_ip
from ihospital.kernel.masking import mask_phone
from ihospital.kernel.runtime import database
from ihospital.kernel.settings import get_settings
from ihospital.security import service
from ihospital.security.crypto import blind_index
from ihospital.security.models import Account, OtpChallenge
from ihospital.security.schemas import MeOut, RegisterIn, SmsCodeIn, TokenIn, TokenOut

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post("/auth/sms-codes", status_code=202)
async def send_sms_code(body: SmsCodeIn, request: Request, session: Tx) -> dict:
    phone = service.phone_or_error(body.phone)
    exists = await service.account_by_phone(session, phone) is not None
    if body.purpose == "register" and exists:
        raise Conflict("auth.phone_taken", "该手机号已注册，请直接登录")
    if body.purpose == "login" and not exists:
        return {"sent": True}  # do not reveal whether the number is registered
    await service.request_sms_code(session, phone, purpose=body.purpose, ip=client_ip(request))
    return {"sent": True}


async def register_account(session: Tx, body: RegisterIn, ip: str | None) -> Account:
    phone = service.phone_or_error(body.phone)
    bidx = blind_index(phone, kind="phone")
    from ihospital.security.service import _consume_sms_code

    if not await _consume_sms_code(session, bidx, "register", body.sms_code):
        raise ValidationFailed("auth.sms_code_invalid", "短信验证码错误或已过期")
    return await service.create_account(session, phone=phone, role="patient", password=body.password,
                                        display_name=body.display_name)


@router.post("/auth/register", status_code=201)
async def register(body: RegisterIn, request: Request, session: Tx) -> MeOut:
    account = await register_account(session, body, client_ip(request))
    return MeOut(account_id=account.id, role=account.role, display_name=account.display_name,
                 phone_masked=mask_phone(account.phone), mfa_verified=False)


@router.post("/auth/token")
async def token(body: TokenIn, request: Request) -> TokenOut:
    if body.password is None and body.sms_code is None:
        raise ValidationFailed("auth.credentials_missing", "请输入密码或短信验证码")
    async with database().transaction() as session:  # commit failure counters even when login fails
        outcome = await service.login(session, phone=body.phone, password=body.password, sms_code=body.sms_code,
                                      totp_code=body.totp, kind="bearer", ip=client_ip(request))
    if outcome.error:
        raise outcome.error
    assert outcome.token and outcome.account
    return TokenOut(access_token=outcome.token, expires_in=get_settings().token_ttl_minutes * 60,
                    role=outcome.account.role)


@router.get("/me")
async def me(actor: CurrentActor, session: Tx) -> MeOut:
    row = (await session.execute(sa.select(Account.display_name, Account.phone)
                                 .where(Account.id == actor.account_id))).one()
    return MeOut(account_id=actor.account_id, role=actor.role, display_name=row.display_name,
                 phone_masked=mask_phone(row.phone), mfa_verified=actor.mfa_verified)


@router.post("/auth/logout", status_code=204)
async def logout_api(request: Request, actor: CurrentActor, session: Tx) -> None:
    from ihospital.security.models import AuthSession

    auth = await session.get(AuthSession, actor.session_id)
    if auth:
        await service.logout(session, auth)


# Re-exported for the dev page and tests that read codes from the SMS sandbox.
__all__ = ["router", "OtpChallenge"]
