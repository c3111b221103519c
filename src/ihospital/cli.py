"""The ``ihospital`` command: serve, migrate, demo data, audit verification, keys, engines."""

from __future__ import annotations

import asyncio
import json

import typer

from ihospital.kernel.settings import get_settings

app = typer.Typer(help="ihospital 互联网医院 admin and data commands", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations")
demo_app = typer.Typer(help="Demo data")
audit_app = typer.Typer(help="Audit trail")
keys_app = typer.Typer(help="Field-encryption keys")
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")


def _register_engine_clis() -> None:
    import importlib.util

    if importlib.util.find_spec("ihospital.triage.cli"):  # TODO(integration): import unconditionally
        from ihospital.triage.cli import app as triage_app

        app.add_typer(triage_app, name="triage", help="AI triage engine (智能导诊)")
    if importlib.util.find_spec("ihospital.prescribing.cli"):
        from ihospital.prescribing.cli import app as rx_app

        app.add_typer(rx_app, name="rx", help="Prescription review engine (智能审方)")


_register_engine_clis()


@db_app.command("upgrade")
def db_upgrade(revision: str = "heads") -> None:
    """Apply migrations to IHOSPITAL_DATABASE_URL (creates ./var for the embedded SQLite)."""
    from pathlib import Path

    from ihospital.kernel.migrate import upgrade

    url = get_settings().database_url
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    upgrade(url, revision)
    typer.echo(f"migrated {url.split('@')[-1]} to {revision}")


@demo_app.command("load")
def demo_load(seed: int = 2026, quiet: bool = False) -> None:
    """Load the deterministic demo data (idempotent) and print the demo accounts."""
    from ihospital.demo import load_demo
    from ihospital.kernel.runtime import database

    accounts = asyncio.run(_with_db(load_demo(database(), seed)))
    if quiet:
        return
    names = {"patient": "患者", "doctor": "医生", "pharmacist": "药师", "admin": "管理员", "regulator": "监管"}
    typer.echo("\n演示账号 / demo accounts (password login; staff also need the TOTP code):")
    typer.echo(f"{'role':<11}{'name':<22}{'phone':<13}{'password':<11}TOTP secret")
    for acc in accounts:
        typer.echo(f"{names[acc.role] + '/' + acc.role:<11}{acc.name:<22}{acc.phone:<13}{acc.password:<11}"
                   f"{acc.totp_secret or '-'}")
    typer.echo("Current TOTP code for a staff account: ihospital totp PHONE")


async def _with_db(coro):  # noqa: ANN001, ANN202
    from ihospital.kernel.runtime import database

    try:
        return await coro
    finally:
        await database().dispose()


@app.command("totp")
def totp_code(phone: str) -> None:
    """Print the current TOTP code of a demo staff account (development only)."""
    import pyotp

    from ihospital.demo import totp_secret_for

    if get_settings().is_production:
        raise typer.Exit(2)
    typer.echo(pyotp.TOTP(totp_secret_for(phone, 2026)).now())


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the hash chain; report any edited, inserted or deleted row. Exit 1 if broken."""
    from ihospital.kernel.runtime import database
    from ihospital.security.audit import verify

    async def run():  # noqa: ANN202
        async with database().transaction() as session:
            return await verify(session)

    report = asyncio.run(_with_db(run()))
    for problem in report.problems:
        typer.echo(f"BROKEN {problem}")
    typer.echo(f"checked {report.checked} audit events: {'OK' if report.ok else 'TAMPERED'}")
    raise typer.Exit(0 if report.ok else 1)


@keys_app.command("generate")
def keys_generate(kid: str) -> None:
    """Print a new key entry ``kid:base64`` to put first in IHOSPITAL_FIELD_KEYS or the key file."""
    from ihospital.security.crypto import generate_key

    typer.echo(f"{kid}:{generate_key()}")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every encrypted column under the newest configured key."""
    from ihospital.kernel.runtime import database
    from ihospital.security.rotation import rotate_all

    counts = asyncio.run(_with_db(rotate_all(database())))
    typer.echo(json.dumps(counts, ensure_ascii=False))


@app.command("serve")
def serve(host: str | None = None, port: int | None = None, workers: int = 1) -> None:
    """Start the web server (uvicorn)."""
    import uvicorn

    s = get_settings()
    uvicorn.run("ihospital.app:create_app", factory=True, host=host or s.host, port=port or s.port,
                workers=workers, log_config=None, proxy_headers=True)


if __name__ == "__main__":
    app()
