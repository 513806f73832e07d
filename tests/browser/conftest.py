"""Browser tests: Playwright driving Debian's Chromium against the real services.

`browser` is one headless Chromium for the session; :func:`launch` starts another with extra
command-line switches (e.g. :data:`FAKE_MEDIA` and ``--use-file-for-fake-audio-capture=clip.wav``
for the mic). `stack` is `jangbogi serve` on a scratch copy of the demo store (`make setup` seeds
it), with demo mode off, on free ports (two runs never meet), shared by every browser test of the
session.

Chromium comes from `make browser` (Debian's package at /usr/bin/chromium, or JANGBOGI_CHROMIUM):
Playwright's own browser download does not work everywhere, so it is never used.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.stack import scratch_store, stack_running

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Chromium grants the microphone without asking and captures a synthetic device (a beep, or the
# file named by --use-file-for-fake-audio-capture).
FAKE_MEDIA = ("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream")
SERVICES = ("rasa", "action", "gateway", "seller")


def free_port() -> int:
    """A port nothing listens on now: two test runs on one machine (or a demo on the default
    ports) never meet each other's services."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chromium_path() -> str:
    """The Chromium to launch; fails (never skips) when there is none: `make test` installs it."""
    path = os.environ.get("JANGBOGI_CHROMIUM") or DEFAULT_CHROMIUM
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"no Chromium at {path}: run `make browser` (installs Debian's chromium package) "
            "or set JANGBOGI_CHROMIUM to a Chromium executable"
        )
    return path


def launch(playwright: Playwright, *args: str) -> Browser:
    """A headless Chromium with extra switches; the caller closes it."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=list(args)
    )


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed in .venv: run `make venv` (it is a dev extra)")
    from playwright.sync_api import expect

    # expect() waits 5 s by default; a turn through Rasa and the action server can take longer
    # on a busy 2-core machine.
    expect.set_options(timeout=30_000)
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the session; give each test a context of its own."""
    chromium = launch(playwright)
    try:
        yield chromium
    finally:
        chromium.close()


@dataclass(frozen=True)
class Stack:
    """The running services: base URLs and the scratch environment they run in."""

    env: dict[str, str]
    gateway: str
    seller: str

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    @property
    def var_dir(self) -> Path:
        return Path(self.env["JANGBOGI_VAR_DIR"])

    def credentials(self) -> dict[str, Any]:
        """The scratch copy's demo credentials (device tokens, seller API keys)."""
        data: dict[str, Any] = json.loads((self.var_dir / "demo-credentials.json").read_text())
        return data

    def cli(self, *args: str) -> str:
        """Run `jangbogi …` on the scratch store; its standard output."""
        done = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "jangbogi"), *args],
            env=self.env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        return done.stdout


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """`jangbogi serve` on a scratch copy of the demo store, demo mode off (a shopper is who the
    session cookie says); stopped at the end of the session."""
    if not list((ROOT / "models").glob("*.tar.gz")):
        pytest.skip("no trained Rasa model: run `make model`")
    if not (ROOT / ".venv-rasa" / "bin" / "rasa").exists():
        pytest.skip("no .venv-rasa: run `make venv-rasa`")
    ports = {name: free_port() for name in SERVICES}
    env = {
        **os.environ,
        **{f"JANGBOGI_{name.upper()}_PORT": str(port) for name, port in ports.items()},
        "JANGBOGI_HOST": "127.0.0.1",
        "JANGBOGI_DEMO_MODE": "0",
        # Known to the tests (a run's own, never on disk), so a test can start another gateway
        # that Rasa accepts turns from.
        "JANGBOGI_RASA_JWT_SECRET": secrets.token_urlsafe(32),
    }
    with scratch_store(env) as scratch_env, stack_running(scratch_env):
        yield Stack(
            scratch_env,
            gateway=f"http://127.0.0.1:{ports['gateway']}",
            seller=f"http://127.0.0.1:{ports['seller']}",
        )
