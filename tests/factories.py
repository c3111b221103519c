"""Builders for test data: accounts of every role, logged in over the real API."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

import httpx
import pyotp

from ihospital.identity import service as identity
from ihospital.identity.documents import check_char
from ihospital.identity.schemas import PractitionerIn
from ihospital.kernel.runtime import database
from ihospital.security import service as security
from ihospital.security.permissions import Actor

PASSWORD = "Test@2026pw"
_rng = random.Random()
_counter = itertools.count(1)


def unique_phone() -> str:
    return f"15{_rng.randrange(10**9):09d}"


def valid_id(birth: str = "19850312", sex: str = "male", region: str = "110105") -> str:
    seq = _rng.randrange(10, 99) * 10 + (_rng.choice([1, 3, 5, 7, 9]) if sex == "male" else _rng.choice([0, 2, 4, 6]))
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + check_char(first17)


@dataclass
class User:
    account_id: str
    role: str
    phone: str
    token: str
    totp_secret: str | None = None
    practitioner_id: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def actor(self) -> Actor:
        return Actor(self.account_id, self.role, mfa_verified=True)


async def login(client: httpx.AsyncClient, phone: str, totp_secret: str | None = None) -> str:
    body: dict = {"phone": phone, "password": PASSWORD}
    if totp_secret:
        body["totp"] = pyotp.TOTP(totp_secret).now()
    r = await client.post("/api/v1/auth/token", json=body)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


async def make_user(client: httpx.AsyncClient, role: str = "patient") -> User:
    phone = unique_phone()
    secret = pyotp.random_base32() if role != "patient" else None
    async with database().transaction() as s:
        account = await security.create_account(s, phone=phone, role=role, password=PASSWORD, totp_secret=secret,
                                                display_name=f"测试{role}")
    return User(account.id, role, phone, await login(client, phone, secret), secret)


async def make_patient(client: httpx.AsyncClient, user: User, *, relationship: str = "self",
                       birth: str = "19850312", sex: str = "male", name: str = "测试患者",
                       guardian_consent: bool = False) -> dict:
    r = await client.post("/api/v1/patients", headers=user.headers, json={
        "real_name": name, "doc_number": valid_id(birth, sex), "relationship": relationship,
        "guardian_consent": guardian_consent})
    assert r.status_code == 201, r.text
    return r.json()


def doctor_payload(phone: str, **overrides: object) -> dict:
    data = {"kind": "doctor", "phone": phone, "password": PASSWORD, "name": "测试医生", "sex": "female",
            "title": "主治医师", "qualification_no": "1" * 15, "practising_no": "2" * 15, "practice_category": "临床",
            "practice_scope": "内科专业", "practice_institution": "示范市第一人民医院", "years_independent": 5,
            "department_code": "03.04", "employer_consent": True, "multi_site_filed": True}
    data.update(overrides)
    return data


async def ensure_department(code: str = "03.04", name: str = "心血管内科") -> None:
    import sqlalchemy as sa

    from ihospital.identity.models import Department

    async with database().transaction() as s:
        if not await s.scalar(sa.select(Department.id).where(Department.code == code)):
            org = await identity.ensure_organization(s)
            s.add(Department(code=code, name=name, organization_id=org.id))


async def make_doctor(client: httpx.AsyncClient, admin: User, *, verify: bool = True) -> User:
    await ensure_department()
    phone = unique_phone()
    r = await client.post("/api/v1/admin/practitioners", headers=admin.headers, json=doctor_payload(phone))
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    if verify:
        r = await client.post(f"/api/v1/admin/practitioners/{pid}/verification", headers=admin.headers,
                              json={"approve": True})
        assert r.status_code == 200, r.text
    async with database().transaction() as s:
        account = await security.account_by_phone(s, phone)
        assert account is not None
        secret = account.totp_secret
    return User(account.id, "doctor", phone, await login(client, phone, secret), secret, pid)


async def add_care_relationship(doctor: User, patient_id: str) -> None:
    from ihospital.kernel import clock
    from ihospital.security.models import CareRelationship

    async with database().transaction() as s:
        s.add(CareRelationship(practitioner_account_id=doctor.account_id, patient_id=patient_id,
                               reason="consultation", starts_at=clock.now()))


def next_n() -> int:
    return next(_counter)


async def approve_consents(client: httpx.AsyncClient, user: User, patient_id: str) -> None:
    for kind in ("health_data", "online_care"):
        r = await client.post(f"/api/v1/patients/{patient_id}/consents", headers=user.headers, json={"kind": kind})
        assert r.status_code == 201, r.text


__all__ = ["identity", "PractitionerIn"]
