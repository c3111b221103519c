"""Periodic background jobs on APScheduler (in-process scheduler; the state they act on is in the database,
so every sweep is idempotent and several app processes may run them side by side)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("ihospital.jobs")

JobFn = Callable[[], Awaitable[object]]
_registry: dict[str, tuple[JobFn, float]] = {}


def periodic(name: str, seconds: float) -> Callable[[JobFn], JobFn]:
    """Register a periodic job; domains call this at import time."""

    def decorator(fn: JobFn) -> JobFn:
        _registry[name] = (fn, seconds)
        return fn

    return decorator


def registered() -> dict[str, tuple[JobFn, float]]:
    return dict(_registry)


def start_scheduler() -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    for name, (fn, seconds) in _registry.items():
        async def run(fn: JobFn = fn, name: str = name) -> None:
            try:
                await fn()
            except Exception:  # noqa: BLE001 - a failing sweep must not stop the scheduler
                log.exception("job failed", extra={"job": name})

        scheduler.add_job(run, "interval", seconds=seconds, id=name, max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler
