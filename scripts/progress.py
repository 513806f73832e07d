#!/usr/bin/env python3
"""Run one long set-up step behind a progress bar, its output kept in a log.

    python3 scripts/progress.py --name "training the Rasa model" --estimate 300 -- CMD ARGS...

The bar measures elapsed time against an estimate: the last successful run of the same step,
recorded in ``<var>/setup-times.json``, else ``--estimate`` seconds. It never shows 100 % while the
command runs (it stops at 99 % and says "longer than usual" past the estimate). The command's
output goes to ``<var>/log/setup/<slug>.log``; on failure the log's last 40 lines and its path are
printed and the command's exit code returned. SIGINT, SIGTERM and SIGHUP stop the command's whole
process group; the step then exits 128 + the signal and records no time. A command that checks its
own freshness (`lifestyle train --if-stale`) passes ``--no-record-under``: a quick success found
nothing to do and is no estimate of the real work.

Where stderr is not a terminal (CI, a log file) a plain line every 30 s with a text bar replaces
the live bar, and under `make -j` (the set-up runs independent steps side by side) such a line
every 10 s: live bars of parallel steps would overwrite one another. This
script runs before ``.venv`` exists, under whatever python3 is at hand: it uses Rich where it can
import it (re-running itself under ``.venv/bin/python`` when that has Rich) and plain text
otherwise, so it needs nothing but the standard library. ``<var>`` is ``JANGBOGI_VAR_DIR``, else
``var/`` of the checkout, as for the application (store/paths.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
TAIL_LINES = 40
CAP = 0.99  # the bar's ceiling while the command runs: only the command's end is 100 %
GRACE_S = 10.0  # after forwarding a signal, how long the command gets before SIGKILL
REEXEC_ENV = "_JANGBOGI_PROGRESS_REEXEC"


def _reexec_with_rich() -> None:
    """Run again under .venv's python when this one has no Rich and that one has (checked first:
    a half-built .venv whose python fails must not take the step down with it)."""
    try:
        import rich  # noqa: F401
    except ImportError:
        pass
    else:
        return
    venv_python = ROOT / ".venv" / "bin" / "python"
    if os.environ.get(REEXEC_ENV) or not venv_python.exists():
        return
    try:
        probe = subprocess.run(
            [str(venv_python), "-c", "import rich.progress"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return
    if probe.returncode != 0:
        return
    os.environ[REEXEC_ENV] = "1"
    try:
        os.execv(str(venv_python), [str(venv_python), str(Path(__file__).resolve()), *sys.argv[1:]])
    except OSError:
        del os.environ[REEXEC_ENV]


def var_dir() -> Path:
    home = Path(os.environ.get("JANGBOGI_HOME", ROOT))
    return Path(os.environ.get("JANGBOGI_VAR_DIR", home / "var")).resolve()


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "step"


def clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def read_times(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def recorded_seconds(path: Path, slug: str) -> float | None:
    entry = read_times(path).get(slug)
    seconds = entry.get("seconds") if isinstance(entry, dict) else None
    if isinstance(seconds, (int, float)) and seconds > 0:
        return float(seconds)
    return None


def record_time(path: Path, slug: str, name: str, seconds: float) -> None:
    """Written to a temporary file and renamed: two steps of a `make -j` run may record at once,
    and a reader must never see half a file (the last writer wins, which loses at most one
    estimate)."""
    times = read_times(path)
    times[slug] = {
        "name": name,
        "seconds": round(seconds, 1),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".setup-times-", suffix=".json", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(times, fh, indent=1, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, path)


def log_tail(path: Path, lines: int = TAIL_LINES) -> list[str]:
    """The last lines as a terminal would have shown them: a line rewritten with carriage
    returns (pip's and tqdm's progress) counts once, as its last state."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(fh.tell() - 256 * 1024, 0))
            data = fh.read()
    except OSError:
        return []
    text = data.decode("utf-8", errors="replace")
    shown = [line.rstrip("\r").rsplit("\r", 1)[-1] for line in text.split("\n")]
    while shown and not shown[-1].strip():
        shown.pop()
    return shown[-lines:]


def parallel_make() -> bool:
    """Under `make -j` several steps run at once: bars redrawn in place by each of them would
    overwrite one another, so each prints plain lines, prefixed with its name, instead."""
    flags = os.environ.get("MAKEFLAGS", "")
    return "--jobserver" in flags or re.search(r"(?:^|\s)-j(?!1\b)\d*(?:\s|$)", flags) is not None


class Display:
    """What the user sees while the command runs: a Rich bar, a plain carriage-return bar, or a
    plain line every ``interval`` seconds when stderr is no terminal."""

    def __init__(self, name: str, estimate: float, known: bool, interval: float) -> None:
        self.name = name
        self.estimate = estimate
        self.late = "longer than usual" if known else "longer than estimated"
        self.interval = min(interval, 10.0) if parallel_make() and sys.stderr.isatty() else interval
        self.last_plain = 0.0
        self.progress: Any = None
        self.task: Any = None
        self.tty = sys.stderr.isatty() and not parallel_make()
        try:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn
        except ImportError:
            return
        console = Console(stderr=True)
        self.tty = console.is_terminal and not parallel_make()
        if self.tty:
            self.progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(complete_style="cyan"),
                TextColumn("{task.percentage:>3.0f} %"),
                TextColumn("{task.fields[clock]}"),
                console=console,
                transient=True,
            )

    def fraction(self, elapsed: float) -> float:
        return min(elapsed / self.estimate, CAP) if self.estimate > 0 else CAP

    def status(self, elapsed: float) -> str:
        if elapsed > self.estimate:
            return f"{clock(elapsed)}, {self.late} (~{clock(self.estimate)})"
        return f"{clock(elapsed)} of ~{clock(self.estimate)}"

    def start(self) -> None:
        if self.progress is not None:
            self.progress.start()
            self.task = self.progress.add_task(self.name, total=1000, clock=self.status(0))

    def update(self, elapsed: float) -> None:
        if self.progress is not None:
            self.progress.update(
                self.task, completed=1000 * self.fraction(elapsed), clock=self.status(elapsed)
            )
        elif self.tty:
            line = f"{self.name} {self.bar(elapsed)} "
            line += f"{100 * self.fraction(elapsed):3.0f} % {self.status(elapsed)}"
            sys.stderr.write("\r" + line + "\033[K")
            sys.stderr.flush()
        elif elapsed - self.last_plain >= self.interval:
            self.last_plain = elapsed
            sys.stderr.write(
                f"... {self.name}: {self.status(elapsed)} ({100 * self.fraction(elapsed):.0f} %) "
                f"{self.bar(elapsed)}\n"
            )
            sys.stderr.flush()

    def bar(self, elapsed: float, width: int = 30) -> str:
        done = int(width * self.fraction(elapsed))
        return f"[{'#' * done}{'.' * (width - done)}]"

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
        elif self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def open_log(slug: str) -> tuple[Path, IO[bytes]]:
    path = var_dir() / "log" / "setup" / f"{slug}.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path, path.open("wb")
    except OSError as exc:
        # The step itself may still work (e.g. it writes elsewhere): keep its log in /tmp.
        fd, tmp = tempfile.mkstemp(prefix=f"jangbogi-{slug}-", suffix=".log")
        print(f"warning: cannot write {path} ({exc.strerror}); logging to {tmp}", file=sys.stderr)
        return Path(tmp), os.fdopen(fd, "wb")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="progress.py",
        description="Run a set-up step behind a progress bar; its output goes to a log.",
        usage="%(prog)s --name NAME [--estimate SECONDS] -- CMD [ARGS...]",
    )
    parser.add_argument("--name", required=True, help="the step's name, shown beside the bar")
    parser.add_argument(
        "--estimate",
        type=float,
        default=60.0,
        help="seconds the step takes when no earlier run is recorded (default 60)",
    )
    parser.add_argument("--slug", help="key of the log and the recorded time (default: from name)")
    parser.add_argument(
        "--interval",
        type=float,
        default=30.0,
        help="seconds between plain progress lines when stderr is no terminal (default 30)",
    )
    parser.add_argument(
        "--no-record-under",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="a success quicker than this found nothing to do (a command that checks its own "
        "freshness): its time is no estimate and is not recorded",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    if not args.command:
        parser.error("no command given (put it after --)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.environ.pop(REEXEC_ENV, None)  # not for the command: a nested step may re-exec too
    slug = args.slug or slugify(args.name)
    times_path = var_dir() / "setup-times.json"
    recorded = recorded_seconds(times_path, slug)
    estimate = recorded if recorded is not None else max(args.estimate, 1.0)
    log_path, log = open_log(slug)
    shown_log = _shown(log_path)

    stop_signal: list[int] = []

    def on_signal(signum: int, _frame: Any) -> None:
        if not stop_signal:
            stop_signal.append(signum)

    # Handled even where the caller left SIGINT ignored (a job started with `&` from a script, or
    # under nohup): a deliberate SIGINT must still stop the step, and the command, started with
    # these signals handled here, gets them at their defaults rather than ignored.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    basis = "last run" if recorded is not None else "estimate"
    print(
        f"==> {args.name} (about {clock(estimate)}, {basis}; log: {shown_log})",
        file=sys.stderr,
        flush=True,
    )
    log.write(f"$ {shlex.join(args.command)}\n".encode())
    log.flush()
    # A live log (`tail -f` shows where it is), and lines Rich does not wrap at 80 columns.
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": os.environ.get("COLUMNS", "200")}
    started = time.monotonic()
    try:
        # Its own session: the terminal's Ctrl-C reaches this script, which stops the command's
        # whole group (workers included) rather than leaving part of it running.
        child = subprocess.Popen(
            args.command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
    except OSError as exc:
        log.close()
        print(f"error: {args.name}: cannot run {args.command[0]}: {exc.strerror}", file=sys.stderr)
        return 127
    display = Display(args.name, estimate, recorded is not None, args.interval)
    display.start()
    signalled_at: float | None = None
    try:
        while child.poll() is None:
            now = time.monotonic()
            if stop_signal and signalled_at is None:
                signalled_at = now
                _signal_group(child.pid, stop_signal[0])
            elif signalled_at is not None and now - signalled_at > GRACE_S:
                _signal_group(child.pid, signal.SIGKILL)
            display.update(now - started)
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=0.2)
    finally:
        display.stop()
        log.close()
    elapsed = time.monotonic() - started
    code = child.returncode

    if stop_signal:
        _signal_group(child.pid, signal.SIGKILL)  # whatever of the group outlived the command
        name = signal.Signals(stop_signal[0]).name
        print(f"==> {args.name}: stopped ({name}) after {clock(elapsed)}", file=sys.stderr)
        return 128 + stop_signal[0]
    if code != 0:
        if code < 0:  # killed by a signal not ours (OOM killer, a user's kill)
            reason = f"killed by {signal.Signals(-code).name}"
            code = 128 - code
        else:
            reason = f"exit code {code}"
        tail = log_tail(log_path)
        print(
            f"==> {args.name} FAILED ({reason}) after {clock(elapsed)}; "
            f"last {len(tail)} lines of its log:",
            file=sys.stderr,
        )
        for line in tail:
            print(f"    {line}", file=sys.stderr)
        print(f"full log: {_shown(log_path)}", file=sys.stderr)
        return code
    if elapsed >= args.no_record_under:
        try:
            record_time(times_path, slug, args.name, elapsed)
        except OSError as exc:
            print(f"warning: cannot record the time in {times_path}: {exc}", file=sys.stderr)
    # A quick success of a self-checking command: its last word says why ("up to date").
    last = log_tail(log_path, 1) if elapsed < args.no_record_under else []
    said = f": {last[0].strip()[:100]}" if last and not last[0].startswith("$ ") else ""
    print(f"==> {args.name}: done in {clock(elapsed)}{said}", file=sys.stderr)
    return 0


def _shown(path: Path) -> str:
    """The path as the user typed the checkout: relative when under the current folder (no
    Path.is_relative_to: this may run on a system python3 older than 3.9)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


if __name__ == "__main__":
    _reexec_with_rich()
    sys.exit(main())
