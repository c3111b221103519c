"""Role home pages: patient, doctor, pharmacist, admin, regulator."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ihospital.identity import service as identity
from ihospital.identity.documents import DOC_TYPES
from ihospital.identity.models import Department, Practitioner
from ihospital.identity.schemas import DepartmentIn, PatientIn
from ihospital.kernel import clock
from ihospital.kernel.errors import DomainError, Forbidden, NotAuthenticated
from ihospital.kernel.http import Tx, current_actor
from ihospital.security.models import Account
from ihospital.security.permissions import ADMIN_MANAGE, Actor, authorize
from ihospital.supervision import service as supervision
from ihospital.web.render import attempt, page

router = APIRouter(include_in_schema=False)

RELATIONSHIP_NAMES = {"self": "本人", "child": "子女", "parent": "父母", "spouse": "配偶", "sibling": "兄弟姐妹",
                      "grandparent": "祖父母/外祖父母", "grandchild": "孙子女/外孙子女", "other": "其他"}
SEX_NAMES = {"male": "男", "female": "女"}
STATUS_NAMES = {"pending": "待审核", "verified": "已认证", "rejected": "已驳回"}
CONSENT_LABELS = {"health_data": "健康信息处理", "online_care": "互联网诊疗知情同意"}
COUNT_LABELS = {"patients": "实名就诊人", "doctors_verified": "认证医师", "pharmacists_verified": "认证药师",
                "practitioners_pending": "待审核医务人员", "departments": "诊疗科目", "triage_24h": "24小时导诊",
                "triage_emergency_24h": "24小时急诊提示", "audit_events_24h": "24小时审计事件",
                "access_denied_24h": "24小时越权拦截", "feed_received_24h": "24小时上报事件",
                "feed_pending": "待上报事件"}


async def _actor(request: Request, session: Tx, *roles: str) -> Actor | Response:
    try:
        actor = await current_actor(request, session)
    except NotAuthenticated as exc:
        return RedirectResponse("/login/totp" if exc.code == "auth.mfa_required" else "/login", status_code=303)
    if actor.role not in roles:
        return page(request, "index.html", actor, status_code=403, error="当前账号无权访问该页面")
    return actor


async def _patient_page(request: Request, session: Tx, actor: Actor, status_code: int = 200, **extra) -> Response:
    family = await identity.list_family(session, actor)
    consents = {p.id: {c.kind: c for c in await identity.list_consents(session, actor, p.id) if c.withdrawn_at is None}
                for p in family}
    return page(request, "patient_home.html", actor, status_code=status_code, title="我的就诊人", family=family,
                consents=consents, relationship_names=RELATIONSHIP_NAMES, sex_names=SEX_NAMES, doc_types=DOC_TYPES,
                consent_labels=CONSENT_LABELS, default_relationship="child" if family else "self", **extra)


@router.get("/patient", response_class=HTMLResponse)
async def patient_home(request: Request, session: Tx) -> Response:
    actor = await _actor(request, session, "patient")
    if isinstance(actor, Response):
        return actor
    return await _patient_page(request, session, actor)


@router.post("/patient/family", response_class=HTMLResponse)
async def add_family(request: Request, session: Tx) -> Response:
    actor = await _actor(request, session, "patient")
    if isinstance(actor, Response):
        return actor
    form = await request.form()
    raw = {k: str(form.get(k) or "").strip() for k in ("real_name", "doc_type", "doc_number", "relationship",
                                                       "birth_date", "sex")}
    try:
        data = PatientIn(real_name=raw["real_name"], doc_type=raw["doc_type"] or "cn_id", doc_number=raw["doc_number"],
                         relationship=raw["relationship"] or "self", sex=raw["sex"] or None,
                         birth_date=date.fromisoformat(raw["birth_date"]) if raw["birth_date"] else None,
                         guardian_consent=bool(form.get("guardian_consent")))
    except (ValidationError, ValueError):
        return await _patient_page(request, session, actor, 422, form=raw,
                                   error="请填写真实姓名（2–30字）和有效的证件号码")
    added, error = await attempt(session, lambda: identity.add_patient(session, actor, data))
    if error:
        return await _patient_page(request, session, actor, error.status, form=raw, error=error.detail)
    return await _patient_page(request, session, actor, notice=f"已添加就诊人：{added.real_name}")


@router.post("/patient/consents", response_class=HTMLResponse)
async def toggle_consent(request: Request, session: Tx) -> Response:
    actor = await _actor(request, session, "patient")
    if isinstance(actor, Response):
        return actor
    form = await request.form()
    patient_id, kind = str(form.get("patient_id") or ""), str(form.get("kind") or "")
    if form.get("action") == "withdraw":
        _, error = await attempt(session, lambda: identity.withdraw_consent(session, actor, patient_id, kind))
    else:
        _, error = await attempt(session, lambda: identity.grant_consent(session, actor, patient_id, kind))
    if error:
        return await _patient_page(request, session, actor, error.status, error=error.detail)
    return RedirectResponse("/patient", status_code=303)


@router.get("/doctor", response_class=HTMLResponse)
@router.get("/pharmacist", response_class=HTMLResponse)
async def staff_home(request: Request, session: Tx) -> Response:
    role = request.url.path.strip("/")
    actor = await _actor(request, session, role)
    if isinstance(actor, Response):
        return actor
    practitioner = await session.scalar(sa.select(Practitioner).where(Practitioner.account_id == actor.account_id))
    department_name = None
    if practitioner and practitioner.department_code:
        department_name = await session.scalar(sa.select(Department.name).where(
            Department.code == practitioner.department_code))
    name = await session.scalar(sa.select(Account.display_name).where(Account.id == actor.account_id))
    return page(request, "staff_home.html", actor, title="工作台", practitioner=practitioner,
                department_name=department_name, actor_name=name, status_names=STATUS_NAMES)


async def _admin_page(request: Request, session: Tx, actor: Actor, status_code: int = 200, **extra) -> Response:
    await authorize(session, actor, ADMIN_MANAGE, resource_type="practitioner")
    departments = await identity.list_departments(session)
    practitioners = await identity.list_practitioners(session)
    practitioners.sort(key=lambda p: (p.status != "pending", p.kind, p.name))
    return page(request, "admin.html", actor, status_code=status_code, title="管理后台", practitioners=practitioners,
                department_rows=departments, departments={d.code: d.name for d in departments},
                status_names=STATUS_NAMES, **extra)


@router.get("/admin", response_class=HTMLResponse)
async def admin_home(request: Request, session: Tx) -> Response:
    actor = await _actor(request, session, "admin")
    if isinstance(actor, Response):
        return actor
    return await _admin_page(request, session, actor)


@router.post("/admin/practitioners/{practitioner_id}/verify", response_class=HTMLResponse)
async def admin_verify(practitioner_id: str, request: Request, session: Tx) -> Response:
    actor = await _actor(request, session, "admin")
    if isinstance(actor, Response):
        return actor
    form = await request.form()
    approve = form.get("decision") == "approve"
    reason = str(form.get("reason") or "").strip() or None
    _, error = await attempt(session, lambda: identity.verify_practitioner(
        session, actor, practitioner_id, approve=approve, reason=reason))
    if error:
        return await _admin_page(request, session, actor, error.status, error=error.detail)
    return await _admin_page(request, session, actor, notice="审核结果已保存")


@router.post("/admin/departments", response_class=HTMLResponse)
async def admin_department(request: Request, session: Tx) -> Response:
    actor = await _actor(request, session, "admin")
    if isinstance(actor, Response):
        return actor
    form = await request.form()
    try:
        data = DepartmentIn(code=str(form.get("code") or ""), name=str(form.get("name") or ""))
    except ValidationError:
        return await _admin_page(request, session, actor, 422, error="科目代码格式应为“03”或“03.04”，名称2–40字")
    _, error = await attempt(session, lambda: identity.create_department(session, actor, data))
    if error:
        return await _admin_page(request, session, actor, error.status, error=error.detail)
    return await _admin_page(request, session, actor, notice=f"已添加诊疗科目 {data.code} {data.name}")


async def _counts(request: Request, session: Tx) -> tuple[Actor | Response, dict]:
    actor = await _actor(request, session, "regulator", "admin")
    if isinstance(actor, Response):
        return actor, {}
    try:
        return actor, await supervision.live_counts(session, actor)
    except (Forbidden, DomainError) as exc:
        return page(request, "index.html", actor, status_code=exc.status, error=exc.detail), {}


EVENT_NAMES = {"consultation.started": "问诊开始", "consultation.ended": "问诊结束", "record.signed": "病历签名",
               "prescription.signed": "处方签名", "prescription.reviewed": "处方审核", "drugs.dispensed": "药品调配",
               "drugs.delivered": "药品送达", "order.refunded": "退款", "practitioner.verified": "医务人员认证"}


@router.get("/regulator", response_class=HTMLResponse)
async def regulator_home(request: Request, session: Tx) -> Response:
    actor, counts = await _counts(request, session)
    if isinstance(actor, Response):
        return actor
    feed = await supervision.received_feed(session, actor, limit=50)
    return page(request, "regulator.html", actor, title="监管看板", counts=counts, count_labels=COUNT_LABELS,
                updated=clock.format_local(clock.now(), "%H:%M:%S"), feed=feed, event_names=EVENT_NAMES)


@router.get("/regulator/counts", response_class=HTMLResponse)
async def regulator_counts(request: Request, session: Tx) -> Response:
    actor, counts = await _counts(request, session)
    if isinstance(actor, Response):
        return actor
    return page(request, "regulator_counts.html", actor, counts=counts, count_labels=COUNT_LABELS,
                updated=clock.format_local(clock.now(), "%H:%M:%S"))
