"""Tables of the identity domain: patients, family links, consents, organisation and practitioners."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ihospital.kernel.db import Base, IdMixin, TimestampMixin, UTCDateTime
from ihospital.security.crypto import Encrypted


class Patient(IdMixin, TimestampMixin, Base):
    """A real-name person who receives care (就诊人); one row per person (R-EMR-06)."""

    __tablename__ = "patients"

    real_name: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    sex: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    birth_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    doc_type: Mapped[str] = mapped_column(sa.String(24), nullable=False)
    doc_number: Mapped[str] = mapped_column(Encrypted(), nullable=False)
    doc_bidx: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    phone: Mapped[str | None] = mapped_column(Encrypted())
    phone_bidx: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    address: Mapped[str | None] = mapped_column(Encrypted())
    # Real-name verification result (R-ID-01, R-ID-03).
    verification_status: Mapped[str] = mapped_column(sa.String(16), default="unverified", nullable=False)
    verification_method: Mapped[str | None] = mapped_column(sa.String(32))
    verification_provider: Mapped[str | None] = mapped_column(sa.String(64))
    verification_ref: Mapped[str | None] = mapped_column(sa.String(64))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    allergies: Mapped[list[str]] = mapped_column(sa.JSON, default=list, nullable=False)


class FamilyLink(IdMixin, Base):
    """An account may act for this patient: itself ('self') or a registered family member (R-ID-05)."""

    __tablename__ = "family_links"

    account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"), nullable=False)
    patient_id: Mapped[str] = mapped_column(sa.ForeignKey("patients.id"), nullable=False)
    relationship: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    is_guardian: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    __table_args__ = (sa.UniqueConstraint("account_id", "patient_id", name="uq_family_links_pair"),)


class Consent(IdMixin, Base):
    """A separate, versioned consent (R-PIPL-02, R-PIPL-04, R-SCOPE-08); withdrawal keeps the row."""

    __tablename__ = "consents"

    patient_id: Mapped[str] = mapped_column(sa.ForeignKey("patients.id"), index=True, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(24), nullable=False)
    version: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    text_sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    granted_by_account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"), nullable=False)
    granted_as: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # self | guardian
    channel: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # web | api
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Organization(IdMixin, Base):
    """The licensed institution in whose name online care is given (R-SCOPE-06)."""

    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(sa.String(128), nullable=False)
    licence_no: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    grade: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="三级甲等")


class Department(IdMixin, Base):
    """A 诊疗科目 offered online; codes per 《医疗机构诊疗科目名录》 (R-SCOPE-07)."""

    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(sa.String(16), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    organization_id: Mapped[str] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False)
    online_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)


class Practitioner(IdMixin, TimestampMixin, Base):
    """A doctor or pharmacist with credentials (R-DOC-01..10); verified by an admin before practice."""

    __tablename__ = "practitioners"

    account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # doctor | pharmacist
    name: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    sex: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    qualification_no: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    practising_no: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    practice_category: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    practice_scope: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    practice_institution: Mapped[str] = mapped_column(sa.String(128), nullable=False)
    years_independent: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    department_code: Mapped[str | None] = mapped_column(sa.ForeignKey("departments.code"))
    employer_consent: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    multi_site_filed: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    review_training: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    bio: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending", nullable=False)
    verified_by: Mapped[str | None] = mapped_column(sa.String(36))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
