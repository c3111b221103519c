"""Key rotation: re-encrypt every ``Encrypted`` column whose ciphertext is not under the newest key."""

from __future__ import annotations

import sqlalchemy as sa

from ihospital.kernel.db import Base, Database
from ihospital.security.crypto import Encrypted, Keyring, keyring


def encrypted_columns() -> list[tuple[sa.Table, sa.Column]]:
    return [(table, column) for table in Base.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, Encrypted)]


async def rotate_all(db: Database, batch: int = 500) -> dict[str, int]:
    """Works in batches, each its own transaction, so a long rotation can be resumed after a stop."""
    import ihospital.models  # noqa: F401 - every table registered

    ring = keyring()
    counts: dict[str, int] = {}
    for table, column in encrypted_columns():
        pk = list(table.primary_key.columns)[0]
        raw = sa.column(column.name, sa.Text)  # bypass the type so we see the ciphertext
        done = 0
        while True:
            async with db.transaction() as session:
                rows = (await session.execute(
                    sa.select(pk, raw).select_from(table).where(raw.is_not(None),
                                                                sa.not_(raw.like(f"v1:{ring.current}:%")))
                    .limit(batch))).all()
                for row_id, token in rows:
                    plain = ring.decrypt(token)
                    await session.execute(sa.update(table).where(pk == row_id).values(
                        {column.name: sa.literal(ring.encrypt(plain), sa.Text)}))
                done += len(rows)
            if len(rows) < batch:
                break
        counts[f"{table.name}.{column.name}"] = done
    return counts


def current_key_id(ring: Keyring | None = None) -> str:
    return (ring or keyring()).current
