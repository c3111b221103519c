"""Triage sessions: every AI triage result is kept with its input and engine version (R-AI-08)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ihospital.kernel import clock
from ihospital.kernel.db import Base, IdMixin, UTCDateTime


class TriageSession(IdMixin, Base):
    __tablename__ = "triage_sessions"

    account_id: Mapped[str | None] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    patient_id: Mapped[str | None] = mapped_column(sa.ForeignKey("patients.id"), index=True)
    input: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    input_sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    output: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    engine_version: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    urgency: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    red_flag: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)
