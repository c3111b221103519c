"""Field encryption, key rotation, blind index and masking."""

from __future__ import annotations

import base64
import logging

import pytest
from cryptography.exceptions import InvalidTag

from ihospital.kernel.logging import MaskingJsonFormatter
from ihospital.kernel.masking import mask_id_number, mask_phone, mask_text
from ihospital.kernel.settings import Settings
from ihospital.security.crypto import KeyConfigError, Keyring, generate_key, keyring_from_settings


def ring(*kids: str) -> Keyring:
    return Keyring({k: base64.b64decode(generate_key()) for k in kids}, kids[0], b"b" * 32)


def test_round_trip_and_key_id_in_ciphertext() -> None:
    r = ring("k1")
    token = r.encrypt("110105194912310021")
    assert token.startswith("v1:k1:") and "110105" not in token
    assert r.decrypt(token) == "110105194912310021"
    assert r.encrypt("x") != r.encrypt("x")  # random nonce


def test_tampered_ciphertext_fails() -> None:
    r = ring("k1")
    token = r.encrypt("13812345678")
    raw = bytearray(base64.b64decode(token.split(":", 2)[2]))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        r.decrypt("v1:k1:" + base64.b64encode(bytes(raw)).decode())


def test_rotation_old_ciphertext_still_readable_new_writes_use_new_key() -> None:
    old = ring("k1")
    token = old.encrypt("secret")
    rotated = Keyring({"k2": base64.b64decode(generate_key()), **old.keys}, "k2", old.blind_key)
    assert rotated.decrypt(token) == "secret"
    assert rotated.encrypt("secret").startswith("v1:k2:")
    with pytest.raises(KeyConfigError):
        ring("k3").decrypt(token)


def test_blind_index_is_deterministic_keyed_and_separated_by_kind() -> None:
    r = ring("k1")
    assert r.blind_index("13812345678", kind="phone") == r.blind_index("13812345678", kind="phone")
    assert r.blind_index("13812345678", kind="phone") != r.blind_index("13812345678", kind="doc")
    other = Keyring(r.keys, "k1", b"c" * 32)
    assert other.blind_index("13812345678", kind="phone") != r.blind_index("13812345678", kind="phone")


def test_keys_from_settings_and_production_requires_them() -> None:
    key = generate_key()
    r = keyring_from_settings(Settings(field_keys=f"new:{key},old:{generate_key()}", blind_index_key="x" * 32))
    assert r.current == "new" and set(r.keys) == {"new", "old"}
    with pytest.raises(KeyConfigError):
        keyring_from_settings(Settings(env="production"))
    with pytest.raises(KeyConfigError):
        keyring_from_settings(Settings(field_keys="bad:short"))


def test_masking_formats() -> None:
    assert mask_id_number("110105194912310021") == "110105********0021"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_text("身份证110105194912310021 电话13812345678") == "身份证110105********0021 电话138****5678"


def test_log_lines_never_carry_identity_numbers_or_phones() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "login 13812345678 id 11010519491231002X", None, None)
    record.extra_field = {"phone": "13900001111"}
    line = MaskingJsonFormatter().format(record)
    assert "13812345678" not in line and "13900001111" not in line and "19491231002X" not in line
    assert "138****5678" in line and "110105********002X" in line
