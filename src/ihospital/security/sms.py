"""SMS gateway adapter. Production wires a carrier's API; the sandbox keeps messages in a table."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from ihospital.security.crypto import blind_index
from ihospital.security.models import SandboxSms


class SmsSender(Protocol):
    async def send(self, session: AsyncSession, phone: str, body: str) -> None: ...


class SandboxSmsSender:
    """Records each message in ``sandbox_sms`` in the caller's transaction (read by the demo and tests)."""

    async def send(self, session: AsyncSession, phone: str, body: str) -> None:
        session.add(SandboxSms(phone=phone, phone_bidx=blind_index(phone, kind="phone"), body=body))


_sender: SmsSender = SandboxSmsSender()


def sender() -> SmsSender:
    return _sender


def set_sender(value: SmsSender) -> None:
    global _sender
    _sender = value
