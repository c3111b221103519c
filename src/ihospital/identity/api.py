"""Routes of the identity domain: patients and family members, consents, departments, practitioners."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from ihospital.identity import service
from ihospital.identity.schemas import (
    ConsentIn,
    ConsentOut,
    DepartmentIn,
    PatientIn,
    PatientOut,
    PractitionerIn,
    PractitionerOut,
)
from ihospital.kernel.http import CurrentActor, Tx

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.get("/patients")
async def list_patients(actor: CurrentActor, session: Tx) -> list[PatientOut]:
    return await service.list_family(session, actor)


@router.post("/patients", status_code=201)
async def add_patient(body: PatientIn, actor: CurrentActor, session: Tx) -> PatientOut:
    return await service.add_patient(session, actor, body)


@router.get("/patients/{patient_id}")
async def get_patient(patient_id: str, actor: CurrentActor, session: Tx) -> PatientOut:
    return await service.get_patient(session, actor, patient_id)


def _consent_out(c) -> ConsentOut:  # noqa: ANN001
    return ConsentOut(id=c.id, patient_id=c.patient_id, kind=c.kind, version=c.version, granted_as=c.granted_as,
                      granted_at=c.granted_at, withdrawn_at=c.withdrawn_at)


@router.get("/patients/{patient_id}/consents")
async def list_consents(patient_id: str, actor: CurrentActor, session: Tx) -> list[ConsentOut]:
    return [_consent_out(c) for c in await service.list_consents(session, actor, patient_id)]


@router.post("/patients/{patient_id}/consents", status_code=201)
async def grant_consent(patient_id: str, body: ConsentIn, actor: CurrentActor, session: Tx) -> ConsentOut:
    return _consent_out(await service.grant_consent(session, actor, patient_id, body.kind, channel="api"))


@router.delete("/patients/{patient_id}/consents/{kind}")
async def withdraw_consent(patient_id: str, kind: str, actor: CurrentActor, session: Tx) -> ConsentOut:
    return _consent_out(await service.withdraw_consent(session, actor, patient_id, kind))


class DepartmentOut(BaseModel):
    code: str
    name: str
    online_enabled: bool


@router.get("/departments")
async def departments(session: Tx) -> list[DepartmentOut]:
    return [DepartmentOut(code=d.code, name=d.name, online_enabled=d.online_enabled)
            for d in await service.list_departments(session)]


@router.post("/admin/departments", status_code=201)
async def create_department(body: DepartmentIn, actor: CurrentActor, session: Tx) -> DepartmentOut:
    d = await service.create_department(session, actor, body)
    return DepartmentOut(code=d.code, name=d.name, online_enabled=d.online_enabled)


def practitioner_out(p) -> PractitionerOut:  # noqa: ANN001
    return PractitionerOut(id=p.id, account_id=p.account_id, kind=p.kind, name=p.name, title=p.title,
                           department_code=p.department_code, practising_no=p.practising_no,
                           practice_category=p.practice_category, practice_scope=p.practice_scope,
                           practice_institution=p.practice_institution, years_independent=p.years_independent,
                           status=p.status, rejection_reason=p.rejection_reason)


@router.get("/doctors")
async def doctors(session: Tx, department: str | None = None) -> list[PractitionerOut]:
    """Public list of verified doctors with their e-credentials (R-DOC-06)."""
    return [practitioner_out(p) for p in
            await service.list_practitioners(session, kind="doctor", status="verified", department_code=department)]


@router.post("/admin/practitioners", status_code=201)
async def onboard(body: PractitionerIn, actor: CurrentActor, session: Tx) -> PractitionerOut:
    return practitioner_out(await service.onboard_practitioner(session, actor, body))


class VerifyIn(BaseModel):
    approve: bool
    reason: str | None = None


@router.post("/admin/practitioners/{practitioner_id}/verification")
async def verify(practitioner_id: str, body: VerifyIn, actor: CurrentActor, session: Tx) -> PractitionerOut:
    return practitioner_out(await service.verify_practitioner(session, actor, practitioner_id,
                                                              approve=body.approve, reason=body.reason))
