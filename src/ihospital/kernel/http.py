"""HTTP plumbing shared by every domain's routes: problem+json, request ids, the unit of work, actors."""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ihospital.kernel.errors import DomainError, Forbidden, NotAuthenticated
from ihospital.kernel.logging import request_id_var
from ihospital.kernel.runtime import database
from ihospital.security.permissions import Actor

log = logging.getLogger("ihospital.http")
PROBLEM = "application/problem+json"
SESSION_COOKIE = "ihs_session"
CSRF_COOKIE = "ihs_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_FIELD_NAMES = {"phone": "手机号", "password": "密码", "real_name": "姓名", "doc_number": "证件号码",
                "birth_date": "出生日期", "text": "描述", "age": "年龄", "sex": "性别"}


def problem_response(body: dict, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        if exc.status >= 500:
            log.error("domain error", extra={"code": exc.code})
        return problem_response(exc.problem(str(request.url.path)), exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "type": e.get("type"), "msg": e.get("msg")}
                  for e in exc.errors()]
        fields = [str(e["loc"][-1]) for e in errors if e["loc"]]
        named = "、".join(dict.fromkeys(_FIELD_NAMES.get(f, f) for f in fields)) or "请求内容"
        body = DomainError("request.invalid", f"请检查以下内容：{named}").problem(str(request.url.path))
        body.update(status=422, title="Unprocessable Content", errors=errors)
        return problem_response(body, 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = {404: "请求的资源不存在", 405: "不支持该请求方法"}.get(exc.status_code, "请求无法处理")
        body = DomainError(f"http.{exc.status_code}", detail, status=exc.status_code).problem(str(request.url.path))
        return problem_response(body, exc.status_code, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error")
        body = DomainError("server.error", "服务器内部错误，请稍后重试", status=500).problem(str(request.url.path))
        return problem_response(body, 500)


class RequestIdMiddleware:
    """Pure ASGI (BaseHTTPMiddleware costs a task per request): sets the id for logs and echoes it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = (Headers(scope=scope).get("x-request-id") or secrets.token_hex(8))[:64]
        token = request_id_var.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("X-Request-ID", rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


async def unit_of_work() -> AsyncIterator[AsyncSession]:
    """One transaction per request-level use case; an exception rolls everything back."""
    async with database().transaction() as session:
        yield session


# scope="function": commit before the response is sent, so a client never sees a success that then rolls back.
Tx = Annotated[AsyncSession, Depends(unit_of_work, scope="function")]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def _resolve_actor(request: Request, session: AsyncSession) -> Actor | None:
    from ihospital.security.service import resolve_token

    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        actor, _ = await resolve_token(session, header[7:].strip(), kind="bearer", ip=client_ip(request))
        return actor
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        actor, auth = await resolve_token(session, cookie, kind="cookie", ip=client_ip(request))
        if request.method not in SAFE_METHODS:
            # CSRF: a write through the cookie must echo the session's token (header or form field).
            sent = request.headers.get("x-csrf-token") or (await _form_csrf(request))
            if not sent or not hmac.compare_digest(sent, auth.csrf_token):
                raise Forbidden("auth.csrf_failed", "页面已过期，请刷新后重试")
        request.state.csrf_token = auth.csrf_token
        return actor
    return None


async def _form_csrf(request: Request) -> str | None:
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def optional_actor(request: Request, session: Tx) -> Actor | None:
    try:
        return await _resolve_actor(request, session)
    except NotAuthenticated:
        return None


async def current_actor(request: Request, session: Tx) -> Actor:
    actor = await _resolve_actor(request, session)
    if actor is None:
        raise NotAuthenticated("auth.required", "请先登录")
    if actor.role != "patient" and not actor.mfa_verified:
        raise NotAuthenticated("auth.mfa_required", "请完成动态验证码验证", rule="R-SEC-02")
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]
