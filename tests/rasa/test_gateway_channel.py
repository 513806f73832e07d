"""Rasa's chat channel (nlu/channels.py, credentials.yml) accepts only the gateway: a turn without
a token, with one signed by another secret, expired, too long-lived or naming no shopper is 401,
a body `sender` other than the token's `sub` is 403, and a valid turn is Rasa's REST answer for
the token's shopper. Rasa's own `rest` and `socketio` channels are closed; the health checks stay
open; Rasa will not start without the secret; Rasa sends the action server its token. Runs
tests/rasa_env/check_gateway_channel.py in .venv-rasa with Rasa's own app set-up."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
SCRIPT = ROOT / "tests" / "rasa_env" / "check_gateway_channel.py"

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def got() -> dict[str, Any]:
    if not PYTHON.exists():
        pytest.skip("no .venv-rasa: run `make venv-rasa`")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([str(PYTHON), str(SCRIPT)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env=env)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_only_the_gateway_channel_is_open(got: dict[str, Any]) -> None:
    assert got["channels"] == [["nlu.channels.GatewayInput", "rest"]]
    assert got["root"] == 200 and got["channel_health"] == 200


@pytest.mark.parametrize(
    ("case", "status", "words"),
    [
        ("no_token", 401, "missing token"),
        ("not_bearer", 401, "missing token"),
        ("wrong_secret", 401, "Signature verification failed"),
        ("expired", 401, "expired token"),
        ("long_lived", 401, "longer than 300 s"),
        ("no_sub", 401, "sub"),
        ("other_sender", 403, "sender differs"),
        ("no_message", 400, '{"message": "..."}'),
    ],
)
def test_refused_turns(got: dict[str, Any], case: str, status: int, words: str) -> None:
    assert got[case]["status"] == status and words in got[case]["body"]["error"]


def test_a_valid_turn_is_the_tokens_shopper_with_rasas_rest_answer(got: dict[str, Any]) -> None:
    for case, sender, text in (("own_sender", "u00002", "heard: 장바구니"),
                               ("sub_only", "u00003", "heard: hello")):  # fmt: skip
        assert got[case]["status"] == 200
        assert got[case]["body"] == [
            {"recipient_id": sender, "text": text},
            {"recipient_id": sender, "custom": {"type": "products", "items": []}},
        ]
    # Only the two valid turns reached the dialogue, as their tokens' shoppers.
    assert got["agent_senders"] == ["u00002", "u00003"]


def test_rasa_does_not_start_without_a_real_secret(got: dict[str, Any]) -> None:
    assert (
        got["unset_secret"].startswith("error:")
        and "JANGBOGI_RASA_JWT_SECRET" in got["unset_secret"]
    )
    assert "at least 32 characters" in got["short_secret"]


def test_rasa_sends_the_action_server_its_token(got: dict[str, Any]) -> None:
    assert got["action_headers"] == {"Authorization": "Bearer " + "a" * 64}
