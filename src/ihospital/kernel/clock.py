"""An injectable clock: all code asks ``now()`` so tests can move time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_offset = timedelta(0)


def now() -> datetime:
    """Timezone-aware UTC now, shifted by the test offset."""
    return datetime.now(UTC) + _offset


def advance(delta: timedelta) -> None:
    """Move the clock forward (tests only)."""
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = timedelta(0)


def to_shanghai(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHANGHAI)


def format_local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    local = to_shanghai(value)
    return local.strftime(fmt) if local else ""
