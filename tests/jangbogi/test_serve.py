"""`jangbogi serve` (what `make demo` runs): all four services come up on loopback and answer their
health checks, the chat contract answers, and an interrupt stops everything with no orphans."""

from __future__ import annotations

import json
import os
import signal
import socket
import urllib.request
from pathlib import Path

import pytest

from tests.stack import start_stack

ROOT = Path(__file__).resolve().parents[2]
PORTS = {"rasa": 15105, "action": 15155, "gateway": 18110, "seller": 18120}

pytestmark = pytest.mark.rasa


def _processes_mentioning(needle: str) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if needle in (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.status, resp.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if not list((ROOT / "models").glob("*.tar.gz")):
        pytest.skip("no trained Rasa model: run `make model`")
    if not (ROOT / ".venv-rasa" / "bin" / "rasa").exists():
        pytest.skip("no .venv-rasa: run `make venv-rasa`")
    var = tmp_path_factory.mktemp("var")
    env = {
        **os.environ,
        "JANGBOGI_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'store.db'}",
        "JANGBOGI_RASA_PORT": str(PORTS["rasa"]),
        "JANGBOGI_ACTION_PORT": str(PORTS["action"]),
        "JANGBOGI_GATEWAY_PORT": str(PORTS["gateway"]),
        "JANGBOGI_SELLER_PORT": str(PORTS["seller"]),
    }
    proc, lines = start_stack(env)
    yield proc, var, lines
    if proc.poll() is None:
        proc.kill()


def test_all_four_services_answer_health_checks(served) -> None:  # type: ignore[no-untyped-def]
    _proc, _var, lines = served
    assert _get(f"http://127.0.0.1:{PORTS['rasa']}/")[0] == 200
    assert _get(f"http://127.0.0.1:{PORTS['action']}/health")[0] == 200
    status, body = _get(f"http://127.0.0.1:{PORTS['gateway']}/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, body = _get(f"http://127.0.0.1:{PORTS['seller']}/health")
    assert status == 200 and json.loads(body)["store"] == "ok"
    ready = "".join(lines)
    for name in ("rasa", "actions", "gateway", "seller-api"):
        assert f"ready {name}" in " ".join(ready.split())


def test_chat_contract_and_tracker_on_disk(served) -> None:  # type: ignore[no-untyped-def]
    _proc, var, _lines = served
    req = urllib.request.Request(
        f"http://127.0.0.1:{PORTS['rasa']}/webhooks/rest/webhook",
        data=json.dumps({"sender": "serve-test", "message": "안녕하세요"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        replies = json.loads(resp.read())
    assert replies and replies[0]["recipient_id"] == "serve-test" and replies[0]["text"]
    assert (var / "rasa-tracker.db").stat().st_size > 0  # the SQL tracker store, not memory


def test_interrupt_stops_every_process(served) -> None:  # type: ignore[no-untyped-def]
    proc, _var, _lines = served
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 0
    for port in PORTS.values():
        assert not _port_open(port), f"port {port} still open"
        assert _processes_mentioning(str(port)) == [], f"orphan process on {port}"
