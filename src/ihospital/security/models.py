"""Tables of the security domain: accounts, sessions, one-time codes, audit trail, care relationships."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ihospital.kernel import clock
from ihospital.kernel.db import Base, IdMixin, TimestampMixin, UTCDateTime
from ihospital.kernel.ids import new_id
from ihospital.security.crypto import Encrypted

ROLES = ("patient", "doctor", "pharmacist", "admin", "regulator")
STAFF_ROLES = frozenset({"doctor", "pharmacist", "admin", "regulator"})


class Account(IdMixin, TimestampMixin, Base):
    __tablename__ = "accounts"

    phone: Mapped[str] = mapped_column(Encrypted(), nullable=False)
    phone_bidx: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    role: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    display_name: Mapped[str] = mapped_column(sa.String(64), nullable=False, default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    totp_secret: Mapped[str | None] = mapped_column(Encrypted())
    totp_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    totp_last_step: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)  # no replay
    status: Mapped[str] = mapped_column(sa.String(16), default="active", nullable=False)
    failed_logins: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (sa.CheckConstraint(f"role IN {ROLES!r}", name="role_known"),)


class AuthSession(IdMixin, Base):
    """A login: a page cookie or an API bearer token. Only the token's SHA-256 is stored."""

    __tablename__ = "auth_sessions"

    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"), index=True, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(8), nullable=False)  # cookie | bearer
    csrf_token: Mapped[str] = mapped_column(sa.String(64), nullable=False, default="")
    mfa_verified: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OtpChallenge(IdMixin, Base):
    """An SMS one-time code awaiting use; only its hash is kept."""

    __tablename__ = "otp_challenges"

    phone_bidx: Mapped[str] = mapped_column(sa.String(40), index=True, nullable=False)
    purpose: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # login | register
    code_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SandboxSms(IdMixin, Base):
    """What the development SMS gateway 'sent', so the demo and tests can read codes."""

    __tablename__ = "sandbox_sms"

    phone: Mapped[str] = mapped_column(Encrypted(), nullable=False)
    phone_bidx: Mapped[str] = mapped_column(sa.String(40), index=True, nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)


class AuditEvent(Base):
    """Append-only, hash-chained audit trail (R-AUD-01, R-AUD-03)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                                     autoincrement=False)
    id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_id, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor_account_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    actor_role: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    action: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    resource_type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    resource_id: Mapped[str | None] = mapped_column(sa.String(64))
    patient_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    outcome: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # success | denied | failure
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, nullable=False)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)


class CareRelationship(IdMixin, Base):
    """A doctor may read a patient's chart only while one of these is active (R-AUD-05)."""

    __tablename__ = "care_relationships"

    practitioner_account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"), nullable=False)
    patient_id: Mapped[str] = mapped_column(sa.ForeignKey("patients.id"), nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(24), nullable=False)  # consultation | follow_up | referral
    source_id: Mapped[str | None] = mapped_column(sa.String(36))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (sa.Index("ix_care_rel_lookup", "practitioner_account_id", "patient_id"),)
