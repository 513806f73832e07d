"""`rasa data validate` is clean and the story tests (both languages, NLU and dialogue together)
pass against the trained model. Runs the Rasa CLI in .venv-rasa."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"

pytestmark = pytest.mark.rasa


def _rasa(*args: str) -> subprocess.CompletedProcess[str]:
    if not RASA.exists():
        pytest.skip("no .venv-rasa: run `make venv-rasa`")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([str(RASA), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)  # fmt: skip


def test_data_validates_without_warnings() -> None:
    proc = _rasa("data", "validate", "--domain", "domain.yml", "--data", "nlu",
                 "--config", "config.yml", "--fail-on-warnings")  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_stories_in_both_languages(tmp_path: Path) -> None:
    models = sorted((ROOT / "models").glob("*.tar.gz"))
    if not models:
        pytest.skip("no trained Rasa model: run `make model`")
    proc = _rasa("test", "core", "--model", str(models[-1]), "--stories",
                 str(Path(__file__).parent / "test_stories.yml"), "--out", str(tmp_path))  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    failed = tmp_path / "failed_test_stories.yml"
    text = failed.read_text() if failed.exists() else ""
    assert "story:" not in text, text
