"""End to end: `jangbogi serve` (Rasa, actions, gateway), a device token from the CLI, speech in.

Checks the transcript, the intent Rasa saw for it (`/model/parse`) and, when the trained model
answers with products, that they are of the spoken type. Slow (Rasa loads in ~20 s); skipped
without a trained model or the Rasa venv.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.assistant.speech import espeak_missing, speak_wav
from tests.stack import scratch_store, start_stack

ROOT = Path(__file__).resolve().parents[2]
PORTS = {"rasa": 15205, "action": 15255, "gateway": 18210, "seller": 18220}

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


def _post(url: str, body: bytes, headers: dict[str, str]) -> Any:
    req = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[str, str]]:
    if not list((ROOT / "models").glob("*.tar.gz")):
        pytest.skip("no trained Rasa model: run `make model`")
    if not (ROOT / ".venv-rasa" / "bin" / "rasa").exists():
        pytest.skip("no .venv-rasa: run `make venv-rasa`")
    if espeak_missing():
        pytest.skip(str(espeak_missing()))
    # A copy of the seeded demo store (`make setup`): the product request needs its catalogue and
    # index, and the device and conversations stay out of the demo data.
    env = {**os.environ, **{f"JANGBOGI_{k.upper()}_PORT": str(v) for k, v in PORTS.items()}}
    with scratch_store(env) as scratch_env:
        cli = str(ROOT / ".venv" / "bin" / "jangbogi")
        added = subprocess.run(
            [cli, "devices", "add", "voice-e2e"],
            env=scratch_env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        token = json.loads(added.stdout.strip().splitlines()[-1])["token"]
        proc, _ = start_stack(scratch_env)
        try:
            yield token, f"http://127.0.0.1:{PORTS['rasa']}"
        finally:
            proc.terminate()
            proc.wait(timeout=60)


def test_spoken_greeting_reaches_the_trained_assistant(stack: tuple[str, str]) -> None:
    token, rasa = stack
    body = _post(
        f"http://127.0.0.1:{PORTS['gateway']}/v1/voice",
        speak_wav("안녕하세요", voice="ko", speed=175, pitch=35),
        {"Content-Type": "audio/wav", "Authorization": f"Bearer {token}"},
    )
    assert body["language"] == "ko" and body["replies"]
    assert all(r["recipient_id"] == "voice-e2e" for r in body["replies"])
    if body["transcript"]:
        parsed = _post(
            f"{rasa}/model/parse",
            json.dumps({"text": body["transcript"]}).encode(),
            {"Content-Type": "application/json"},
        )
        assert parsed["intent"]["name"]  # the intent Rasa saw for the spoken words
        if "안녕" in body["transcript"]:
            assert parsed["intent"]["name"] == "greet"


def test_spoken_product_request_returns_products_of_that_type(stack: tuple[str, str]) -> None:
    token, rasa = stack
    body = _post(
        f"http://127.0.0.1:{PORTS['gateway']}/v1/voice",
        speak_wav("화장지 주세요", voice="ko", speed=175, pitch=35),
        {"Content-Type": "audio/wav", "Authorization": f"Bearer {token}"},
    )
    assert "화장지" in body["transcript"] and body["replies"]
    parsed = _post(
        f"{rasa}/model/parse",
        json.dumps({"text": body["transcript"]}).encode(),
        {"Content-Type": "application/json"},
    )
    products = [
        r["custom"] for r in body["replies"] if (r.get("custom") or {}).get("type") == "products"
    ]
    assert products, f"no products: the model read {parsed['intent']['name']!r}"
    assert {i["type_key"] for i in products[0]["items"]} == {"toilet_paper"}
