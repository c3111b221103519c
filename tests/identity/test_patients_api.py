"""Patients, family members and consents over the API (R-ID-01..05, R-PIPL-02/04/05, R-AUD-05)."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from tests.factories import add_care_relationship, make_doctor, make_patient, make_user, valid_id

from ihospital.identity.models import Consent, FamilyLink, Patient
from ihospital.kernel.runtime import database
from ihospital.security.models import AuditEvent


async def count(model) -> int:  # noqa: ANN001
    async with database().transaction() as s:
        return int(await s.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


async def test_r_id_01_self_registration_stores_verification_and_masks(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    number = valid_id("19850312", "male")
    r = await client.post("/api/v1/patients", headers=user.headers,
                          json={"real_name": "王小明", "doc_number": number, "phone": "13912345678"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["doc_number_masked"] == number[:6] + "********" + number[-4:]
    assert body["phone_masked"] == "139****5678"
    assert body["sex"] == "male" and body["birth_date"] == "1985-03-12"
    assert body["verification_status"] == "verified"
    async with database().transaction() as s:
        p = await s.get(Patient, body["id"])
        assert p.verification_method == "id_two_factor" and p.verification_ref.startswith("SBX-")
        assert p.verified_at is not None
        raw = await s.scalar(sa.text("SELECT doc_number FROM patients WHERE id=:i"), {"i": body["id"]})
        assert number not in raw


async def test_r_id_02_bad_id_number_is_refused_and_nothing_written(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    good = valid_id()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = (await count(Patient), await count(FamilyLink), await count(AuditEvent))
    r = await client.post("/api/v1/patients", headers=user.headers, json={"real_name": "王小明", "doc_number": bad})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "identity.id_checksum" and r.json()["rule"] == "R-ID-02"
    assert "校验位" in r.json()["detail"]
    assert (await count(Patient), await count(FamilyLink), await count(AuditEvent)) == before


async def test_r_id_03_realname_mismatch_is_refused(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    r = await client.post("/api/v1/patients", headers=user.headers,
                          json={"real_name": "冒名者", "doc_number": valid_id()})
    assert r.status_code == 422 and r.json()["code"] == "identity.realname_mismatch"


async def test_r_id_04_passport_needs_birth_date_and_sex(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    r = await client.post("/api/v1/patients", headers=user.headers,
                          json={"real_name": "John Smith", "doc_type": "passport", "doc_number": "E12345678"})
    assert r.status_code == 422 and r.json()["code"] == "identity.birth_sex_required"
    r = await client.post("/api/v1/patients", headers=user.headers, json={
        "real_name": "John Smith", "doc_type": "passport", "doc_number": f"E{valid_id()[-8:-1]}9",
        "birth_date": "1980-01-02", "sex": "male"})
    assert r.status_code == 201, r.text


async def test_r_id_05_family_members_and_duplicate_documents(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    me = await make_patient(client, user)
    mum = await make_patient(client, user, relationship="parent", birth="19580101", sex="female", name="李桂兰")
    r = await client.get("/api/v1/patients", headers=user.headers)
    assert {(p["id"], p["relationship"]) for p in r.json()} == {(me["id"], "self"), (mum["id"], "parent")}
    # A second 'self' is refused; the same document cannot be linked by another account.
    r = await client.post("/api/v1/patients", headers=user.headers, json={"real_name": "再来", "doc_number": valid_id()})
    assert r.status_code == 409 and r.json()["code"] == "identity.self_exists"


async def test_r_pipl_04_child_under_14_needs_guardian_consent(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    number = valid_id("20200615", "female")
    r = await client.post("/api/v1/patients", headers=user.headers,
                          json={"real_name": "张小宝", "doc_number": number, "relationship": "child"})
    assert r.status_code == 422 and r.json()["rule"] == "R-PIPL-04"
    r = await client.post("/api/v1/patients", headers=user.headers, json={
        "real_name": "张小宝", "doc_number": number, "relationship": "child", "guardian_consent": True})
    assert r.status_code == 201
    async with database().transaction() as s:
        kinds = (await s.scalars(sa.select(Consent.kind).where(Consent.patient_id == r.json()["id"]))).all()
    assert kinds == ["guardian_child_pi"]


async def test_r_pipl_02_05_separate_versioned_consent_and_withdrawal(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    me = await make_patient(client, user)
    r = await client.post(f"/api/v1/patients/{me['id']}/consents", headers=user.headers, json={"kind": "health_data"})
    assert r.status_code == 201 and r.json()["version"] and r.json()["granted_as"] == "self"
    r = await client.get(f"/api/v1/patients/{me['id']}/consents", headers=user.headers)
    assert [c["kind"] for c in r.json()] == ["health_data"]
    r = await client.delete(f"/api/v1/patients/{me['id']}/consents/health_data", headers=user.headers)
    assert r.status_code == 200 and r.json()["withdrawn_at"]
    r = await client.delete(f"/api/v1/patients/{me['id']}/consents/health_data", headers=user.headers)
    assert r.status_code == 404


async def test_r_scope_08_online_care_requires_both_consents(client: httpx.AsyncClient) -> None:
    from ihospital.identity.service import require_online_care_consents
    from ihospital.kernel.errors import ValidationFailed

    user = await make_user(client)
    me = await make_patient(client, user)
    async with database().transaction() as s:
        try:
            await require_online_care_consents(s, me["id"])
            raise AssertionError("expected refusal")
        except ValidationFailed as exc:
            assert exc.rule == "R-PIPL-02"
    for kind in ("health_data", "online_care"):
        await client.post(f"/api/v1/patients/{me['id']}/consents", headers=user.headers, json={"kind": kind})
    async with database().transaction() as s:
        await require_online_care_consents(s, me["id"])


async def test_r_aud_05_other_patients_and_unrelated_doctors_are_denied_and_audited(client: httpx.AsyncClient) -> None:
    owner = await make_user(client)
    stranger = await make_user(client)
    admin = await make_user(client, "admin")
    doctor = await make_doctor(client, admin)
    me = await make_patient(client, owner)
    r = await client.get(f"/api/v1/patients/{me['id']}", headers=stranger.headers)
    assert r.status_code == 403 and r.json()["code"] == "auth.forbidden"
    r = await client.get(f"/api/v1/patients/{me['id']}", headers=doctor.headers)
    assert r.status_code == 403
    r = await client.get(f"/api/v1/patients/{me['id']}", headers=admin.headers)
    assert r.status_code == 403  # admins run the organisation, not charts
    async with database().transaction() as s:
        denied = (await s.scalars(sa.select(AuditEvent.actor_account_id).where(
            AuditEvent.patient_id == me["id"], AuditEvent.outcome == "denied"))).all()
    assert set(denied) == {stranger.account_id, doctor.account_id, admin.account_id}
    # Within a care relationship the doctor may read, and the read is audited.
    await add_care_relationship(doctor, me["id"])
    r = await client.get(f"/api/v1/patients/{me['id']}", headers=doctor.headers)
    assert r.status_code == 200 and r.json()["relationship"] == "treating"
    async with database().transaction() as s:
        reads = await s.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.patient_id == me["id"], AuditEvent.actor_account_id == doctor.account_id,
            AuditEvent.action == "patient.read", AuditEvent.outcome == "success"))
    assert reads == 1
