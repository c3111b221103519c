"""Masked display of identity numbers, phones and addresses (lists, logs, pages)."""

from __future__ import annotations

import re

# An 18-character ID (last may be X) or an 11-digit mainland mobile number, not inside longer digit runs.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_id_number(value: str | None) -> str:
    """``110105194912310021`` → ``110105********0021``; other documents keep 2 + 2 characters."""
    if not value:
        return ""
    if len(value) == 18:
        return value[:6] + "*" * 8 + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    return value[:2] + "*" * max(len(value) - 4, 0) + value[-2:]


def mask_address(value: str | None) -> str:
    """Keep the first six characters (province/city), hide the rest."""
    if not value:
        return ""
    return value[:6] + "****"


def mask_text(text: str) -> str:
    """Mask every identity number and phone found in free text (log lines)."""
    text = _ID_RE.sub(lambda m: m.group(1) + "*" * 8 + m.group(3)[-4:], text)
    return _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
