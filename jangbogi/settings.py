"""Settings of the `jangbogi serve` supervisor (environment variables prefixed JANGBOGI_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from store.paths import database_url, var_dir


class ServeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JANGBOGI_")

    host: str = "127.0.0.1"
    rasa_port: int = Field(default=5005, ge=1, le=65535)
    action_port: int = Field(default=5055, ge=1, le=65535)
    gateway_port: int = Field(default=8000, ge=1, le=65535)
    seller_port: int = Field(default=8100, ge=1, le=65535)
    # Redis for Rasa's lock store; unset keeps Rasa's in-memory lock store (one Rasa server).
    redis_url: str | None = None
    startup_timeout_s: float = 240.0

    def tracker_db_url(self) -> str:
        """Rasa's tracker store URL, derived from the store's DATABASE_URL.

        PostgreSQL: the same database (the store's tables do not clash with Rasa's ``events``),
        through psycopg2, which the Rasa venv carries. SQLite: a file of its own, so Rasa's
        writes never wait on the store's writer lock.
        """
        url = make_url(database_url())
        if url.get_backend_name() == "postgresql":
            return url.set(drivername="postgresql").render_as_string(hide_password=False)
        return f"sqlite:///{var_dir() / 'rasa-tracker.db'}"

    def lock_store_env(self) -> dict[str, str]:
        if not self.redis_url:
            return {
                "LOCK_STORE_TYPE": "in_memory",
                "LOCK_STORE_HOST": "",
                "LOCK_STORE_PORT": "0",
                "LOCK_STORE_DB": "0",
            }
        url = make_url(self.redis_url)
        return {
            "LOCK_STORE_TYPE": "redis",
            "LOCK_STORE_HOST": url.host or "127.0.0.1",
            "LOCK_STORE_PORT": str(url.port or 6379),
            "LOCK_STORE_DB": (url.database or "1"),
        }
