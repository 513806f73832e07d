"""The action server (`python -m actions.server`) serves from the one process that warmed the
search model and index before binding: no worker process loading a second copy on the first
shopper's turn. It answers an action call that carries Rasa's token and refuses any other, and
stops on Ctrl-C (SIGINT) and SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.stack import scratch_store

ROOT = Path(__file__).resolve().parents[2]
PORT = 15455
TOKEN = "t" * 20 + "-action-server-test-token"


def _healthy() -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _call(text: str, type_key: str, token: str | None = TOKEN) -> dict:
    body = {
        "next_action": "action_search_product", "sender_id": "server-test", "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": "server-test", "slots": {}, "events": [], "paused": False,
            "latest_message": {"text": text, "intent": {"name": "search_product"},
                               "entities": [{"entity": "product", "value": type_key}]},
            "followup_action": None, "active_loop": {}, "latest_action_name": None,
        },
    }  # fmt: skip
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    req = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/webhook", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **auth},
    )  # fmt: skip
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_one_process_warmed_before_it_binds(stop: signal.Signals) -> None:
    from store.paths import var_dir

    if not (var_dir() / "index").exists():
        pytest.skip("no search index: run `make index`")
    assert not _healthy(), f"something already answers on port {PORT}"
    with scratch_store({**os.environ, "JANGBOGI_ACTION_TOKEN": TOKEN}) as env:
        proc = subprocess.Popen(
            [sys.executable, "-m", "actions.server", "--port", str(PORT)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 180
            while not _healthy():
                assert proc.poll() is None, proc.communicate()[1][-3000:]
                assert time.monotonic() < deadline, "action server did not come up"
                time.sleep(0.5)
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            assert children == [], "the server spawned worker processes"
            answer = _call("휴지도 찾아줘", "toilet_paper")
            text = answer["responses"][0]["text"]
            assert text.startswith("화장지 검색 결과예요"), text
            assert answer["responses"][0]["custom"]["type"] == "products"
            for token, words in ((None, "missing token"), ("x" * 45, "wrong token")):
                with pytest.raises(urllib.error.HTTPError) as refused:
                    _call("휴지도 찾아줘", "toilet_paper", token)
                assert refused.value.code == 401 and words in refused.value.read().decode()
            proc.send_signal(stop)
            assert proc.wait(timeout=30) is not None
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)  # its own group: nothing it spawned survives
                proc.wait()


def test_refuses_every_call_but_the_health_check_without_rasas_token() -> None:
    from actions.server import refusal

    assert refusal("/health", None, TOKEN) is None
    assert refusal("/webhook", f"Bearer {TOKEN}", TOKEN) is None
    assert "missing token" in str(refusal("/webhook", None, TOKEN))
    assert "missing token" in str(refusal("/actions", f"Basic {TOKEN}", TOKEN))
    assert "wrong token" in str(refusal("/webhook", f"Bearer {TOKEN}x", TOKEN))
    assert "wrong token" in str(refusal("/actions", "Bearer nope", TOKEN))


def test_does_not_start_without_a_token() -> None:
    env = {k: v for k, v in os.environ.items() if k != "JANGBOGI_ACTION_TOKEN"}
    proc = subprocess.run([sys.executable, "-m", "actions.server", "--port", str(PORT)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 2 and "JANGBOGI_ACTION_TOKEN must be set" in proc.stderr
