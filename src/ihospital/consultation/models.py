"""Consultation tables. The row is created at booking (pending_payment) and moves by the state machine."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ihospital.kernel.db import Base, IdMixin, TimestampMixin, UTCDateTime


class Consultation(IdMixin, TimestampMixin, Base):
    __tablename__ = "consultations"

    patient_id: Mapped[str] = mapped_column(sa.ForeignKey("patients.id"), index=True, nullable=False)
    booked_by_account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"), nullable=False)
    practitioner_id: Mapped[str] = mapped_column(sa.ForeignKey("practitioners.id"), index=True, nullable=False)
    doctor_account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"), index=True, nullable=False)
    department_code: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(8), nullable=False)  # text | video
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, index=True)
    # R-SCOPE-06: the licensed institution of record, stored on every encounter.
    licence_no: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    slot_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    order_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    triage_session_id: Mapped[str | None] = mapped_column(sa.String(36))
    # The condition diagnosed offline that this visit follows up (R-SCOPE-01/02).
    condition_name: Mapped[str] = mapped_column(sa.String(128), nullable=False, default="")
    condition_icd10: Mapped[str | None] = mapped_column(sa.String(16))
    chief_complaint: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accept_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(sa.String(32))
