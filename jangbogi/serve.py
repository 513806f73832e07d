"""`jangbogi serve`: start the four processes, wait for their health checks, stop them all cleanly.

Each child runs in its own process group, so stopping it also stops whatever it spawned (Sanic and
uvicorn workers); Ctrl-C, SIGTERM or SIGHUP to the supervisor stops every group — even when it was
started as a background job that ignores SIGINT — and a child that dies early stops the rest, so
no orphan is left behind.

Rasa answers only the gateway: the gateway signs each chat turn with JANGBOGI_RASA_JWT_SECRET (one
random per run unless set), and Rasa calls the action server with a token derived from it. Both
reach the children through their environments, never through a file or a command line (which
every local user can read in `ps`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from jangbogi.settings import ServeSettings
from store.paths import database_url, project_root, var_dir


@dataclass
class Service:
    name: str
    argv: list[str]
    health_url: str
    public_url: str
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None


class ServeError(RuntimeError):
    pass


SECRET_VARS = ("JANGBOGI_RASA_JWT_SECRET", "JANGBOGI_ACTION_TOKEN")


def _venv_bin(venv: str, exe: str) -> str:
    return str(project_root() / venv / "bin" / exe)


def action_token(jwt_secret: str) -> str:
    """The action server's token, derived so one secret configures the stack, yet the action
    server never holds the key that signs chat turns."""
    return hmac.new(jwt_secret.encode(), b"jangbogi action server", hashlib.sha256).hexdigest()


def build_services(
    settings: ServeSettings, model_dir: Path | None = None, jwt_secret: str | None = None
) -> list[Service]:
    root = project_root()
    host = settings.host
    model_dir = model_dir or root / "models"
    if jwt_secret is None:
        configured = settings.rasa_jwt_secret
        jwt_secret = configured.get_secret_value() if configured else secrets.token_urlsafe(32)
    actions_env = {"JANGBOGI_ACTION_TOKEN": action_token(jwt_secret)}
    rasa_env = {
        "ACTION_ENDPOINT_URL": f"http://{host}:{settings.action_port}/webhook",
        "TRACKER_DB_URL": settings.tracker_db_url(),
        **settings.lock_store_env(),
        "JANGBOGI_RASA_JWT_SECRET": jwt_secret,
        **actions_env,
    }
    py = sys.executable
    return [
        Service(
            "rasa",
            [
                # Rasa's `rasa run`, with the action answers' schema checked once (nlu/rasa_run.py).
                # No --enable-api: its JWT secret would have to go on this command line, readable
                # by every local user; the gateway needs only the chat channel (credentials.yml).
                _venv_bin(".venv-rasa", "python"),
                "-m",
                "nlu.rasa_run",
                "run",
                "-i",
                host,
                "-p",
                str(settings.rasa_port),
                "-m",
                str(model_dir),
                "--endpoints",
                str(root / "endpoints.yml"),
                "--credentials",
                str(root / "credentials.yml"),
            ],
            f"http://{host}:{settings.rasa_port}/",
            f"http://{host}:{settings.rasa_port}/webhooks/rest/webhook",
            rasa_env,
        ),
        Service(
            "actions",
            [py, "-m", "actions.server", "--host", host, "--port", str(settings.action_port)],
            f"http://{host}:{settings.action_port}/health",
            f"http://{host}:{settings.action_port}/webhook",
            actions_env,
        ),
        Service(
            "gateway",
            [
                py,
                "-m",
                "uvicorn",
                "assistant.app:create_app",
                "--factory",
                "--host",
                host,
                "--port",
                str(settings.gateway_port),
            ],
            f"http://{host}:{settings.gateway_port}/health",
            f"http://{host}:{settings.gateway_port}/",
            {
                "JANGBOGI_RASA_URL": f"http://{host}:{settings.rasa_port}",
                "JANGBOGI_RASA_JWT_SECRET": jwt_secret,
                "JANGBOGI_DEMO_MODE": "1" if settings.demo_mode else "0",
            },
        ),
        Service(
            "seller-api",
            [
                py,
                "-m",
                "uvicorn",
                "seller_api.main:create_app",
                "--factory",
                "--host",
                host,
                "--port",
                str(settings.seller_port),
            ],
            f"http://{host}:{settings.seller_port}/health",
            # What `make demo` prints for it: the dashboard (the API's docs are at /docs).
            f"http://{host}:{settings.seller_port}/dashboard",
        ),
    ]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return 200 <= resp.status < 300
    except (urllib.error.URLError, OSError):
        return False


def _tail(path: Path | None, lines: int = 20) -> str:
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def start(service: Service, log_dir: Path) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    service.log_path = log_dir / f"{service.name}.log"
    # The secrets reach only the services that declare them (the action server never holds the
    # signing key, the seller API neither), whatever the supervisor's own environment holds.
    inherited = {k: v for k, v in os.environ.items() if k not in SECRET_VARS}
    env = {
        **inherited,
        "DATABASE_URL": database_url(),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONPATH": str(project_root()),
        **service.env,
    }
    with service.log_path.open("ab") as log:
        service.process = subprocess.Popen(
            service.argv,
            cwd=project_root(),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def stop(services: list[Service], grace_s: float = 15.0) -> None:
    """SIGTERM every process group, then SIGKILL what is still there after ``grace_s``."""
    live = [s for s in services if s.process and s.process.poll() is None]
    for s in live:
        assert s.process is not None
        with suppress(ProcessLookupError):
            os.killpg(s.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for s in live:
        assert s.process is not None
        with suppress(subprocess.TimeoutExpired):
            s.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        # Kill the group even if its leader exited: workers it spawned may still be there.
        with suppress(ProcessLookupError):
            os.killpg(s.process.pid, signal.SIGKILL)
        s.process.wait()


def wait_healthy(
    services: list[Service], timeout_s: float, on_ready: Callable[[Service], None]
) -> None:
    pending = list(services)
    deadline = time.monotonic() + timeout_s
    while pending:
        for s in list(pending):
            assert s.process is not None
            if s.process.poll() is not None:
                raise ServeError(
                    f"{s.name} exited with code {s.process.returncode}; log {s.log_path}:\n"
                    + _tail(s.log_path)
                )
            if _healthy(s.health_url):
                pending.remove(s)
                on_ready(s)
        if pending and time.monotonic() > deadline:
            names = ", ".join(s.name for s in pending)
            raise ServeError(f"timed out after {timeout_s:.0f}s waiting for: {names}")
        time.sleep(0.5)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class _Interrupts:
    """The supervisor's handler of :data:`STOP_SIGNALS`: raises KeyboardInterrupt, except while
    held, when the signal is only noted (raised by :meth:`raise_noted`)."""

    def __init__(self) -> None:
        self.holding = False
        self.noted: int | None = None

    def __call__(self, signum: int, _frame: object) -> None:
        if self.holding:
            self.noted = self.noted or signum
            return
        raise KeyboardInterrupt(f"signal {signum}")

    @contextmanager
    def held(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False

    def raise_noted(self) -> None:
        if self.noted is not None:
            raise KeyboardInterrupt(f"signal {self.noted}")


@contextmanager
def running(
    services: list[Service],
    timeout_s: float,
    on_ready: Callable[[Service], None] = lambda s: None,
    log_dir: Path | None = None,
) -> Iterator[list[Service]]:
    """Start every service, yield once all are healthy, and always stop them on exit.

    SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt while the services run. The handlers are
    installed explicitly, before any child starts: a supervisor started as a background job
    (`nohup … &`) inherits SIGINT ignored, and Python then never raises KeyboardInterrupt on its
    own; and a child inherits an ignored signal but not a handler (exec resets it to default).
    """
    log_dir = log_dir or var_dir() / "log"
    interrupts = _Interrupts()
    previous = {sig: signal.signal(sig, interrupts) for sig in STOP_SIGNALS}
    try:
        for s in services:
            with interrupts.held():  # never between a child's fork and recording its pid
                start(s, log_dir)
            interrupts.raise_noted()
        wait_healthy(services, timeout_s, on_ready)
        yield services
    finally:
        interrupts.holding = True  # a second Ctrl-C must not cut the clean-up short
        try:
            stop(services)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def supervise(services: list[Service]) -> str:
    """Block until a service exits (returns its name) or the supervisor is interrupted."""
    while True:
        for s in services:
            assert s.process is not None
            if s.process.poll() is not None:
                return s.name
        time.sleep(1.0)
