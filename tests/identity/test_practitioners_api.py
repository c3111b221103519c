"""Doctor and pharmacist onboarding and verification by an admin (R-DOC-01..05, R-DOC-09, R-SCOPE-07)."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from tests.factories import PASSWORD, doctor_payload, ensure_department, make_doctor, make_user, unique_phone

from ihospital.identity.models import Practitioner
from ihospital.kernel.runtime import database


async def practitioner_count() -> int:
    async with database().transaction() as s:
        return int(await s.scalar(sa.select(sa.func.count(Practitioner.id))) or 0)


async def test_r_doc_02_ineligible_doctor_rejected_and_nothing_written(client: httpx.AsyncClient) -> None:
    admin = await make_user(client, "admin")
    await ensure_department()
    before = await practitioner_count()
    r = await client.post("/api/v1/admin/practitioners", headers=admin.headers,
                          json=doctor_payload(unique_phone(), years_independent=2))
    assert r.status_code == 422 and r.json()["rule"] == "R-DOC-02"
    assert r.json()["code"] == "identity.doctor_experience_insufficient"
    r = await client.post("/api/v1/admin/practitioners", headers=admin.headers,
                          json=doctor_payload(unique_phone(), practising_no=""))
    assert r.status_code == 422 and r.json()["rule"] == "R-DOC-01"
    r = await client.post("/api/v1/admin/practitioners", headers=admin.headers,
                          json=doctor_payload(unique_phone(), practice_scope="外科专业"))
    assert r.status_code == 422 and r.json()["rule"] == "R-DOC-05"
    assert await practitioner_count() == before


async def test_r_scope_07_department_outside_licence_rejected(client: httpx.AsyncClient) -> None:
    admin = await make_user(client, "admin")
    r = await client.post("/api/v1/admin/practitioners", headers=admin.headers,
                          json=doctor_payload(unique_phone(), department_code="03.99"))
    assert r.status_code == 422 and r.json()["rule"] == "R-SCOPE-07"


async def test_r_doc_03_04_verification_needs_filings_and_doctor_becomes_public(client: httpx.AsyncClient) -> None:
    admin = await make_user(client, "admin")
    await ensure_department()
    r = await client.post("/api/v1/admin/practitioners", headers=admin.headers,
                          json=doctor_payload(unique_phone(), multi_site_filed=False, name="未备案医生"))
    pid = r.json()["id"]
    r = await client.post(f"/api/v1/admin/practitioners/{pid}/verification", headers=admin.headers,
                          json={"approve": True})
    assert r.status_code == 422 and r.json()["rule"] == "R-DOC-04"
    r = await client.post(f"/api/v1/admin/practitioners/{pid}/verification", headers=admin.headers,
                          json={"approve": False})
    assert r.status_code == 422 and r.json()["code"] == "identity.rejection_reason_required"
    r = await client.post(f"/api/v1/admin/practitioners/{pid}/verification", headers=admin.headers,
                          json={"approve": False, "reason": "缺少多点执业备案"})
    assert r.json()["status"] == "rejected"
    doctor = await make_doctor(client, admin)
    r = await client.get("/api/v1/doctors?department=03.04")
    listed = {d["id"]: d for d in r.json()}
    assert doctor.practitioner_id in listed and pid not in listed
    # R-DOC-06: the public list carries the e-credentials.
    assert listed[doctor.practitioner_id]["practising_no"] and listed[doctor.practitioner_id]["title"]


async def test_r_doc_09_pharmacist_requirements(client: httpx.AsyncClient) -> None:
    admin = await make_user(client, "admin")
    body = {"kind": "pharmacist", "phone": unique_phone(), "password": PASSWORD, "name": "药师甲", "sex": "female",
            "title": "药士", "years_independent": 5, "review_training": True}
    r = await client.post("/api/v1/admin/practitioners", headers=admin.headers, json=body)
    assert r.status_code == 422 and r.json()["rule"] == "R-DOC-09"
    r = await client.post("/api/v1/admin/practitioners", headers=admin.headers, json={**body, "title": "主管药师"})
    assert r.status_code == 201


async def test_only_admins_onboard(client: httpx.AsyncClient) -> None:
    patient = await make_user(client)
    regulator = await make_user(client, "regulator")
    for user in (patient, regulator):
        r = await client.post("/api/v1/admin/practitioners", headers=user.headers, json=doctor_payload(unique_phone()))
        assert r.status_code == 403


async def test_regulator_reads_counts_not_charts(client: httpx.AsyncClient) -> None:
    regulator = await make_user(client, "regulator")
    patient = await make_user(client)
    r = await client.get("/api/v1/supervision/counts", headers=regulator.headers)
    assert r.status_code == 200 and r.json()["patients"] >= 0 and "triage_24h" in r.json()
    r = await client.get("/api/v1/supervision/counts", headers=patient.headers)
    assert r.status_code == 403


async def test_r_doc_07_verified_clinician_is_reported_to_the_regulator_feed(client: httpx.AsyncClient) -> None:
    from ihospital.supervision.models import OutboxEvent

    admin = await make_user(client, "admin")
    doctor = await make_doctor(client, admin)
    async with database().transaction() as s:
        events = (await s.scalars(sa.select(OutboxEvent).where(OutboxEvent.event_type == "practitioner.verified"))).all()
    mine = [e for e in events if e.payload["practitioner_id"] == doctor.practitioner_id]
    assert len(mine) == 1 and mine[0].payload["practising_no"] == "2" * 15


async def test_departments_public_list_and_admin_creation_with_bad_input(client: httpx.AsyncClient) -> None:
    admin = await make_user(client, "admin")
    code = f"{50 + (hash(admin.phone) % 40):02d}.{hash(admin.phone) % 90 + 10:02d}"
    r = await client.post("/api/v1/admin/departments", headers=admin.headers, json={"code": "3.4", "name": "坏代码"})
    assert r.status_code == 422 and r.json()["code"] == "request.invalid"
    r = await client.post("/api/v1/admin/departments", headers=admin.headers, json={"code": code, "name": "测试科"})
    assert r.status_code == 201
    r = await client.post("/api/v1/admin/departments", headers=admin.headers, json={"code": code, "name": "测试科"})
    assert r.status_code == 409 and r.json()["code"] == "identity.department_exists"
    r = await client.get("/api/v1/departments")
    assert code in {d["code"] for d in r.json()}
