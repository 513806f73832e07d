"""Rasa's REST channel, the gateway's only way into the dialogue (`POST /webhooks/rest/webhook`)."""

from __future__ import annotations

from typing import Any

import httpx


class RasaError(RuntimeError):
    pass


class RasaClient:
    """One pooled HTTP client per process; ``transport`` lets tests stand in a fake Rasa."""

    def __init__(
        self,
        base_url: str,
        timeout_s: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout_s, transport=transport
        )

    async def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        """Rasa's replies to one user message (text and any ``custom`` payloads)."""
        try:
            resp = await self._client.post(
                "/webhooks/rest/webhook", json={"sender": sender, "message": message}
            )
            resp.raise_for_status()
            data = resp.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaError(f"Rasa did not answer: {exc}") from exc
        if not isinstance(data, list):
            raise RasaError("Rasa answered something other than a list of messages")
        return [m for m in data if isinstance(m, dict)]

    async def aclose(self) -> None:
        await self._client.aclose()
