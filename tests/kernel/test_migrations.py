"""Models and Alembic migrations do not drift, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ihospital.kernel.db import Database
from ihospital.models import metadata


async def test_models_match_migrated_schema(db: Database) -> None:
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), metadata))
    assert diff == [], f"models and migrations drift: {diff}"


async def test_migrations_are_at_head(db: Database) -> None:
    from alembic.script import ScriptDirectory

    from ihospital.kernel.migrate import alembic_config

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    async with db.engine.connect() as conn:
        current = await conn.run_sync(lambda sync: set(MigrationContext.configure(sync).get_current_heads()))
    assert current == heads
