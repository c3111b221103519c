"""Input and output shapes of the security domain."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class RegisterIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    phone: str = Field(min_length=11, max_length=20)
    password: str = Field(min_length=1, max_length=128)
    sms_code: str = Field(pattern=r"^\d{6}$")
    display_name: str = Field(default="", max_length=30)


class SmsCodeIn(BaseModel):
    phone: str = Field(min_length=11, max_length=20)
    purpose: Literal["login", "register"] = "login"


class TokenIn(BaseModel):
    """Password or SMS code; staff add their TOTP code (R-SEC-02)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    phone: str = Field(min_length=11, max_length=20)
    password: str | None = Field(default=None, max_length=128)
    sms_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    totp: str | None = Field(default=None, pattern=r"^\d{6}$")


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: str


class MeOut(BaseModel):
    account_id: str
    role: str
    display_name: str
    phone_masked: str
    mfa_verified: bool
