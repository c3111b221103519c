"""Field encryption (AES-256-GCM with a key id) and the HMAC blind index.

Ciphertext format: ``v1:<kid>:<base64(nonce || ciphertext+tag)>``. The first configured key encrypts;
every configured key decrypts, so keys rotate by adding a new key first and running
``ihospital keys rotate`` (re-encrypts every row under the newest key).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ihospital.kernel.settings import Settings, get_settings


class KeyConfigError(RuntimeError):
    pass


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]  # kid -> 32-byte key
    current: str
    blind_key: bytes

    def encrypt(self, plaintext: str, *, aad: bytes = b"") -> str:
        nonce = os.urandom(12)
        ct = AESGCM(self.keys[self.current]).encrypt(nonce, plaintext.encode(), aad or None)
        return f"v1:{self.current}:{base64.b64encode(nonce + ct).decode()}"

    def decrypt(self, token: str, *, aad: bytes = b"") -> str:
        try:
            version, kid, body = token.split(":", 2)
        except ValueError as exc:
            raise KeyConfigError("malformed ciphertext") from exc
        if version != "v1" or kid not in self.keys:
            raise KeyConfigError(f"unknown key id {kid!r}")
        raw = base64.b64decode(body)
        return AESGCM(self.keys[kid]).decrypt(raw[:12], raw[12:], aad or None).decode()

    @staticmethod
    def key_id_of(token: str) -> str:
        return token.split(":", 2)[1]

    def blind_index(self, value: str, *, kind: str) -> str:
        """Deterministic keyed digest for exact lookup; ``kind`` separates domains (phone vs id)."""
        msg = f"{kind}:{value.strip().upper()}".encode()
        return hmac.new(self.blind_key, msg, hashlib.sha256).hexdigest()[:40]


def generate_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _parse_keys(spec: str) -> list[tuple[str, bytes]]:
    pairs = []
    for part in filter(None, (p.strip() for p in spec.replace("\n", ",").split(","))):
        if part.startswith("#"):
            continue
        kid, _, b64 = part.partition(":")
        try:
            key = base64.b64decode(b64, validate=True)
        except ValueError:
            key = b""
        if len(key) != 32 or not kid:
            raise KeyConfigError(f"field key {kid!r} must be 32 bytes, base64-encoded, as kid:key")
        pairs.append((kid, key))
    return pairs


def keyring_from_settings(settings: Settings) -> Keyring:
    spec = settings.field_keys
    if not spec and settings.key_file:
        spec = Path(settings.key_file).read_text()
    pairs = _parse_keys(spec) if spec else []
    blind = settings.blind_index_key.encode() if settings.blind_index_key else b""
    if not pairs:
        if settings.is_production:
            raise KeyConfigError("IHOSPITAL_FIELD_KEYS or IHOSPITAL_KEY_FILE is required in production")
        # Development and tests: a key derived from the secret so demo data stays readable.
        pairs = [("dev1", hashlib.sha256(b"field:" + settings.secret_key.encode()).digest())]
    if not blind:
        if settings.is_production:
            raise KeyConfigError("IHOSPITAL_BLIND_INDEX_KEY is required in production")
        blind = hashlib.sha256(b"blind:" + settings.secret_key.encode()).digest()
    return Keyring(keys=dict(pairs), current=pairs[0][0], blind_key=blind)


_keyring: Keyring | None = None


def keyring() -> Keyring:
    global _keyring
    if _keyring is None:
        _keyring = keyring_from_settings(get_settings())
    return _keyring


def configure(ring: Keyring | None) -> None:
    global _keyring
    _keyring = ring


def blind_index(value: str, *, kind: str) -> str:
    return keyring().blind_index(value, kind=kind)


class Encrypted(sa.types.TypeDecorator):
    """A string column stored encrypted at rest; the ORM sees plaintext."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else keyring().encrypt(str(value))

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else keyring().decrypt(value)
