"""Real-name verification adapter (R-ID-01, R-ID-03).

Production wires an authoritative check (公安 two-factor, 医保电子凭证, carrier real-name or face
match). The sandbox behaves like such a provider: it answers match / mismatch with a reference
that can be shown to an auditor, and treats a few documented names as mismatches for demos/tests.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ihospital.kernel import clock
from ihospital.kernel.settings import get_settings


@dataclass(frozen=True)
class VerificationResult:
    matched: bool
    method: str
    provider: str
    reference: str
    at: datetime


class IdentityVerifier(Protocol):
    async def verify(self, *, real_name: str, doc_type: str, doc_number: str) -> VerificationResult: ...


SANDBOX_MISMATCH_NAMES = frozenset({"冒名者", "不匹配"})


class SandboxIdentityVerifier:
    provider = "sandbox-公安二要素"

    async def verify(self, *, real_name: str, doc_type: str, doc_number: str) -> VerificationResult:
        digest = hmac.new(get_settings().secret_key.encode(), f"{real_name}|{doc_type}|{doc_number}".encode(),
                          hashlib.sha256).hexdigest()[:20]
        return VerificationResult(matched=real_name not in SANDBOX_MISMATCH_NAMES, method="id_two_factor",
                                  provider=self.provider, reference=f"SBX-{digest}", at=clock.now())


_verifier: IdentityVerifier = SandboxIdentityVerifier()


def verifier() -> IdentityVerifier:
    return _verifier


def set_verifier(value: IdentityVerifier) -> None:
    global _verifier
    _verifier = value
