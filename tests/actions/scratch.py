"""A migrated SQLite store of a test's own for the actions, which read DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from store.db import create_store_engine, transaction
from store.migrate import upgrade
from store.repo.credentials import create_seller


def action_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seller: str = "s1") -> Engine:
    """An empty store in ``tmp_path`` with one seller, set as the actions' store; the var dir
    points there too, so no test reads or writes the project's index."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("JANGBOGI_VAR_DIR", str(tmp_path))
    engine = create_store_engine(url)
    upgrade(engine)
    with transaction(engine) as s:
        create_seller(s, seller, "Seller")
    return engine
