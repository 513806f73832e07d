"""Settings of the `jangbogi serve` supervisor (environment variables prefixed JANGBOGI_)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from store.paths import database_url, var_dir

MIN_SECRET_CHARS = 32
# Words of example values copied from docs and templates; long enough that a random secret holds
# one by chance about once in ten million (a 3-letter word: once in a thousand).
PLACEHOLDERS = ("changeme", "change-me", "change_me", "placeholder", "example", "secret",
                "password")  # fmt: skip


def weak_secret(secret: str) -> str | None:
    """Why ``secret`` is unfit to sign Rasa's tokens, or None. Fails fast at `jangbogi serve`
    instead of running with a secret anyone can guess."""
    hint = (
        "set JANGBOGI_RASA_JWT_SECRET to a random value, e.g. "
        "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`, or unset it and "
        "`jangbogi serve` makes one per run"
    )
    if len(secret) < MIN_SECRET_CHARS:
        return (
            f"JANGBOGI_RASA_JWT_SECRET is {len(secret)} characters, under {MIN_SECRET_CHARS}: "
            + hint
        )
    lowered = secret.lower()
    if any(word in lowered for word in PLACEHOLDERS) or len(set(secret)) < 10:
        return f"JANGBOGI_RASA_JWT_SECRET looks like a placeholder: {hint}"
    return None


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
    # Shared by the gateway (signs a short-lived token per chat turn) and Rasa's channel (checks
    # it); the action server's token derives from it. Unset: a random one per run, never on disk.
    rasa_jwt_secret: SecretStr | None = None
    # `jangbogi serve` is the one-machine demo (`make demo`; production runs each process on its
    # own, docs/deploy.md): its gateway runs in demo mode, where the shopper page's
    # `/?shopper=u00001` acts as a demo shopper. JANGBOGI_DEMO_MODE=0 turns that off.
    demo_mode: bool = True

    @field_validator("rasa_jwt_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("rasa_jwt_secret")
    @classmethod
    def _strong_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            problem = weak_secret(value.get_secret_value())
            if problem:
                raise ValueError(problem)
        return value

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
