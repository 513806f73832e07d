"""`jangbogi serve`'s supervisor (cli.serve over jangbogi/serve.py, with two stand-in services that
each start a worker in their process group) stops everything it started on SIGINT, SIGTERM or
SIGHUP — also when started as a background job with SIGINT ignored (`nohup … &`), where Python
alone never raises KeyboardInterrupt — during start-up as well as once up; its children do not
inherit the ignored SIGINT. And the tests' orphan check does not count an unreaped zombie."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from tests.stack import alive, descendants, ignore_sigint, process_state, stop_stack

ROOT = Path(__file__).resolve().parents[2]


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def ignores_sigint(pid: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGINT - 1) & 1)
    raise AssertionError(f"no SigIgn for {pid}")


class Launch(Protocol):
    def __call__(self, *extra: str) -> tuple[subprocess.Popen[str], list[int]]: ...


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Launch]:
    """Start the supervisor as `nohup … &` would; never leave it or its services behind."""
    started: list[tuple[subprocess.Popen[str], list[int]]] = []

    def start(*extra: str) -> tuple[subprocess.Popen[str], list[int]]:
        ports = [str(p) for p in free_ports(2)]
        env = {**os.environ, "JANGBOGI_VAR_DIR": str(tmp_path), "JANGBOGI_STARTUP_TIMEOUT_S": "30"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.jangbogi.fake_serve", *ports, *extra],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True, preexec_fn=ignore_sigint,
        )  # fmt: skip
        started.append((proc, []))
        # Two services, each with its worker: started once all four are there.
        deadline = time.monotonic() + 30
        while len(pids := descendants(proc.pid)) < 4:
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "the stand-in services did not start"
            time.sleep(0.05)
        started[-1][1].extend(pids)
        return proc, [int(p) for p in ports]

    yield start
    for proc, pids in started:
        try:
            if proc.poll() is None:
                stop_stack(proc, signal.SIGTERM, timeout_s=20)
        finally:
            for pid in pids:  # whatever survived its supervisor, with its group
                if alive(pid):
                    os.killpg(os.getpgid(pid), signal.SIGKILL)


def wait_ready(proc: subprocess.Popen[str]) -> list[str]:
    assert proc.stderr is not None
    lines: list[str] = []
    while not any("all services up" in line for line in lines):
        line = proc.stderr.readline()
        assert line, "supervisor exited before its services were up:\n" + "".join(lines)
        lines.append(line)
    return lines


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signal_stops_every_process_even_with_sigint_ignored(
    launch: Launch, sig: signal.Signals
) -> None:
    proc, ports = launch()
    lines = wait_ready(proc)
    assert "sigint at start: <Handlers.SIG_IGN: 1>" in "".join(lines)  # as under `nohup … &`
    assert all(port_open(p) for p in ports)
    pids = descendants(proc.pid)
    assert len(pids) == 4 and not any(ignores_sigint(pid) for pid in pids)
    proc.send_signal(sig)
    assert proc.wait(timeout=30) == 0
    assert proc.stderr is not None and "stopped all services" in proc.stderr.read()
    assert [pid for pid in pids if alive(pid)] == []
    assert not any(port_open(p) for p in ports)


def test_sigint_during_start_up_stops_every_process(launch: Launch) -> None:
    proc, _ports = launch("--never-healthy")
    pids = descendants(proc.pid)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0
    assert [pid for pid in pids if alive(pid)] == []


def test_an_unreaped_zombie_is_not_a_live_process() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 30
        while process_state(proc.pid) != "Z":  # exited, not reaped: what a non-reaping PID 1 keeps
            assert time.monotonic() < deadline, f"state {process_state(proc.pid)}"
            time.sleep(0.02)
        assert not alive(proc.pid)
        assert alive(os.getpid())
    finally:
        proc.wait()
    assert process_state(proc.pid) is None and not alive(proc.pid)
