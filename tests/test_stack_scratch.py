"""The benchmarks' scratch store: a copy whose writes never reach the project's store."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from tests.stack import scratch_store


def test_scratch_store_is_a_copy_and_goes_away(tmp_path: Path) -> None:
    var = tmp_path / "var"
    (var / "index").mkdir(parents=True)
    (var / "index" / "manifest.json").write_text("{}")
    db = var / "jangbogi.db"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
        conn.execute("INSERT INTO t VALUES (1)")
        conn.commit()
    env = {"JANGBOGI_VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{db}"}
    with scratch_store(env) as scratch:
        copy = Path(scratch["DATABASE_URL"].removeprefix("sqlite:///"))
        assert (
            copy != db and (Path(scratch["JANGBOGI_VAR_DIR"]) / "index" / "manifest.json").exists()
        )
        with closing(sqlite3.connect(copy)) as conn:
            assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
            conn.execute("INSERT INTO t VALUES (2)")
            conn.commit()
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
    assert not copy.exists()
