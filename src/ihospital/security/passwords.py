"""argon2id password hashing and the password policy (R-SEC-02)."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ihospital.kernel.errors import ValidationFailed

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 defaults
# A constant hash to verify against when the account does not exist, so timing does not tell.
_DUMMY = _hasher.hash("not-a-real-password-0")


def hash_password(password: str) -> str:
    check_policy(password)
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def check_policy(password: str) -> None:
    if len(password) < 8 or len(password) > 128:
        raise ValidationFailed("auth.password_weak", "密码长度应为8到128位", rule="R-SEC-02")
    classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if classes < 2:
        raise ValidationFailed("auth.password_weak", "密码须至少包含字母、数字、符号中的两类", rule="R-SEC-02")
