"""Rasa's chat channel, the gateway's only way into the dialogue (`POST /webhooks/rest/webhook`).

Rasa accepts a turn only with a short-lived JWT naming the shopper (nlu/channels.py): the gateway
signs one per request with the secret it shares with Rasa, so the shopper a device token resolved
to is the only conversation the turn can reach.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt

SECRET_HINT = "the gateway and Rasa must share JANGBOGI_RASA_JWT_SECRET (`jangbogi serve` sets it)"


class RasaError(RuntimeError):
    """Rasa did not answer usefully; ``status`` is what the gateway answers: 503 when Rasa cannot
    be reached or does not answer in time, 502 when it answers something unusable or refuses."""

    def __init__(self, message: str, status: int = 502) -> None:
        super().__init__(message)
        self.status = status


def sign(sender: str, secret: str, ttl_s: int = 60, now: float | None = None) -> str:
    """A token for one turn: HS256, ``sub`` the shopper, valid ``ttl_s`` seconds."""
    issued = int(time.time() if now is None else now)
    claims = {"sub": sender, "iat": issued, "exp": issued + ttl_s}
    return jwt.encode(claims, secret, algorithm="HS256")


class RasaClient:
    """One pooled HTTP client per process; ``transport`` lets tests stand in a fake Rasa."""

    def __init__(
        self,
        base_url: str,
        timeout_s: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        jwt_secret: str | None = None,
        token_ttl_s: int = 60,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout_s = timeout_s
        self._secret = jwt_secret
        self._ttl_s = token_ttl_s
        self._client = httpx.AsyncClient(base_url=self.base_url, timeout=timeout_s,
                                         transport=transport)  # fmt: skip

    async def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        """Rasa's replies to one user message (text and any ``custom`` payloads)."""
        headers = {}
        if self._secret:
            headers["Authorization"] = f"Bearer {sign(sender, self._secret, self._ttl_s)}"
        try:
            resp = await self._client.post(
                "/webhooks/rest/webhook",
                json={"sender": sender, "message": message},
                headers=headers,
            )
        except httpx.TimeoutException:
            raise RasaError(f"Rasa did not answer within {self._timeout_s:g} s", 503) from None
        except httpx.TransportError as exc:
            raise RasaError(f"Rasa is not reachable at {self.base_url}: {exc}", 503) from None
        if resp.status_code in (401, 403):
            raise RasaError(f"Rasa refused the gateway's turn ({resp.status_code}): {SECRET_HINT}")
        if resp.status_code != 200:
            raise RasaError(f"Rasa answered HTTP {resp.status_code}")
        try:
            data = resp.json()
        except ValueError:
            raise RasaError("Rasa answered something other than JSON") from None
        if not isinstance(data, list):
            raise RasaError("Rasa answered something other than a list of messages")
        return [m for m in data if isinstance(m, dict)]

    async def aclose(self) -> None:
        await self._client.aclose()
