"""Server-rendered pages (Jinja2 + htmx). They call the same services as the API; no rules live here."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ihospital.kernel.errors import DomainError, NotAuthenticated
from ihospital.kernel.http import CSRF_COOKIE, SESSION_COOKIE, OptionalActor, Tx, client_ip
from ihospital.kernel.masking import mask_phone
from ihospital.kernel.runtime import database
from ihospital.kernel.settings import get_settings
from ihospital.security import service as security
from ihospital.security.models import Account, AuthSession, SandboxSms
from ihospital.security.schemas import RegisterIn
from ihospital.web.render import HOME_URLS, page

router = APIRouter(include_in_schema=False)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _set_session_cookie(response: Response, token: str) -> None:
    s = get_settings()
    response.set_cookie(SESSION_COOKIE, token, httponly=True, secure=s.cookie_secure, samesite="lax",
                        max_age=s.token_ttl_minutes * 60, path="/")


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, actor: OptionalActor) -> Response:
    if actor:
        return _redirect(HOME_URLS[actor.role] if actor.role == "patient" or actor.mfa_verified else "/login/totp")
    return page(request, "index.html", title="首页")


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, mode: str = "password") -> Response:
    return page(request, "login.html", title="登录", mode=mode)


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    form = await request.form()
    mode = str(form.get("mode") or "password")
    phone = str(form.get("phone") or "")
    try:
        async with database().transaction() as session:
            outcome = await security.login(
                session, phone=phone, password=str(form.get("password") or "") if mode != "sms" else None,
                sms_code=str(form.get("sms_code") or "") if mode == "sms" else None, kind="cookie",
                ip=client_ip(request))
    except DomainError as exc:
        outcome = security.LoginOutcome(error=exc)
    if outcome.error:
        return page(request, "login.html", title="登录", mode=mode, error=outcome.error.detail,
                    form={"phone": phone}, status_code=outcome.error.status)
    assert outcome.token and outcome.account
    target = "/login/totp" if outcome.mfa_required else HOME_URLS[outcome.account.role]
    response = _redirect(target)
    _set_session_cookie(response, outcome.token)
    return response


@router.post("/login/sms-code", response_class=HTMLResponse)
@router.post("/register/sms-code", response_class=HTMLResponse)
async def sms_code(request: Request, session: Tx) -> Response:
    form = await request.form()
    purpose = "register" if request.url.path.startswith("/register") else "login"
    try:
        phone = security.phone_or_error(str(form.get("phone") or ""))
        exists = await security.account_by_phone(session, phone) is not None
        if purpose == "register" and exists:
            raise DomainError("auth.phone_taken", "该手机号已注册，请直接登录", status=409)
        if purpose == "register" or exists:
            await security.request_sms_code(session, phone, purpose=purpose, ip=client_ip(request))
    except DomainError as exc:
        return page(request, "sms_status.html", error=exc.detail)
    return page(request, "sms_status.html", sandbox=not get_settings().is_production)


async def _cookie_session(request: Request, session: Tx) -> tuple[AuthSession, Account]:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotAuthenticated("auth.required", "请先登录")
    _, auth = await security.load_session(session, token, kind="cookie", ip=client_ip(request))
    account = await session.get(Account, auth.account_id)
    assert account is not None
    request.state.csrf_token = auth.csrf_token
    return auth, account


@router.get("/login/totp", response_class=HTMLResponse)
async def totp_form(request: Request, session: Tx) -> Response:
    try:
        await _cookie_session(request, session)
    except NotAuthenticated:
        return _redirect("/login")
    return page(request, "login_totp.html", title="二次验证")


@router.post("/login/totp", response_class=HTMLResponse)
async def totp_submit(request: Request) -> Response:
    form = await request.form()
    async with database().transaction() as session:
        try:
            auth, account = await _cookie_session(request, session)
        except NotAuthenticated:
            return _redirect("/login")
        if str(form.get("csrf_token") or "") != auth.csrf_token:
            return _redirect("/login")
        error = await security.verify_second_factor(session, auth, account, str(form.get("totp") or ""),
                                                    client_ip(request))
    if error:
        return page(request, "login_totp.html", title="二次验证", error=error.detail, status_code=401)
    return _redirect(HOME_URLS[account.role])


@router.get("/register", response_class=HTMLResponse)
async def register_form(request: Request) -> Response:
    return page(request, "register.html", title="注册")


@router.post("/register", response_class=HTMLResponse)
async def register_submit(request: Request) -> Response:
    from ihospital.security.api import register_account

    form = await request.form()
    data = {k: str(form.get(k) or "") for k in ("phone", "password", "sms_code", "display_name")}
    try:
        body = RegisterIn(**data)
        async with database().transaction() as session:
            await register_account(session, body, client_ip(request))
            outcome = await security.login(session, phone=body.phone, password=body.password, kind="cookie",
                                           ip=client_ip(request))
    except DomainError as exc:
        return page(request, "register.html", title="注册", error=exc.detail, form=data, status_code=exc.status)
    except ValueError:
        return page(request, "register.html", title="注册", error="请填写手机号、6位短信验证码和密码", form=data,
                    status_code=422)
    if outcome.error or not outcome.token:
        return _redirect("/login")
    response = _redirect("/patient")
    _set_session_cookie(response, outcome.token)
    return response


@router.post("/logout")
async def logout(request: Request, session: Tx) -> Response:
    try:
        auth, _ = await _cookie_session(request, session)
        await security.logout(session, auth)
    except NotAuthenticated:
        pass
    response = _redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/triage", response_class=HTMLResponse)
async def triage_page(request: Request, actor: OptionalActor, session: Tx) -> Response:
    from ihospital.identity.service import list_family

    family = await list_family(session, actor) if actor and actor.role == "patient" else []
    return page(request, "triage.html", actor, title="智能导诊", family=family)


@router.post("/triage/ask", response_class=HTMLResponse)
async def triage_ask(request: Request, actor: OptionalActor, session: Tx) -> Response:
    from pydantic import ValidationError

    from ihospital.identity.models import Department
    from ihospital.triage.schemas import TriageIn
    from ihospital.triage.service import run_triage
    from ihospital.web.render import attempt

    form = await request.form()
    text = str(form.get("text") or "").strip()
    said = text.rsplit("，", 1)[-1] if text else ""
    try:
        data = TriageIn(text=text, age=float(form.get("age") or -1), sex=str(form.get("sex") or ""),
                        pregnant=bool(form.get("pregnant")) or None, patient_id=str(form.get("patient_id") or "") or None)
    except (ValidationError, ValueError):
        return page(request, "triage_turn.html", actor, said=said, error="请填写症状描述（至少2个字）、年龄（0–120）和性别")
    result, error = await attempt(session, lambda: run_triage(session, actor, data))
    if error:
        return page(request, "triage_turn.html", actor, said=said, error=error.detail)
    online = set((await session.scalars(sa.select(Department.code).where(Department.online_enabled))).all())
    shown = result.model_dump()
    for d in shown["departments"]:
        d["online"] = d["code"] in online
    return page(request, "triage_turn.html", actor, said=said, result=shown)


@router.get("/privacy", response_class=HTMLResponse)
@router.get("/privacy/children", response_class=HTMLResponse)
async def privacy(request: Request, actor: OptionalActor) -> Response:
    """The published processing rules (R-PIPL-03) and the separate rules for children (R-PIPL-04)."""
    from ihospital.identity.service import CONSENT_TEXTS

    if request.url.path.endswith("children"):
        sections = [("适用范围", "本规则适用于本院处理未满十四周岁儿童的个人信息。"),
                    ("监护人同意", CONSENT_TEXTS["guardian_child_pi"]),
                    ("最少必要", "仅收集就诊必需的身份、健康信息；不用于营销；监护人可随时查阅、更正、撤回同意。")]
        return page(request, "privacy.html", actor, title="儿童个人信息处理规则", heading="儿童个人信息处理规则",
                    sections=sections)
    sections = [("健康医疗信息（单独同意）", CONSENT_TEXTS["health_data"]),
                ("互联网诊疗知情同意", CONSENT_TEXTS["online_care"]),
                ("处理的必要性与影响", "健康信息是提供诊疗服务所必需；拒绝同意将无法使用在线复诊，但不影响导诊、科普等服务。")]
    return page(request, "privacy.html", actor, title="个人信息处理规则", heading="个人信息处理规则", sections=sections)


@router.get("/dev/sms", response_class=HTMLResponse)
async def dev_sms(request: Request, session: Tx) -> Response:
    if get_settings().is_production:
        return page(request, "dev_sms.html", status_code=404, error="生产环境不提供短信沙箱")
    rows = (await session.execute(sa.select(SandboxSms).order_by(SandboxSms.created_at.desc()).limit(50))).scalars()
    from ihospital.kernel.clock import format_local

    messages = [{"time": format_local(m.created_at, "%m-%d %H:%M:%S"), "phone": mask_phone(m.phone), "body": m.body}
                for m in rows]
    return page(request, "dev_sms.html", title="短信沙箱", messages=messages)


from ihospital.web import role_pages  # noqa: E402  (registers the role pages on the same router)

router.include_router(role_pages.router)
