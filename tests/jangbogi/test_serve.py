"""`jangbogi serve` (what `make demo` runs): all four services come up on loopback and answer their
health checks; a new shopper's device token chats through the gateway, a revoked one is refused;
Rasa refuses turns posted to it directly as another shopper, and the action server calls without
Rasa's token; an interrupt stops everything with no orphans, though the stack was started as a
background job (SIGINT ignored)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import jwt
import pytest

from tests.stack import alive, chat, start_stack, stop_stack

ROOT = Path(__file__).resolve().parents[2]
PORTS = {"rasa": 15105, "action": 15155, "gateway": 18110, "seller": 18120}
SECRET = secrets.token_urlsafe(32)  # this run's, as an operator's JANGBOGI_RASA_JWT_SECRET

pytestmark = pytest.mark.rasa


def _processes_mentioning(needle: str) -> list[int]:
    """Live processes whose command line holds ``needle`` (an unreaped zombie is not one)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid() or not alive(int(proc.name)):
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
        "JANGBOGI_RASA_JWT_SECRET": SECRET,
    }
    # A migrated, empty store: a device of a shopper it does not know yet opens a conversation.
    cli = str(ROOT / ".venv" / "bin" / "jangbogi")
    subprocess.run([cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    proc, lines = start_stack(env)
    try:
        yield proc, var, lines, env
    finally:
        stop_stack(proc)


def test_all_four_services_answer_health_checks(served) -> None:  # type: ignore[no-untyped-def]
    _proc, _var, lines, _env = served
    assert _get(f"http://127.0.0.1:{PORTS['rasa']}/")[0] == 200
    assert _get(f"http://127.0.0.1:{PORTS['action']}/health")[0] == 200
    status, body = _get(f"http://127.0.0.1:{PORTS['gateway']}/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, body = _get(f"http://127.0.0.1:{PORTS['seller']}/health")
    assert status == 200 and json.loads(body)["store"] == "ok"
    ready = "".join(lines)
    for name in ("rasa", "actions", "gateway", "seller-api"):
        assert f"ready {name}" in " ".join(ready.split())


def _devices(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    cli = str(ROOT / ".venv" / "bin" / "jangbogi")
    return subprocess.run([cli, "devices", *args], env=env, check=True, capture_output=True,
                          text=True)  # fmt: skip


def test_new_shoppers_device_chats_through_the_gateway_until_revoked(served) -> None:  # type: ignore[no-untyped-def]
    _proc, var, _lines, env = served
    added = _devices(env, "add", "serve-test")
    assert "registered new shopper 'serve-test'" in added.stderr
    device = json.loads(added.stdout.strip().splitlines()[-1])
    replies = chat(PORTS["gateway"], device["token"], "안녕하세요", timeout_s=30)
    assert replies and replies[0]["recipient_id"] == "serve-test" and replies[0]["text"]
    assert (var / "rasa-tracker.db").stat().st_size > 0  # the SQL tracker store, not memory
    _devices(env, "revoke", str(device["device_id"]))
    with pytest.raises(urllib.error.HTTPError) as refused:
        chat(PORTS["gateway"], device["token"], "안녕하세요", timeout_s=30)
    assert refused.value.code == 401


def _post_to_rasa(body: dict[str, Any], token: str | None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        f"http://127.0.0.1:{PORTS['rasa']}/webhooks/rest/webhook",
        data=json.dumps(body).encode(), headers=headers,
    )  # fmt: skip
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _token(sub: str, secret: str = SECRET, ttl: int = 60) -> str:
    now = int(time.time())
    return jwt.encode({"sub": sub, "iat": now, "exp": now + ttl}, secret, algorithm="HS256")


# Each made when its test runs (a token made at collection could expire before the stack is up).
TOKENS = {
    "no-token": lambda: None,
    "wrong-secret": lambda: _token("u00001", secret=secrets.token_urlsafe(32)),
    "expired": lambda: _token("u00001", ttl=-120),
    "sender-not-sub": lambda: _token("attacker"),  # signed for another shopper than the sender
}


@pytest.mark.parametrize(
    ("case", "status"),
    [("no-token", 401), ("wrong-secret", 401), ("expired", 401), ("sender-not-sub", 403)],
)
def test_rasa_refuses_turns_posted_directly(served, case: str, status: int) -> None:  # type: ignore[no-untyped-def]
    got, body = _post_to_rasa({"sender": "u00001", "message": "장바구니 보여줘"}, TOKENS[case]())
    assert got == status and body["error"]


def test_rasa_answers_a_turn_signed_for_its_sender(served) -> None:  # type: ignore[no-untyped-def]
    """The control for the refusals above: the same post, signed as the gateway signs it."""
    got, body = _post_to_rasa({"sender": "u00001", "message": "안녕하세요"}, _token("u00001"))
    assert got == 200 and body and body[0]["recipient_id"] == "u00001"


def test_action_server_refuses_calls_without_rasas_token(served) -> None:  # type: ignore[no-untyped-def]
    req = urllib.request.Request(
        f"http://127.0.0.1:{PORTS['action']}/webhook",
        data=json.dumps({"next_action": "action_view_cart", "tracker": {"sender_id": "u00001"}})
        .encode(), headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=30)
    assert refused.value.code == 401 and "missing token" in refused.value.read().decode()


def test_interrupt_stops_every_process(served) -> None:  # type: ignore[no-untyped-def]
    proc, _var, _lines, _env = served
    proc.send_signal(signal.SIGINT)  # ignored by the job it was started as: handled explicitly
    assert proc.wait(timeout=60) == 0
    for port in PORTS.values():
        assert not _port_open(port), f"port {port} still open"
        assert _processes_mentioning(str(port)) == [], f"orphan process on {port}"
