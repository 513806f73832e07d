"""Browser sessions: a signed cookie names the shopper a browser talks as.

A browser holds no device token, so the gateway binds it to a shopper on the server side: on the
first visit it creates an anonymous, cold-start shopper and sets a cookie carrying that id with an
HMAC over it. The cookie is HTTP-only (page scripts cannot read or copy it), SameSite=Strict (no
other site's page or form sends it) and only the gateway can mint it, so a client cannot name
another shopper; demo mode alone (`/?shopper=`) lets a visitor pick a known shopper.

The signing key survives restarts (a setting, else a 0600 file generated once under var/), so a
restart or a second worker keeps everyone's session.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from assistant.settings import GatewaySettings

COOKIE = "jangbogi_session"
# Cookie-authenticated requests that change something must carry this header (any value): a
# cross-site form cannot set it, and a cross-site script would need CORS, which the gateway never
# grants. SameSite=Strict already keeps the cookie off cross-site requests; this is the second lock.
CSRF_HEADER = "X-Requested-With"
ANONYMOUS_PREFIX = "web-"
KEY_BYTES = 32


def key_file(settings: GatewaySettings) -> Path:
    from store.paths import var_dir

    return settings.session_key_file or var_dir() / "gateway-session.key"


def load_key(settings: GatewaySettings) -> bytes:
    """The cookie signing key: JANGBOGI_SESSION_KEY, else the key file, created on first use."""
    if settings.session_key is not None:
        return settings.session_key.get_secret_value().encode()
    path = key_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when two workers start at once, one creates the file and the other reads it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key(path)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(KEY_BYTES) + "\n")
    return read_key(path)


def read_key(path: Path, attempts: int = 50) -> bytes:
    """The key in ``path``; waits briefly for a worker that is still writing it."""
    for _ in range(attempts):
        key = path.read_text().strip()
        if len(key) >= 2 * KEY_BYTES:
            return key.encode()
        time.sleep(0.02)
    raise RuntimeError(f"session key file {path} is empty or short; delete it to make a new one")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionSigner:
    """Makes and checks cookie values: ``b64(shopper).issued.b64(hmac)``."""

    def __init__(self, key: bytes, max_age_s: int, clock: Callable[[], float] = time.time):
        self._key, self.max_age_s, self._clock = key, max_age_s, clock

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())

    def sign(self, shopper: str) -> str:
        body = f"{_b64(shopper.encode())}.{int(self._clock())}"
        return f"{body}.{self._mac(body)}"

    def verify(self, value: str | None) -> str | None:
        """The shopper the cookie names, or None when it is missing, forged or expired."""
        if not value or value.count(".") != 2:
            return None
        body, _, mac = value.rpartition(".")
        if not hmac.compare_digest(mac, self._mac(body)):
            return None
        encoded, _, issued = body.partition(".")
        if not issued.isdigit() or self._clock() - int(issued) > self.max_age_s:
            return None
        try:
            return _unb64(encoded).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None


def new_anonymous_id() -> str:
    """A fresh shopper id for a browser: unguessable, so nobody can aim a session at it."""
    return ANONYMOUS_PREFIX + secrets.token_urlsafe(12)
