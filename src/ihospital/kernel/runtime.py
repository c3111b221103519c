"""Process-wide handles to shared infrastructure (the database), set once at start-up.

Only handles live here, never state that matters: every fact is in the database.
"""

from __future__ import annotations

from ihospital.kernel.db import Database
from ihospital.kernel.settings import get_settings

_database: Database | None = None


def database() -> Database:
    global _database
    if _database is None:
        _database = Database(get_settings().database_url)
    return _database


def set_database(db: Database | None) -> None:
    global _database
    _database = db
