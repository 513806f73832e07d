"""Starting the whole stack (`jangbogi serve`) from a test, on ports of the test's own; talking
to it as a client does (through the gateway, with a device token); and stopping it so that nothing
is left behind even when a test fails."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
READY = "all services up"


def start_stack(
    env: dict[str, str], timeout_s: float = 300
) -> tuple[subprocess.Popen[str], list[str]]:
    """Run `jangbogi serve` and return once every service is healthy (with the lines it printed);
    fail the test with those lines if it does not come up (stopping whatever did).

    Started as a background job is (`nohup … &`): SIGINT ignored, so every stop by SIGINT also
    checks that the supervisor handles it itself. In a session of its own, so a stuck supervisor
    can be killed with its group (see :func:`stop_stack`).
    """
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "jangbogi"), "serve"],
        env=env, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        start_new_session=True, preexec_fn=ignore_sigint,
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
    stop_stack(proc, signal.SIGTERM)
    pytest.fail("services did not come up:\n" + "".join(lines))


def ignore_sigint() -> None:
    """In a child before exec: what `nohup … &` leaves a job with (an inherited SIG_IGN)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def process_state(pid: int) -> str | None:
    """The state letter in /proc (R, S, Z…), or None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def alive(pid: int) -> bool:
    """A running process. An exited one whose parent has not reaped it yet (Z, e.g. under a PID 1
    that never reaps) holds no port, memory or files: it is not a live orphan."""
    return process_state(pid) not in (None, "Z", "X")


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def descendants(pid: int) -> list[int]:
    out, todo = [], children(pid)
    while todo:
        child = todo.pop()
        out.append(child)
        todo += children(child)
    return out


def stop_stack(
    proc: subprocess.Popen[str], sig: int = signal.SIGTERM, timeout_s: float = 60
) -> int:
    """Stop `jangbogi serve` with ``sig`` and return its exit code. Should it not stop within
    ``timeout_s``, kill it and every service's process group (each service leads its own), then
    raise, so a hung supervisor fails the test without leaving four servers running."""
    groups = children(proc.pid) if proc.poll() is None else []
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        for pgid in [proc.pid, *groups]:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
        proc.wait()
        raise


@contextmanager
def stack_running(env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """`jangbogi serve` for the ``with`` block, stopped however the block ends."""
    proc, _lines = start_stack(env)
    try:
        yield proc
    finally:
        stop_stack(proc)


def register_devices(database_url: str, shoppers: Iterable[str]) -> dict[str, str]:
    """A device token per shopper (new shoppers start cold), as `jangbogi devices add` makes."""
    from store.db import create_store_engine, transaction
    from store.repo.credentials import add_device
    from store.repo.shoppers import get_or_create_shopper

    engine = create_store_engine(database_url)
    tokens = {}
    try:
        with transaction(engine) as s:
            for shopper in shoppers:
                get_or_create_shopper(s, shopper)
                tokens[shopper] = add_device(s, shopper, "test").secret
    finally:
        engine.dispose()
    return tokens


def chat(gateway_port: int, token: str, message: str, timeout_s: float = 120) -> Any:
    """One turn through the gateway (`POST /v1/chat`): Rasa's reply list."""
    req = urllib.request.Request(
        f"http://127.0.0.1:{gateway_port}/v1/chat",
        data=json.dumps({"message": message}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(req, timeout=timeout_s) as resp:
        return json.loads(resp.read())


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
