"""Use cases of the security domain: accounts, passwords, SMS codes, TOTP, sessions (R-SEC-02)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ihospital.identity.documents import DocumentError, normalize_phone
from ihospital.kernel import clock
from ihospital.kernel.errors import Conflict, DomainError, NotAuthenticated, ValidationFailed
from ihospital.kernel.settings import get_settings
from ihospital.security import audit, passwords, sms
from ihospital.security.crypto import blind_index
from ihospital.security.models import ROLES, STAFF_ROLES, Account, AuthSession, OtpChallenge
from ihospital.security.permissions import Actor
from ihospital.security.ratelimit import limiter


def phone_or_error(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except DocumentError as exc:
        raise ValidationFailed(exc.code, exc.detail) from exc


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def account_by_phone(session: AsyncSession, phone: str) -> Account | None:
    return await session.scalar(sa.select(Account).where(Account.phone_bidx == blind_index(phone, kind="phone")))


async def create_account(session: AsyncSession, *, phone: str, role: str, password: str | None,
                         display_name: str = "", totp_secret: str | None = None,
                         who: audit.Who | None = None) -> Account:
    phone = phone_or_error(phone)
    if role not in ROLES:
        raise ValidationFailed("auth.role_unknown", "未知的账号角色")
    if await account_by_phone(session, phone):
        raise Conflict("auth.phone_taken", "该手机号已注册，请直接登录")
    if role in STAFF_ROLES and not totp_secret:
        totp_secret = pyotp.random_base32()
    account = Account(phone=phone, phone_bidx=blind_index(phone, kind="phone"), role=role,
                      display_name=display_name, password_hash=passwords.hash_password(password) if password else None,
                      totp_secret=totp_secret, totp_enabled=bool(totp_secret))
    session.add(account)
    await session.flush()
    audit.record(session, who or audit.Who(account.id, role), "account.create", "account", account.id,
                 purpose="registration")
    return account


# --- SMS one-time codes -------------------------------------------------------------------------

async def request_sms_code(session: AsyncSession, raw_phone: str, *, purpose: str, ip: str | None) -> None:
    phone = phone_or_error(raw_phone)
    bidx = blind_index(phone, kind="phone")
    await limiter().hit(f"sms:{bidx}", ip)
    code = f"{secrets.randbelow(1_000_000):06d}"
    ttl = get_settings().sms_code_ttl_seconds
    session.add(OtpChallenge(phone_bidx=bidx, purpose=purpose, code_hash=_sha256(f"{bidx}:{code}"),
                             expires_at=clock.now() + timedelta(seconds=ttl)))
    await sms.sender().send(session, phone, f"【示范互联网医院】验证码{code}，{ttl // 60}分钟内有效。请勿泄露给他人。")


async def _consume_sms_code(session: AsyncSession, bidx: str, purpose: str, code: str) -> bool:
    challenge = await session.scalar(
        sa.select(OtpChallenge).where(OtpChallenge.phone_bidx == bidx, OtpChallenge.purpose == purpose,
                                      OtpChallenge.consumed_at.is_(None))
        .order_by(OtpChallenge.created_at.desc()).limit(1))
    if challenge is None or challenge.expires_at < clock.now() or challenge.attempts >= 5:
        return False
    challenge.attempts += 1
    if not hmac.compare_digest(challenge.code_hash, _sha256(f"{bidx}:{code.strip()}")):
        return False
    challenge.consumed_at = clock.now()
    return True


# --- Login --------------------------------------------------------------------------------------

@dataclass
class LoginOutcome:
    """Failure state must be committed even when login fails, so the API raises ``error`` afterwards."""

    account: Account | None = None
    token: str | None = None
    csrf_token: str | None = None
    mfa_required: bool = False
    error: DomainError | None = None


def _locked_error(account: Account) -> DomainError:
    return DomainError("auth.locked", "登录失败次数过多，账号已临时锁定，请15分钟后再试", status=423,
                       rule="R-SEC-02")


async def login(session: AsyncSession, *, phone: str, password: str | None = None, sms_code: str | None = None,
                totp_code: str | None = None, kind: str = "cookie", ip: str | None = None) -> LoginOutcome:
    phone = phone_or_error(phone)
    bidx = blind_index(phone, kind="phone")
    await limiter().hit(f"login:{bidx}", ip)
    account = await session.scalar(sa.select(Account).where(Account.phone_bidx == bidx))
    now = clock.now()
    bad = NotAuthenticated("auth.invalid_credentials", "手机号或密码（验证码）错误", rule="R-SEC-02")
    if account is None:
        passwords.verify_password(None, password or "")  # same work as a real check
        return LoginOutcome(error=bad)
    who = audit.Who(account.id, account.role, ip)
    if account.status != "active":
        return LoginOutcome(error=NotAuthenticated("auth.disabled", "账号已停用"))
    if account.locked_until and account.locked_until > now:
        audit.record(session, who, "auth.login", "account", account.id, purpose="authentication", outcome="denied",
                     detail={"reason": "locked"})
        return LoginOutcome(error=_locked_error(account))
    if password is not None:
        ok = passwords.verify_password(account.password_hash, password)
    elif sms_code is not None:
        ok = await _consume_sms_code(session, bidx, "login", sms_code)
    else:
        ok = False
    if not ok:
        settings = get_settings()
        account.failed_logins += 1
        if account.failed_logins >= settings.login_max_failures:
            account.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            account.failed_logins = 0
            audit.record(session, who, "auth.lockout", "account", account.id, purpose="authentication",
                         outcome="failure")
            return LoginOutcome(error=_locked_error(account))
        audit.record(session, who, "auth.login", "account", account.id, purpose="authentication", outcome="failure")
        return LoginOutcome(error=bad)
    mfa_ok = False
    if account.role in STAFF_ROLES:
        # Staff need a second, cryptographic factor (R-SEC-02). API clients send it with the token request.
        if totp_code is not None:
            if not check_totp(account, totp_code):
                account.failed_logins += 1
                audit.record(session, who, "auth.totp", "account", account.id, purpose="authentication",
                             outcome="failure")
                return LoginOutcome(error=NotAuthenticated("auth.totp_invalid", "动态验证码错误", rule="R-SEC-02"))
            mfa_ok = True
        elif kind == "bearer":
            return LoginOutcome(error=NotAuthenticated("auth.totp_required", "工作人员登录需要动态验证码",
                                                       rule="R-SEC-02"))
    account.failed_logins = 0
    account.last_login_at = now
    token, csrf = await _open_session(session, account, kind=kind, mfa=mfa_ok)
    audit.record(session, who, "auth.login", "account", account.id, purpose="authentication")
    return LoginOutcome(account=account, token=token, csrf_token=csrf,
                        mfa_required=account.role in STAFF_ROLES and not mfa_ok)


def check_totp(account: Account, code: str) -> bool:
    if not account.totp_secret:
        return False
    totp = pyotp.TOTP(account.totp_secret)
    now = clock.now()
    code = code.strip()
    for drift in (0, -1, 1):
        at = now + timedelta(seconds=30 * drift)
        step = totp.timecode(at)
        if step > account.totp_last_step and hmac.compare_digest(totp.at(at), code):
            account.totp_last_step = step
            return True
    return False


async def verify_second_factor(session: AsyncSession, auth: AuthSession, account: Account, code: str,
                               ip: str | None) -> DomainError | None:
    who = audit.Who(account.id, account.role, ip)
    if check_totp(account, code):
        auth.mfa_verified = True
        audit.record(session, who, "auth.totp", "account", account.id, purpose="authentication")
        return None
    account.failed_logins += 1
    if account.failed_logins >= get_settings().login_max_failures:
        account.locked_until = clock.now() + timedelta(minutes=get_settings().lockout_minutes)
        account.failed_logins = 0
        auth.revoked_at = clock.now()
    audit.record(session, who, "auth.totp", "account", account.id, purpose="authentication", outcome="failure")
    return NotAuthenticated("auth.totp_invalid", "动态验证码错误", rule="R-SEC-02")


async def _open_session(session: AsyncSession, account: Account, *, kind: str, mfa: bool) -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    settings = get_settings()
    ttl = timedelta(minutes=settings.token_ttl_minutes)
    session.add(AuthSession(token_hash=_sha256(token), account_id=account.id, kind=kind, csrf_token=csrf,
                            mfa_verified=mfa, expires_at=clock.now() + ttl))
    return token, csrf


@dataclass(frozen=True)
class SessionInfo:
    id: str
    csrf_token: str


_RESOLVE = sa.select(AuthSession.id, AuthSession.account_id, AuthSession.csrf_token, AuthSession.mfa_verified,
                     AuthSession.last_seen_at, AuthSession.expires_at, AuthSession.revoked_at, Account.role,
                     Account.status).join(Account, Account.id == AuthSession.account_id)


async def resolve_token(session: AsyncSession, token: str, *, kind: str, ip: str | None = None
                        ) -> tuple[Actor, SessionInfo]:
    """Hot path: one indexed query of plain columns (no ORM entities), a write at most once a minute."""
    row = (await session.execute(_RESOLVE.where(AuthSession.token_hash == _sha256(token),
                                                AuthSession.kind == kind))).first()
    now = clock.now()
    if row is None:
        raise NotAuthenticated("auth.required", "请先登录")
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    if (row.revoked_at is not None or row.expires_at <= now or row.status != "active"
            or (kind == "cookie" and row.last_seen_at + idle <= now)):
        raise NotAuthenticated("auth.session_expired", "登录已过期，请重新登录", rule="R-SEC-02")
    if now - row.last_seen_at > timedelta(seconds=60):  # coarse, so reads don't write every request
        await session.execute(sa.update(AuthSession).where(AuthSession.id == row.id).values(last_seen_at=now))
    actor = Actor(row.account_id, row.role, mfa_verified=row.mfa_verified, session_id=row.id, ip=ip)
    return actor, SessionInfo(row.id, row.csrf_token)


async def load_session(session: AsyncSession, token: str, *, kind: str, ip: str | None = None
                       ) -> tuple[Actor, AuthSession]:
    """For the few flows that change the session itself (second factor, logout)."""
    actor, info = await resolve_token(session, token, kind=kind, ip=ip)
    auth = await session.get(AuthSession, info.id)
    assert auth is not None
    return actor, auth


async def logout(session: AsyncSession, auth: AuthSession) -> None:
    auth.revoked_at = clock.now()
