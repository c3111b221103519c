"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from ihospital import __version__
from ihospital.kernel.db import Database
from ihospital.kernel.http import RequestIdMiddleware, install_error_handlers, problem_response
from ihospital.kernel.logging import configure_logging
from ihospital.kernel.runtime import database, set_database
from ihospital.kernel.settings import get_settings
from ihospital.security import crypto

STATIC = Path(__file__).parent / "web" / "static"


def create_app(db: Database | None = None) -> FastAPI:
    settings = get_settings()
    configure_logging(json_logs=settings.log_json)
    crypto.configure(crypto.keyring_from_settings(settings))  # fail fast on bad key configuration
    if db is not None:
        set_database(db)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler = None
        if settings.jobs:
            import ihospital.supervision.jobs  # noqa: F401 - registers the feed relay
            from ihospital.kernel.jobs import start_scheduler

            scheduler = start_scheduler()
        yield
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if db is None:
            await database().dispose()

    app = FastAPI(title="ihospital 互联网医院 API", version=__version__, lifespan=lifespan,
                  docs_url="/docs", openapi_url="/openapi.json")
    app.add_middleware(RequestIdMiddleware)
    install_error_handlers(app)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict:
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", tags=["ops"])
    async def readyz() -> JSONResponse:
        try:
            await database().ping()
        except Exception:  # noqa: BLE001 - any failure means not ready
            return problem_response({"type": "about:blank", "title": "Service Unavailable", "status": 503,
                                     "code": "ops.database_unavailable", "detail": "数据库不可用"}, 503)
        return JSONResponse({"status": "ready", "database": database().dialect})

    from ihospital.identity.api import router as identity_router
    from ihospital.security.api import router as security_router
    from ihospital.supervision.api import router as supervision_router
    from ihospital.supervision.receiver import router as regulator_sandbox_router
    from ihospital.triage.api import router as triage_router
    from ihospital.web.pages import router as pages_router

    for router in (security_router, identity_router, supervision_router, triage_router, pages_router):
        app.include_router(router)
    if not settings.is_production:
        app.include_router(regulator_sandbox_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
