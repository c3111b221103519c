"""Runtime configuration, read from ``IHOSPITAL_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path.cwd()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IHOSPITAL_", env_file=".env", extra="ignore")

    env: str = "development"  # development | test | production
    database_url: str = f"sqlite+aiosqlite:///{ROOT / 'var' / 'ihospital.db'}"
    host: str = "127.0.0.1"
    port: int = 8000
    # Secret for CSRF tokens and the sandbox adapters' signatures; must be set in production.
    secret_key: str = "dev-secret-change-me"
    # Field-encryption keys: "kid:base64key,kid2:base64key"; the first is used for new writes.
    field_keys: str = ""
    # Alternative to field_keys: a file with one "kid:base64key" per line (newest first).
    key_file: Path | None = None
    # Key for the HMAC blind index (exact lookup of encrypted identity numbers and phones).
    blind_index_key: str = ""
    redis_url: str | None = None
    cookie_secure: bool = False
    session_idle_minutes: int = 30  # R-SEC-02 idle-session timeout
    token_ttl_minutes: int = 60 * 12
    login_max_failures: int = 5  # R-SEC-02 lockout threshold
    lockout_minutes: int = 15
    login_rate_per_minute: int = 10  # per phone number
    login_ip_rate_per_minute: int = 120
    sms_code_ttl_seconds: int = 300
    institution_name: str = "示范互联网医院"
    institution_licence_no: str = "PDY00001X11010511A1001"
    log_json: bool = True
    # Background jobs (outbox relay, timeouts, expiry sweeps) run in processes started with IHOSPITAL_JOBS=1.
    jobs: bool = False
    # Regulator feed: where signed events go; empty = the in-app sandbox receiver of this process.
    regulator_feed_url: str = ""
    regulator_feed_secret: str = "sandbox-regulator-secret"
    consent_version_health_data: str = "2026.1"
    consent_version_online_care: str = "2026.1"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_production(self) -> bool:
        return self.env == "production"


@lru_cache
def get_settings() -> Settings:
    return Settings()
