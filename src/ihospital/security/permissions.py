"""The one object-level permission layer every service calls.

The decision is a pure table (role × action × relationship → allow); :func:`authorize` looks up
the actor's relationship to the patient, decides, audits a denial in its own transaction and raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ihospital.kernel import clock
from ihospital.kernel.errors import Forbidden
from ihospital.security import audit

Relationship = Literal["self_or_family", "treating", "none"]

# Actions on a patient's data.
PROFILE_READ = "profile.read"  # identity and contact data
PROFILE_WRITE = "profile.write"
CHART_READ = "chart.read"  # health data: records, prescriptions, readings
CHART_WRITE = "chart.write"
CONSENT_MANAGE = "consent.manage"
# Actions without a patient.
SUPERVISION_READ = "supervision.read"  # aggregates and the regulator feed
ADMIN_MANAGE = "admin.manage"
PHARMACY_REVIEW = "pharmacy.review"

_POLICY: dict[tuple[str, str], frozenset[str]] = {
    # A patient acts only for self and registered family members (R-ID-05).
    ("patient", PROFILE_READ): frozenset({"self_or_family"}),
    ("patient", PROFILE_WRITE): frozenset({"self_or_family"}),
    ("patient", CHART_READ): frozenset({"self_or_family"}),
    ("patient", CONSENT_MANAGE): frozenset({"self_or_family"}),
    # A doctor reads and writes a chart only within an active care relationship (R-AUD-05).
    ("doctor", PROFILE_READ): frozenset({"treating"}),
    ("doctor", CHART_READ): frozenset({"treating"}),
    ("doctor", CHART_WRITE): frozenset({"treating"}),
    # Pharmacists see what a prescription under review carries; the prescribing domain checks that.
    ("pharmacist", PHARMACY_REVIEW): frozenset({"none", "treating", "self_or_family"}),
    # Admins run the organisation, not charts.
    ("admin", ADMIN_MANAGE): frozenset({"none"}),
    # Regulators read aggregates and the supervision feed, never charts.
    ("regulator", SUPERVISION_READ): frozenset({"none"}),
    ("admin", SUPERVISION_READ): frozenset({"none"}),
}


def decide(role: str, action: str, relationship: Relationship) -> bool:
    return relationship in _POLICY.get((role, action), frozenset())


@dataclass(frozen=True)
class Actor:
    account_id: str
    role: str
    mfa_verified: bool = False
    session_id: str | None = None
    ip: str | None = None

    @property
    def who(self) -> audit.Who:
        return audit.Who(self.account_id, self.role, self.ip)


async def relationship_to(session: AsyncSession, actor: Actor, patient_id: str) -> Relationship:
    from ihospital.identity.models import FamilyLink
    from ihospital.security.models import CareRelationship

    if actor.role == "patient":
        found = await session.scalar(sa.select(FamilyLink.id).where(
            FamilyLink.account_id == actor.account_id, FamilyLink.patient_id == patient_id).limit(1))
        return "self_or_family" if found else "none"
    if actor.role == "doctor":
        now = clock.now()
        found = await session.scalar(sa.select(CareRelationship.id).where(
            CareRelationship.practitioner_account_id == actor.account_id,
            CareRelationship.patient_id == patient_id,
            CareRelationship.starts_at <= now,
            sa.or_(CareRelationship.ends_at.is_(None), CareRelationship.ends_at > now)).limit(1))
        return "treating" if found else "none"
    return "none"


class Denied(Forbidden):
    pass


def deny(actor: Actor, action: str, resource_type: str, resource_id: str | None,
         patient_id: str | None, detail: str) -> Denied:
    """Build the error; its audit event is written after the caller's transaction rolls back."""
    error = Denied("auth.forbidden", detail)
    error.deferred_audit.append(audit.make_event(actor.who, action, resource_type, resource_id, patient_id=patient_id,
                                            outcome="denied"))
    return error


async def authorize(session: AsyncSession, actor: Actor, action: str, *, patient_id: str | None = None,
                    resource_type: str = "patient", resource_id: str | None = None) -> Relationship:
    rel: Relationship = "none" if patient_id is None else await relationship_to(session, actor, patient_id)
    if not decide(actor.role, action, rel):
        raise deny(actor, action, resource_type, resource_id or patient_id, patient_id,
                         "您无权访问该数据")
    return rel


def require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise Forbidden("auth.role_required", "当前账号角色不能执行此操作")
