"""Template rendering shared by every page: the Jinja environment and the common context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse

from ihospital.kernel import clock
from ihospital.kernel.db import AUDIT_PENDING_KEY
from ihospital.kernel.errors import DomainError
from ihospital.kernel.settings import get_settings
from ihospital.security.permissions import Actor

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.filters["local_time"] = clock.format_local

ROLE_NAMES = {"patient": "患者", "doctor": "医生", "pharmacist": "药师", "admin": "管理员", "regulator": "监管"}
HOME_URLS = {"patient": "/patient", "doctor": "/doctor", "pharmacist": "/pharmacist", "admin": "/admin",
             "regulator": "/regulator"}

T = TypeVar("T")


def page(request: Request, name: str, actor: Actor | None = None, status_code: int = 200,
         **context: Any) -> HTMLResponse:
    settings = get_settings()
    base = {
        "actor": actor,
        "csrf_token": getattr(request.state, "csrf_token", None),
        "role_names": ROLE_NAMES,
        "home_url": HOME_URLS.get(actor.role, "/") if actor else "/",
        "institution": settings.institution_name,
        "licence_no": settings.institution_licence_no,
        "form": {},
    }
    base.update(context)
    return templates.TemplateResponse(request, name, base, status_code=status_code)


async def attempt(session: AsyncSession, action: Callable[[], Awaitable[T]]) -> tuple[T | None, DomainError | None]:
    """Run a use case inside a savepoint so a refused form leaves nothing half-written."""
    info = session.sync_session.info
    before = list(info.get(AUDIT_PENDING_KEY, []))
    try:
        async with session.begin_nested():
            return await action(), None
    except DomainError as exc:
        # Events of the undone work go; evidence such as a denial stays and commits with the outer transaction.
        info[AUDIT_PENDING_KEY] = before + exc.deferred_audit
        return None, exc
