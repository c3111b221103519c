"""Deterministic demo data: one institution, departments, doctors, pharmacists, staff and patients.

Idempotent: running it again changes nothing. Everything goes through the same services as the app.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ihospital.identity import service as identity
from ihospital.identity.documents import check_char
from ihospital.identity.models import Department, Practitioner
from ihospital.identity.schemas import DepartmentIn, PatientIn, PractitionerIn
from ihospital.kernel.db import Database
from ihospital.security import service as security
from ihospital.security.permissions import Actor

DEMO_PASSWORD = "Demo@2026"

DEPARTMENTS = [
    ("03.01", "呼吸内科"), ("03.02", "消化内科"), ("03.03", "神经内科"), ("03.04", "心血管内科"),
    ("03.06", "肾内科"), ("03.07", "内分泌科"), ("04.03", "骨科"), ("05.01", "妇科"), ("07", "儿科"),
    ("10", "眼科"), ("11", "耳鼻咽喉科"), ("12", "口腔科"), ("13.01", "皮肤科"), ("15", "精神科"),
    ("50", "中医科"),
]
DOCTOR_NAMES = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴强", "徐丽", "孙浩",
                "马骏", "朱晓红", "胡志明"]
TITLES = ["主任医师", "副主任医师", "主治医师"]
SCOPES = {"03": "内科专业", "04": "外科专业", "05": "妇产科专业", "07": "儿科专业", "10": "眼耳鼻咽喉科专业",
          "11": "眼耳鼻咽喉科专业", "12": "口腔专业", "13": "皮肤病与性病专业", "15": "精神卫生专业", "50": "中医专业"}


@dataclass(frozen=True)
class DemoAccount:
    role: str
    name: str
    phone: str
    password: str
    totp_secret: str | None = None


def totp_secret_for(phone: str, seed: int) -> str:
    return base64.b32encode(hashlib.sha256(f"{seed}:{phone}".encode()).digest()[:20]).decode()


def make_id_number(rng: random.Random, region: str, birth: str, sex: str) -> str:
    seq = rng.randrange(10, 99) * 10 + (rng.choice([1, 3, 5, 7, 9]) if sex == "male" else rng.choice([0, 2, 4, 6, 8]))
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + check_char(first17)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


async def _ensure_account(session: AsyncSession, acc: DemoAccount) -> str:
    existing = await security.account_by_phone(session, acc.phone)
    if existing:
        return existing.id
    account = await security.create_account(session, phone=acc.phone, role=acc.role, password=acc.password,
                                            display_name=acc.name, totp_secret=acc.totp_secret)
    return account.id


async def load_demo(db: Database, seed: int = 2026) -> list[DemoAccount]:
    rng = random.Random(seed)
    accounts: list[DemoAccount] = []
    async with db.transaction() as session:
        admin = DemoAccount("admin", "系统管理员", "13900000001", DEMO_PASSWORD, totp_secret_for("13900000001", seed))
        regulator = DemoAccount("regulator", "省卫健委监管员", "13900000002", DEMO_PASSWORD,
                                totp_secret_for("13900000002", seed))
        admin_id = await _ensure_account(session, admin)
        await _ensure_account(session, regulator)
        accounts += [admin, regulator]
        admin_actor = Actor(admin_id, "admin", mfa_verified=True)
        await identity.ensure_organization(session)
        for code, name in DEPARTMENTS:
            if not await session.scalar(sa.select(Department.id).where(Department.code == code)):
                await identity.create_department(session, admin_actor, DepartmentIn(code=code, name=name))

        for i, name in enumerate(DOCTOR_NAMES):
            code = DEPARTMENTS[i % len(DEPARTMENTS)][0]
            phone = f"1380000{i + 1:04d}"
            acc = DemoAccount("doctor", f"{name}（{DEPARTMENTS[i % len(DEPARTMENTS)][1]}）", phone, DEMO_PASSWORD,
                              totp_secret_for(phone, seed))
            accounts.append(acc)
            qual, pract = _digits(rng, 15), _digits(rng, 15)
            if await security.account_by_phone(session, phone):
                continue
            p = await identity.onboard_practitioner(session, admin_actor, PractitionerIn(
                kind="doctor", phone=phone, password=DEMO_PASSWORD, name=name, sex="male" if i % 2 == 0 else "female",
                title=TITLES[i % 3], qualification_no=qual, practising_no=pract, practice_category="中医" if code == "50" else "临床",
                practice_scope=SCOPES[code[:2]], practice_institution="示范市第一人民医院", years_independent=5 + i,
                department_code=code, employer_consent=True, multi_site_filed=True,
                bio=f"从事{DEPARTMENTS[i % len(DEPARTMENTS)][1]}临床工作{5 + i}年，擅长常见病、慢性病随访管理。"))
            await _set_totp(session, p.account_id, acc.totp_secret)
            if i < len(DOCTOR_NAMES) - 1:  # the last one stays pending to show the verification queue
                await identity.verify_practitioner(session, admin_actor, p.id, approve=True)

        for i, name in enumerate(["钱药师", "孙药师"]):
            phone = f"1380001{i + 1:04d}"
            acc = DemoAccount("pharmacist", name, phone, DEMO_PASSWORD, totp_secret_for(phone, seed))
            accounts.append(acc)
            if await security.account_by_phone(session, phone):
                continue
            p = await identity.onboard_practitioner(session, admin_actor, PractitionerIn(
                kind="pharmacist", phone=phone, password=DEMO_PASSWORD, name=name, sex="female", title="主管药师",
                years_independent=6 + i, review_training=True))
            await _set_totp(session, p.account_id, acc.totp_secret)
            await identity.verify_practitioner(session, admin_actor, p.id, approve=True)

        families = [
            ("张三", "110105198503120", "male", [("张小宝", "child", "20200615", "female"), ("李桂兰", "parent", "19551103", "female")]),
            ("李四", "310104199007080", "female", [("王乐乐", "child", "20230301", "male")]),
            ("王五", "440305197211250", "male", []),
        ]
        for i, (name, prefix, sex, members) in enumerate(families):
            phone = f"1370000{i + 1:04d}"
            acc = DemoAccount("patient", name, phone, DEMO_PASSWORD)
            accounts.append(acc)
            if await security.account_by_phone(session, phone):
                continue
            account_id = await _ensure_account(session, acc)
            actor = Actor(account_id, "patient")
            number = make_id_number(rng, prefix[:6], prefix[6:14], sex)
            me = await identity.add_patient(session, actor, PatientIn(real_name=name, doc_number=number, phone=phone))
            for kind in ("health_data", "online_care"):
                await identity.grant_consent(session, actor, me.id, kind)
            for mname, rel, birth, msex in members:
                member = await identity.add_patient(session, actor, PatientIn(
                    real_name=mname, doc_number=make_id_number(rng, prefix[:6], birth, msex), relationship=rel,
                    guardian_consent=True))
                for kind in ("health_data", "online_care"):
                    await identity.grant_consent(session, actor, member.id, kind)
    return accounts


async def _set_totp(session: AsyncSession, account_id: str, secret: str | None) -> None:
    from ihospital.security.models import Account

    account = await session.get(Account, account_id)
    if account and secret:
        account.totp_secret = secret
        account.totp_enabled = True


async def demo_practitioner_count(session: AsyncSession) -> int:
    return int(await session.scalar(sa.select(sa.func.count(Practitioner.id))) or 0)
