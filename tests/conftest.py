"""Shared fixtures: migrated stores on SQLite and on the project machines' PostgreSQL server.

PostgreSQL tests skip with a reason where no server answers (a laptop); under CI (CI=true) a missing
server is a failure instead, so the production path is always exercised there.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from store.db import create_store_engine
from store.migrate import upgrade

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Toy models trained by the tests keep their sentence vectors out of the real models/nlu-cache.
os.environ.setdefault("JANGBOGI_NLU_CACHE_DIR", tempfile.mkdtemp(prefix="jangbogi-nlu-cache-"))

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        eng = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as exc:
        return f"no PostgreSQL at {PG_URL}: {str(exc).splitlines()[0]}"


def _unavailable(service: str, reason: str) -> None:
    """Skip without the service on a laptop; under CI=true its absence is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the {service} tests, but {reason}")
    pytest.skip(reason)


def require_postgres() -> None:
    reason = _pg_available()
    if reason is not None:
        _unavailable("PostgreSQL", reason)


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def require_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        _unavailable("Redis", f"no Redis at {REDIS_URL}: {exc}")


def pg_schema_engine() -> tuple[Engine, str]:
    """An engine confined to a fresh schema of the test database (dropped by the caller)."""
    schema = f"jb_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    engine = create_store_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    return engine, schema


def drop_pg_schema(engine: Engine, schema: str) -> None:
    engine.dispose()
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """A freshly migrated, empty store: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        eng = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    require_postgres()
    eng, schema = pg_schema_engine()
    try:
        upgrade(eng)
        yield eng
    finally:
        drop_pg_schema(eng, schema)
