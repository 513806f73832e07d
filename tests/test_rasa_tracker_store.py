"""Rasa's SQL tracker store keeps conversations across a restart, on SQLite and PostgreSQL; the
Redis lock store (production topology) locks and releases. Runs inside .venv-rasa, as the server
does."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL, REDIS_URL, require_postgres, require_redis

ROOT = Path(__file__).resolve().parents[1]
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
SCRIPT = Path(__file__).parent / "rasa_env" / "check_tracker_store.py"

pytestmark = pytest.mark.rasa


def _run(*args: str) -> dict:
    if not RASA_PY.exists():
        pytest.skip("no .venv-rasa: run `make venv-rasa`")
    proc = subprocess.run(
        [str(RASA_PY), str(SCRIPT), *args], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_sqlite_tracker_store_survives_restart(tmp_path: Path) -> None:
    got = _run(f"sqlite:///{tmp_path / 'tracker.db'}")
    assert got["dialect"] == "sqlite"
    assert got["found"] and got["senders"]
    assert got["texts"] == ["화장지 주세요", "네, 화장지를 찾아볼게요."]


@pytest.mark.postgres
def test_postgres_tracker_store_and_redis_lock_store() -> None:
    require_postgres()
    require_redis()
    # Rasa's venv has psycopg2, the store's has psycopg 3: same server and database.
    url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    redis_at = urlsplit(REDIS_URL)  # the server require_redis found
    got = _run(url, redis_at.hostname or "127.0.0.1", str(redis_at.port or 6379))
    assert got["dialect"] == "postgresql"
    assert got["found"] and got["senders"]
    assert got["texts"] == ["화장지 주세요", "네, 화장지를 찾아볼게요."]
    assert got["lock_held"] is True and got["lock_released"] is True
    # The tracker's table sits beside the store's tables without clashing (ours is event_log).
    eng = create_engine(PG_URL)
    with eng.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM events WHERE sender_id LIKE 'restart-%'"))
        assert n.scalar() >= 1
    eng.dispose()
