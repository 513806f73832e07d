"""Starting the whole stack (`jangbogi serve`) from a test, on ports of the test's own."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
READY = "all services up"


def start_stack(
    env: dict[str, str], timeout_s: float = 300
) -> tuple[subprocess.Popen[str], list[str]]:
    """Run `jangbogi serve` and return once every service is healthy (with the lines it printed);
    fail the test with those lines if it does not come up."""
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "jangbogi"), "serve"],
        env=env, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if READY in line:
            return proc, lines
    proc.kill()
    pytest.fail("services did not come up:\n" + "".join(lines))


@contextmanager
def scratch_store(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """``env`` pointed at a copy of the project's var dir (the SQLite store, taken with SQLite's
    backup so a running writer is no problem, the index and the lifestyle model), so the
    shoppers, carts, orders and search events a benchmark makes stay out of the demo data. The
    copy is removed afterwards. A PostgreSQL ``DATABASE_URL`` is not copied: it is used as it is,
    and said so."""
    from store.paths import database_url, var_dir

    url = env.get("DATABASE_URL") or database_url()
    if not url.startswith("sqlite:///"):
        print(f"note: writing benchmark data into {url.split('@')[-1]}", file=sys.stderr)
        yield env
        return
    source = Path(env["JANGBOGI_VAR_DIR"]) if env.get("JANGBOGI_VAR_DIR") else var_dir()
    db = Path(url.removeprefix("sqlite:///"))
    with tempfile.TemporaryDirectory(prefix="jangbogi-bench-") as tmp:
        scratch = Path(tmp)
        for entry in source.iterdir():
            if entry.is_dir():
                shutil.copytree(entry, scratch / entry.name)
            elif entry.suffix != ".db" and not entry.name.endswith((".db-wal", ".db-shm")):
                shutil.copy2(entry, scratch / entry.name)
        with (
            closing(sqlite3.connect(db)) as src,
            closing(sqlite3.connect(scratch / db.name)) as dst,
        ):
            src.backup(dst)
        yield {**env, "JANGBOGI_VAR_DIR": str(scratch),
               "DATABASE_URL": f"sqlite:///{scratch / db.name}"}  # fmt: skip
