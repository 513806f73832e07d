"""End to end: `jangbogi serve` (Rasa, actions, gateway), a device token from the CLI, speech in.

Checks the transcript, the intent Rasa gave the turn (read from its SQL tracker store: Rasa's HTTP
API is off, its port takes only the gateway's signed turns) and, when the trained model answers
with products, that they are of the spoken type. Slow (Rasa loads in ~20 s); skipped without a
trained model or the Rasa venv.
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
from tests.stack import scratch_store, stack_running

ROOT = Path(__file__).resolve().parents[2]
PORTS = {"rasa": 15205, "action": 15255, "gateway": 18210, "seller": 18220}

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


def _post(url: str, body: bytes, headers: dict[str, str]) -> Any:
    req = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def last_intent(env: dict[str, str], sender: str) -> str | None:
    """The intent of the sender's latest turn in Rasa's tracker store (`jangbogi serve` keeps it
    beside a SQLite store, in the store's database on PostgreSQL)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from store.paths import database_url, var_dir

    url = make_url(env.get("DATABASE_URL") or database_url())
    if url.get_backend_name() == "sqlite":
        var = Path(env["JANGBOGI_VAR_DIR"]) if env.get("JANGBOGI_VAR_DIR") else var_dir()
        url = make_url(f"sqlite:///{var / 'rasa-tracker.db'}")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT intent_name FROM events WHERE sender_id = :s AND type_name = 'user' "
                     "ORDER BY id DESC LIMIT 1"), {"s": sender},
            ).scalar()  # fmt: skip
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[str, dict[str, str]]]:
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
        with stack_running(scratch_env):
            yield token, scratch_env


def test_spoken_greeting_reaches_the_trained_assistant(stack: tuple[str, dict[str, str]]) -> None:
    token, env = stack
    body = _post(
        f"http://127.0.0.1:{PORTS['gateway']}/v1/voice",
        speak_wav("안녕하세요", voice="ko", speed=175, pitch=35),
        {"Content-Type": "audio/wav", "Authorization": f"Bearer {token}"},
    )
    assert body["language"] == "ko" and body["replies"]
    assert all(r["recipient_id"] == "voice-e2e" for r in body["replies"])
    if body["transcript"]:
        intent = last_intent(env, "voice-e2e")
        assert intent  # the intent Rasa gave the spoken words
        if "안녕" in body["transcript"]:
            assert intent == "greet"


def test_spoken_product_request_returns_products_of_that_type(
    stack: tuple[str, dict[str, str]],
) -> None:
    token, env = stack
    body = _post(
        f"http://127.0.0.1:{PORTS['gateway']}/v1/voice",
        speak_wav("화장지 주세요", voice="ko", speed=175, pitch=35),
        {"Content-Type": "audio/wav", "Authorization": f"Bearer {token}"},
    )
    assert "화장지" in body["transcript"] and body["replies"]
    products = [
        r["custom"] for r in body["replies"] if (r.get("custom") or {}).get("type") == "products"
    ]
    assert products, f"no products: the model read {last_intent(env, 'voice-e2e')!r}"
    assert {i["type_key"] for i in products[0]["items"]} == {"toilet_paper"}
