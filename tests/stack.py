"""Starting the whole stack (`jangbogi serve`) from a test, on ports of the test's own."""

from __future__ import annotations

import subprocess
import time
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
