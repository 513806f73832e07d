"""scripts/progress.py: a set-up step behind a progress bar, its output in a log, its time recorded
for the next estimate; failures show the log's tail, signals stop the whole process group."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "progress.py"


def _env(var: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "JANGBOGI_VAR_DIR": str(var), **extra}


def _run(
    var: Path, *args: str, python: list[str] | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(python or [sys.executable]), str(SCRIPT), *args],
        env=_env(var, **extra),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _times(var: Path) -> dict[str, Any]:
    return json.loads((var / "setup-times.json").read_text())


def test_success_logs_output_and_records_the_time(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        "--name",
        "Quick Step",
        "--estimate",
        "7",
        "--",
        "bash",
        "-c",
        "echo out-line; echo err-line >&2; sleep 0.3",
    )
    assert result.returncode == 0, result.stderr
    assert "Quick Step (about 0:07, estimate; log:" in result.stderr
    assert "Quick Step: done in" in result.stderr
    log = (tmp_path / "log" / "setup" / "quick-step.log").read_text()
    assert "out-line" in log and "err-line" in log  # both streams, not on the screen
    assert "out-line" not in result.stderr + result.stdout
    entry = _times(tmp_path)["quick-step"]
    assert entry["name"] == "Quick Step"
    assert 0.3 <= entry["seconds"] < 10


def test_recorded_time_is_the_next_estimate(tmp_path: Path) -> None:
    (tmp_path / "setup-times.json").write_text(
        json.dumps({"slow-step": {"name": "slow step", "seconds": 754.0}})
    )
    result = _run(tmp_path, "--name", "slow step", "--estimate", "5", "--", "sleep", "0.2")
    assert result.returncode == 0, result.stderr
    assert "about 12:34, last run" in result.stderr  # the record, not --estimate
    # This run's time replaces the record: the next estimate follows the machine.
    assert 0.2 <= _times(tmp_path)["slow-step"]["seconds"] < 10
    again = _run(tmp_path, "--name", "slow step", "--estimate", "5", "--", "true")
    assert "about 0:00, last run" in again.stderr


def test_a_quick_run_of_a_self_checking_step_is_no_estimate(tmp_path: Path) -> None:
    # `lifestyle train --if-stale` with nothing to do: seconds instead of minutes.
    result = _run(
        tmp_path, "--name", "self check", "--no-record-under", "5", "--",
        "bash", "-c", "echo 'model up to date (var/x.pkl)'",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "self check: done in 0:00: model up to date (var/x.pkl)" in result.stderr
    assert not (tmp_path / "setup-times.json").exists()


def test_failure_shows_the_log_tail_and_keeps_the_exit_code(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        "--name",
        "failing step",
        "--estimate",
        "5",
        "--",
        "bash",
        "-c",
        "for i in $(seq 1 60); do echo line-$i; done; exit 3",
    )
    assert result.returncode == 3
    shown = result.stderr
    assert "failing step FAILED (exit code 3)" in shown
    assert "line-21\n" in shown and "line-60\n" in shown  # the last 40 lines
    assert "line-20\n" not in shown
    assert f"full log: {tmp_path / 'log' / 'setup' / 'failing-step.log'}" in shown
    assert not (tmp_path / "setup-times.json").exists()  # a failed run is no estimate


def test_a_missing_command_is_a_clear_error(tmp_path: Path) -> None:
    result = _run(tmp_path, "--name", "x", "--", "no-such-command-jangbogi")
    assert result.returncode == 127
    assert "cannot run no-such-command-jangbogi" in result.stderr


def test_plain_lines_without_a_terminal_never_claim_completion(tmp_path: Path) -> None:
    # stderr is a pipe here (as in CI): periodic lines instead of a bar; past the estimate the
    # step is "longer than estimated" at 99 %, never 100 % while it runs.
    result = _run(
        tmp_path,
        "--name",
        "long step",
        "--estimate",
        "1",
        "--interval",
        "0.2",
        "--",
        "sleep",
        "1.8",
    )
    assert result.returncode == 0, result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("... long step:")]
    assert len(lines) >= 4
    assert any("longer than estimated (~0:01) (99 %)" in ln for ln in lines)
    assert not any("100 %" in ln for ln in lines)


def test_runs_without_rich(tmp_path: Path) -> None:
    # `-S`: no site-packages, so no Rich, as with a system python3 before .venv exists; the
    # guard variable stops the re-run under .venv's python.
    result = _run(
        tmp_path,
        "--name",
        "bare step",
        "--",
        "bash",
        "-c",
        "echo x; exit 4",
        python=[sys.executable, "-S"],
        _JANGBOGI_PROGRESS_REEXEC="1",
    )
    assert result.returncode == 4
    assert "bare step FAILED (exit code 4)" in result.stderr
    assert "    x\n" in result.stderr


def _on_a_terminal(var: Path, *args: str, **extra: str) -> str:
    """Runs progress.py with stderr on a pseudo-terminal; returns what the terminal was sent."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), *args],
        env=_env(var, COLUMNS="100", **extra),
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    screen = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the pty closes when the process exits
                break
            if not chunk:
                break
            screen += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    assert proc.wait(timeout=10) == 0
    return screen.decode("utf-8", errors="replace")


def test_terminal_bar_caps_at_99_percent(tmp_path: Path) -> None:
    """On a terminal: Rich's bar, at most 99 % while the command runs."""
    pytest.importorskip("rich")
    text = _on_a_terminal(tmp_path, "--name", "tty step", "--estimate", "1", "--", "sleep", "1.6")
    assert "━" in text  # Rich's bar
    assert "tty step" in text and "99 %" in text
    assert "longer than estimated" in text
    assert "100 %" not in text


def test_parallel_make_prints_lines_instead_of_bars(tmp_path: Path) -> None:
    # Under `make -j` the bars of steps running at once would overwrite one another.
    text = _on_a_terminal(
        tmp_path, "--name", "par step", "--interval", "0.2", "--", "sleep", "1",
        MAKEFLAGS=" -j2 --jobserver-auth=3,4",
    )  # fmt: skip
    assert "... par step: 0:00 of ~1:00 (0 %) [.........." in text  # a text bar, one per line
    assert "━" not in text and "\r" not in text.replace("\r\n", "\n")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_stops_the_process_group_and_records_nothing(
    tmp_path: Path, sig: signal.Signals
) -> None:
    pids = tmp_path / "pids"
    # A grandchild in the background as well: the whole group must go, not only the child.
    command = f"sleep 120 & echo $! > {pids}; echo $$ >> {pids}; wait"
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--name", "stoppable", "--", "bash", "-c", command],
        env=_env(tmp_path),
        stderr=subprocess.PIPE,
        text=True,
        # A caller's ignored SIGINT (a background job) must not make the step unstoppable.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    deadline = time.monotonic() + 30
    while not (pids.exists() and len(pids.read_text().split()) == 2):
        assert time.monotonic() < deadline, "the command did not start"
        time.sleep(0.05)
    started = [int(p) for p in pids.read_text().split()]
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + sig
    assert f"stopped ({sig.name})" in err
    assert not (tmp_path / "setup-times.json").exists()
    for pid in started:
        assert not _alive(pid), f"{pid} outlived the step"


def _alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie left for a PID 1 that does not reap."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    state = next(ln for ln in status.splitlines() if ln.startswith("State:"))
    return "Z" not in state.split()[1]
