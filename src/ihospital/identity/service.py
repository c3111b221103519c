"""Use cases of the identity domain: patients and family members, consents, practitioners."""

from __future__ import annotations

import hashlib
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ihospital.identity import credentials, verification
from ihospital.identity.documents import DocumentError, age_on, normalize_phone, parse_document
from ihospital.identity.models import Consent, Department, FamilyLink, Organization, Patient, Practitioner
from ihospital.identity.schemas import DepartmentIn, PatientIn, PatientOut, PractitionerIn
from ihospital.kernel import clock
from ihospital.kernel.errors import Conflict, NotFound, ValidationFailed
from ihospital.kernel.masking import mask_id_number, mask_phone
from ihospital.kernel.settings import get_settings
from ihospital.security import audit
from ihospital.security import service as security
from ihospital.security.crypto import blind_index
from ihospital.security.permissions import (
    ADMIN_MANAGE,
    CONSENT_MANAGE,
    PROFILE_READ,
    Actor,
    authorize,
    require_role,
)
from ihospital.supervision import outbox

CONSENT_TEXTS = {
    "health_data": "我单独同意本院为提供互联网诊疗服务处理我的健康医疗信息（敏感个人信息），"
                   "包括病历、处方、检查检验结果；我可以随时撤回同意，撤回不影响撤回前的处理及法定保存义务。",
    "online_care": "我已知悉互联网诊疗仅限常见病、慢性病复诊，不适用于首诊和急危重症；"
                   "病情变化或医生判断不适合线上诊疗时将终止线上服务并建议线下就医。",
    "guardian_child_pi": "本人作为监护人，同意本院处理未满十四周岁儿童的个人信息，并已阅读《儿童个人信息处理规则》。",
}
FAMILY_LIMIT = 10


def _today() -> date:
    return clock.to_shanghai(clock.now()).date()  # type: ignore[union-attr]


def _text_hash(kind: str) -> str:
    return hashlib.sha256(CONSENT_TEXTS[kind].encode()).hexdigest()


def _consent_version(kind: str) -> str:
    s = get_settings()
    return {"health_data": s.consent_version_health_data, "online_care": s.consent_version_online_care}.get(
        kind, "2026.1")


def patient_out(patient: Patient, relationship: str) -> PatientOut:
    return PatientOut(id=patient.id, real_name=patient.real_name, sex=patient.sex,  # type: ignore[arg-type]
                      birth_date=patient.birth_date, age=age_on(patient.birth_date, _today()),
                      doc_type=patient.doc_type, doc_number_masked=mask_id_number(patient.doc_number),
                      phone_masked=mask_phone(patient.phone), relationship=relationship,
                      verification_status=patient.verification_status, verified_at=patient.verified_at)


async def add_patient(session: AsyncSession, actor: Actor, data: PatientIn) -> PatientOut:
    """Register the account holder ('self') or a family member (R-ID-01..05, R-PIPL-04)."""
    require_role(actor, "patient")
    try:
        doc = parse_document(data.doc_type, data.doc_number, today=_today())
        phone = normalize_phone(data.phone) if data.phone else None
    except DocumentError as exc:
        raise ValidationFailed(exc.code, exc.detail, rule="R-ID-02" if data.doc_type == "cn_id" else "R-ID-04") from exc
    birth, sex = doc.birth_date or data.birth_date, doc.sex or data.sex
    if birth is None or sex is None:
        raise ValidationFailed("identity.birth_sex_required", "请填写出生日期和性别")
    if doc.birth_date and data.birth_date and data.birth_date != doc.birth_date:
        raise ValidationFailed("identity.birth_date_mismatch", "出生日期与身份证号码不一致", rule="R-ID-02")
    if doc.sex and data.sex and data.sex != doc.sex:
        raise ValidationFailed("identity.sex_mismatch", "性别与身份证号码不一致", rule="R-ID-02")
    if birth > _today():
        raise ValidationFailed("identity.birth_date_future", "出生日期不能晚于今天")
    links = (await session.execute(sa.select(FamilyLink).where(FamilyLink.account_id == actor.account_id))).scalars().all()
    if data.relationship == "self" and any(link.relationship == "self" for link in links):
        raise Conflict("identity.self_exists", "本人信息已登记，如需修改请联系客服")
    if len(links) >= FAMILY_LIMIT:
        raise Conflict("identity.family_limit", f"每个账号最多添加{FAMILY_LIMIT}位就诊人")
    age = age_on(birth, _today())
    if data.relationship == "self" and age < 14:
        raise ValidationFailed("identity.minor_self_registration", "未满14周岁的儿童请由监护人添加为就诊人",
                               rule="R-PIPL-04")
    if age < 14 and not data.guardian_consent:
        raise ValidationFailed("identity.guardian_consent_required", "为未满14周岁的儿童登记信息须由监护人同意",
                               rule="R-PIPL-04")
    doc_bidx = blind_index(f"{doc.doc_type}:{doc.number}", kind="doc")
    if await session.scalar(sa.select(Patient.id).where(Patient.doc_bidx == doc_bidx)):
        # Never link an existing person to another account on the strength of a number alone.
        raise Conflict("identity.document_registered", "该证件已被登记，如有疑问请联系客服")
    result = await verification.verifier().verify(real_name=data.real_name, doc_type=doc.doc_type,
                                                  doc_number=doc.number)
    if not result.matched:
        raise ValidationFailed("identity.realname_mismatch", "实名核验未通过：姓名与证件号码不一致", rule="R-ID-03")
    patient = Patient(real_name=data.real_name, sex=sex, birth_date=birth, doc_type=doc.doc_type,
                      doc_number=doc.number, doc_bidx=doc_bidx, phone=phone,
                      phone_bidx=blind_index(phone, kind="phone") if phone else None,
                      verification_status="verified", verification_method=result.method,
                      verification_provider=result.provider, verification_ref=result.reference,
                      verified_at=result.at, allergies=[])
    session.add(patient)
    await session.flush()
    session.add(FamilyLink(account_id=actor.account_id, patient_id=patient.id, relationship=data.relationship,
                           is_guardian=data.relationship == "child" and age < 18, created_at=clock.now()))
    if age < 14:
        session.add(_consent(patient.id, "guardian_child_pi", actor, granted_as="guardian"))
    audit.record(session, actor.who, "patient.create", "patient", patient.id, patient_id=patient.id,
                 purpose="registration", detail={"relationship": data.relationship,
                                                 "verification_ref": result.reference})
    return patient_out(patient, data.relationship)


def _consent(patient_id: str, kind: str, actor: Actor, *, granted_as: str, channel: str = "web") -> Consent:
    return Consent(patient_id=patient_id, kind=kind, version=_consent_version(kind), text_sha256=_text_hash(kind),
                   granted_by_account_id=actor.account_id, granted_as=granted_as, channel=channel,
                   granted_at=clock.now())


async def list_family(session: AsyncSession, actor: Actor) -> list[PatientOut]:
    require_role(actor, "patient")
    rows = (await session.execute(
        sa.select(Patient, FamilyLink.relationship).join(FamilyLink, FamilyLink.patient_id == Patient.id)
        .where(FamilyLink.account_id == actor.account_id).order_by(FamilyLink.created_at))).all()
    for patient, _ in rows:
        audit.record(session, actor.who, "patient.read", "patient", patient.id, patient_id=patient.id,
                     purpose="self_service")
    return [patient_out(p, rel) for p, rel in rows]


async def get_patient(session: AsyncSession, actor: Actor, patient_id: str) -> PatientOut:
    rel = await authorize(session, actor, PROFILE_READ, patient_id=patient_id)
    patient = await session.get(Patient, patient_id)
    if patient is None:
        raise NotFound("identity.patient_not_found", "就诊人不存在")
    relationship = "treating" if rel == "treating" else await session.scalar(
        sa.select(FamilyLink.relationship).where(FamilyLink.account_id == actor.account_id,
                                                 FamilyLink.patient_id == patient_id)) or ""
    audit.record(session, actor.who, "patient.read", "patient", patient.id, patient_id=patient.id,
                 purpose="care" if rel == "treating" else "self_service")
    return patient_out(patient, relationship)


async def grant_consent(session: AsyncSession, actor: Actor, patient_id: str, kind: str, *,
                        channel: str = "web") -> Consent:
    """Separate, versioned consent (R-PIPL-02, R-SCOPE-08); a guardian grants for a child (R-PIPL-04)."""
    await authorize(session, actor, CONSENT_MANAGE, patient_id=patient_id, resource_type="consent")
    if kind not in ("health_data", "online_care"):
        raise ValidationFailed("identity.consent_kind_unknown", "未知的同意类型")
    active = await active_consent(session, patient_id, kind)
    if active is not None and active.version == _consent_version(kind):
        return active
    patient = await session.get(Patient, patient_id)
    assert patient is not None
    link = await session.scalar(sa.select(FamilyLink).where(FamilyLink.account_id == actor.account_id,
                                                            FamilyLink.patient_id == patient_id))
    granted_as = "self" if link and link.relationship == "self" else "guardian"
    consent = _consent(patient_id, kind, actor, granted_as=granted_as, channel=channel)
    session.add(consent)
    await session.flush()
    audit.record(session, actor.who, "consent.grant", "consent", consent.id, patient_id=patient_id,
                 purpose="consent", detail={"kind": kind, "version": consent.version})
    return consent


async def withdraw_consent(session: AsyncSession, actor: Actor, patient_id: str, kind: str) -> Consent:
    """Withdrawal is as easy as granting (R-PIPL-05); the row stays as evidence."""
    await authorize(session, actor, CONSENT_MANAGE, patient_id=patient_id, resource_type="consent")
    consent = await active_consent(session, patient_id, kind)
    if consent is None:
        raise NotFound("identity.consent_not_found", "没有可撤回的同意")
    consent.withdrawn_at = clock.now()
    audit.record(session, actor.who, "consent.withdraw", "consent", consent.id, patient_id=patient_id,
                 purpose="consent", detail={"kind": kind})
    return consent


async def active_consent(session: AsyncSession, patient_id: str, kind: str) -> Consent | None:
    return await session.scalar(sa.select(Consent).where(
        Consent.patient_id == patient_id, Consent.kind == kind, Consent.withdrawn_at.is_(None))
        .order_by(Consent.granted_at.desc()).limit(1))


async def list_consents(session: AsyncSession, actor: Actor, patient_id: str) -> list[Consent]:
    await authorize(session, actor, CONSENT_MANAGE, patient_id=patient_id, resource_type="consent")
    return list((await session.execute(sa.select(Consent).where(Consent.patient_id == patient_id)
                                       .order_by(Consent.granted_at))).scalars())


async def require_online_care_consents(session: AsyncSession, patient_id: str) -> None:
    """No consent, no service (R-SCOPE-08, R-PIPL-02); other domains call this before care."""
    for kind, rule in (("health_data", "R-PIPL-02"), ("online_care", "R-SCOPE-08")):
        if await active_consent(session, patient_id, kind) is None:
            raise ValidationFailed(f"identity.consent_{kind}_missing", "请先阅读并同意互联网诊疗知情同意书及健康信息处理规则",
                                   rule=rule)


# --- Organisation and practitioners ---------------------------------------------------------------

async def ensure_organization(session: AsyncSession) -> Organization:
    s = get_settings()
    org = await session.scalar(sa.select(Organization).where(Organization.licence_no == s.institution_licence_no))
    if org is None:
        org = Organization(name=s.institution_name, licence_no=s.institution_licence_no)
        session.add(org)
        await session.flush()
    return org


async def create_department(session: AsyncSession, actor: Actor, data: DepartmentIn) -> Department:
    await authorize(session, actor, ADMIN_MANAGE, resource_type="department")
    if await session.scalar(sa.select(Department.id).where(Department.code == data.code)):
        raise Conflict("identity.department_exists", "该诊疗科目代码已存在")
    org = await ensure_organization(session)
    dept = Department(code=data.code, name=data.name, description=data.description, organization_id=org.id)
    session.add(dept)
    await session.flush()
    audit.record(session, actor.who, "department.create", "department", dept.id, purpose="administration")
    return dept


async def list_departments(session: AsyncSession) -> list[Department]:
    return list((await session.execute(sa.select(Department).order_by(Department.code))).scalars())


async def onboard_practitioner(session: AsyncSession, actor: Actor, data: PractitionerIn) -> Practitioner:
    """Reject incomplete or ineligible staff at the door (R-DOC-01/02/05/09, R-SCOPE-07)."""
    await authorize(session, actor, ADMIN_MANAGE, resource_type="practitioner")
    if data.kind == "doctor":
        problems = credentials.check_doctor(
            title=data.title, qualification_no=data.qualification_no, practising_no=data.practising_no,
            practice_category=data.practice_category, practice_scope=data.practice_scope,
            practice_institution=data.practice_institution, years_independent=data.years_independent,
            department_code=data.department_code)
        if data.department_code and not await session.scalar(
                sa.select(Department.id).where(Department.code == data.department_code, Department.online_enabled)):
            raise ValidationFailed("identity.department_not_licensed", "该科室不在本院核准的诊疗科目内",
                                   rule="R-SCOPE-07")
    else:
        problems = credentials.check_pharmacist(title=data.title, years_independent=data.years_independent,
                                                review_training=data.review_training)
    if problems:
        first = problems[0]
        raise ValidationFailed(first.code, first.detail, rule=first.rule,
                               extra={"problems": [p.__dict__ for p in problems]})
    account = await security.create_account(session, phone=data.phone, role=data.kind, password=data.password,
                                             display_name=data.name, who=actor.who)
    practitioner = Practitioner(account_id=account.id, **data.model_dump(exclude={"phone", "password"}))
    session.add(practitioner)
    await session.flush()
    audit.record(session, actor.who, "practitioner.onboard", "practitioner", practitioner.id,
                 purpose="administration")
    return practitioner


async def verify_practitioner(session: AsyncSession, actor: Actor, practitioner_id: str, *, approve: bool,
                              reason: str | None = None) -> Practitioner:
    await authorize(session, actor, ADMIN_MANAGE, resource_type="practitioner")
    practitioner = await session.get(Practitioner, practitioner_id)
    if practitioner is None:
        raise NotFound("identity.practitioner_not_found", "医务人员不存在")
    if practitioner.status != "pending":
        raise Conflict("identity.practitioner_not_pending", "该医务人员已审核")
    if approve and practitioner.kind == "doctor" and not (practitioner.employer_consent and practitioner.multi_site_filed):
        rule = "R-DOC-03" if not practitioner.employer_consent else "R-DOC-04"
        raise ValidationFailed("identity.doctor_filing_missing", "缺少第一执业机构同意书或多机构执业备案材料", rule=rule)
    if not approve and not reason:
        raise ValidationFailed("identity.rejection_reason_required", "请填写驳回原因")
    practitioner.status = "verified" if approve else "rejected"
    practitioner.rejection_reason = None if approve else reason
    practitioner.verified_by = actor.account_id
    practitioner.verified_at = clock.now()
    audit.record(session, actor.who, "practitioner.verify", "practitioner", practitioner.id,
                 purpose="administration", detail={"approved": approve})
    if approve:  # R-DOC-07: clinician records go to the provincial platform
        outbox.emit(session, "practitioner.verified", payload={
            "practitioner_id": practitioner.id, "kind": practitioner.kind, "title": practitioner.title,
            "practising_no": practitioner.practising_no, "practice_scope": practitioner.practice_scope,
            "department_code": practitioner.department_code, "years_independent": practitioner.years_independent})
    return practitioner


async def list_practitioners(session: AsyncSession, *, kind: str | None = None, status: str | None = None,
                             department_code: str | None = None) -> list[Practitioner]:
    q = sa.select(Practitioner).order_by(Practitioner.department_code, Practitioner.name)
    if kind:
        q = q.where(Practitioner.kind == kind)
    if status:
        q = q.where(Practitioner.status == status)
    if department_code:
        q = q.where(Practitioner.department_code == department_code)
    return list((await session.execute(q)).scalars())
