"""Login rate limits with the ``limits`` library: Redis when configured (shared by all app
processes), in-memory otherwise. The lockout after repeated failures lives in the database."""

from __future__ import annotations

from limits import parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from ihospital.kernel.errors import TooManyRequests
from ihospital.kernel.settings import get_settings


class LoginLimiter:
    def __init__(self, redis_url: str | None, per_minute: int, per_ip_minute: int) -> None:
        url = f"async+{redis_url}" if redis_url else "async+memory://"
        storage: Storage = storage_from_string(url)  # type: ignore[assignment]
        self.limiter = MovingWindowRateLimiter(storage)
        self.rate = parse(f"{per_minute}/minute")
        self.ip_rate = parse(f"{per_ip_minute}/minute")

    async def hit(self, key: str, ip: str | None = None) -> None:
        """One attempt against a phone number (and the client address, more generously)."""
        checks = [(self.rate, key)] + ([(self.ip_rate, f"ip:{ip}")] if ip else [])
        for rate, item in checks:
            if not await self.limiter.hit(rate, "login", item):
                raise TooManyRequests("auth.rate_limited", "操作过于频繁，请稍后再试", rule="R-SEC-02")


_limiter: LoginLimiter | None = None


def limiter() -> LoginLimiter:
    global _limiter
    if _limiter is None:
        s = get_settings()
        _limiter = LoginLimiter(s.redis_url, s.login_rate_per_minute, s.login_ip_rate_per_minute)
    return _limiter


def reset_limiter(value: LoginLimiter | None = None) -> None:
    global _limiter
    _limiter = value
