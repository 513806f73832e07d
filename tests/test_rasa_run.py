"""nlu/rasa_run.py, the Rasa server's launcher: action answers are validated as Rasa validates
them (same verdicts, Rasa's message) but the schema is checked once, not per answer; the launcher
passes its arguments to Rasa's own command. Runs inside .venv-rasa, as the server does."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
SCRIPT = Path(__file__).parent / "rasa_env" / "check_rasa_run.py"

pytestmark = pytest.mark.rasa


def _rasa_python(*args: str) -> subprocess.CompletedProcess[str]:
    if not RASA_PY.exists():
        pytest.skip("no .venv-rasa: run `make venv-rasa`")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [str(RASA_PY), *args], capture_output=True, text=True, timeout=300, cwd=ROOT, env=env
    )


def test_answers_validated_as_rasa_does_with_the_schema_checked_once() -> None:
    proc = _rasa_python(str(SCRIPT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["installed"] is True
    n_good = got["n_good"]
    # Same verdict for every answer, good and bad, and Rasa's own message on the bad ones.
    assert got["ours"] == got["rasa"] == got["ours_again"]
    assert got["ours"][:n_good] == ["ok"] * n_good
    bad = got["ours"][n_good:]
    assert bad and all(v.startswith("error: ") for v in bad)
    assert all("Failed to validate Action server response" in v for v in bad)
    # Rasa checks the schema on every answer; ours once, when the first answer comes.
    assert got["schema_checks_rasa"] == len(got["rasa"])
    assert got["schema_checks_ours"] == 1


def test_launcher_runs_rasas_own_command() -> None:
    proc = _rasa_python("-m", "nlu.rasa_run", "--version")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Rasa Version" in proc.stdout and "3.6" in proc.stdout
