"""The audit chain detects edited, inserted and deleted rows (R-AUD-01, R-AUD-03)."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from tests.factories import make_patient, make_user
from typer.testing import CliRunner

from ihospital.kernel.db import Database
from ihospital.kernel.runtime import database
from ihospital.security import audit
from ihospital.security.models import AuditEvent


async def verify() -> audit.VerifyReport:
    async with database().transaction() as s:
        return await audit.verify(s)


async def _last_seq() -> int:
    async with database().transaction() as s:
        return int(await s.scalar(sa.select(sa.func.max(AuditEvent.seq))) or 0)


async def test_r_aud_03_chain_is_intact_then_detects_each_kind_of_tampering(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    await make_patient(client, user)
    await client.get("/api/v1/patients", headers=user.headers)
    report = await verify()
    assert report.ok and report.checked >= 3
    last = await _last_seq()

    # Edit: change the outcome of one row.
    async with database().transaction() as s:
        await s.execute(sa.update(AuditEvent).where(AuditEvent.seq == last - 1).values(outcome="denied"))
    report = await verify()
    assert any(f"seq {last - 1}: content" in p for p in report.problems)
    async with database().transaction() as s:
        await s.execute(sa.update(AuditEvent).where(AuditEvent.seq == last - 1).values(outcome="success"))
    assert (await verify()).ok

    # Delete: remove a row in the middle (and the one at the end).
    async with database().transaction() as s:
        row = dict((await s.execute(sa.select(*AuditEvent.__table__.columns).where(AuditEvent.seq == last - 1))).one()._mapping)
        await s.execute(sa.delete(AuditEvent).where(AuditEvent.seq == last - 1))
    report = await verify()
    assert any("missing" in p for p in report.problems) and any("link broken" in p for p in report.problems)
    async with database().transaction() as s:
        await s.execute(sa.insert(AuditEvent).values(**row))
    assert (await verify()).ok

    # Insert: a forged row appended with a self-consistent hash but the wrong link.
    forged = dict(row, seq=last + 1, id="forged", prev_hash="f" * 64)
    forged["hash"] = audit.chain_hash(forged)
    async with database().transaction() as s:
        await s.execute(sa.insert(AuditEvent).values(**forged))
    report = await verify()
    assert any(f"seq {last + 1}: link broken" in p for p in report.problems)
    async with database().transaction() as s:
        await s.execute(sa.delete(AuditEvent).where(AuditEvent.seq == last + 1))
    assert (await verify()).ok


async def test_r_aud_01_rolled_back_use_case_leaves_no_success_event(client: httpx.AsyncClient, db: Database) -> None:
    before = await _last_seq()
    try:
        async with db.transaction() as s:
            audit.record(s, audit.Who("x", "patient"), "test.write", "test")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert await _last_seq() == before


def test_audit_verify_cli_reports_ok(db: Database, database_url: str, monkeypatch) -> None:  # noqa: ANN001
    from ihospital.cli import app
    from ihospital.kernel.settings import get_settings

    monkeypatch.setenv("IHOSPITAL_DATABASE_URL", database_url)
    get_settings.cache_clear()
    from ihospital.kernel import runtime

    saved = runtime._database
    runtime.set_database(None)
    try:
        result = CliRunner().invoke(app, ["audit", "verify"])
    finally:
        runtime.set_database(saved)
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "OK" in result.output
