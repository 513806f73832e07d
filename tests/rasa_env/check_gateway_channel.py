"""Run by the Rasa venv (Python 3.10): the project's credentials.yml opens only
nlu.channels.GatewayInput, served by Rasa's own app set-up (`rasa run` without --enable-api) with a
stand-in agent; real HTTP requests with and without valid tokens.

Prints one JSON line with what it observed; the pytest side (tests/rasa/test_gateway_channel.py)
asserts on it.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from pathlib import Path

import aiohttp
import jwt

ROOT = Path(__file__).resolve().parents[2]
SECRET = "channel-check-" + "q" * 30 + "-0123456789"


class Agent:
    """Stands in for Rasa's agent: answers each message with a text and a custom payload."""

    def __init__(self) -> None:
        self.senders: list[str] = []

    async def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self.senders.append(message.sender_id)
        out = message.output_channel
        await out.send_text_message(message.sender_id, f"heard: {message.text}")
        await out.send_custom_json(message.sender_id, {"type": "products", "items": []})


def token(sub: str, secret: str = SECRET, ttl: int = 60) -> str:
    """An Authorization header value as the gateway makes it (or spoiled, by the arguments)."""
    now = int(time.time())
    return "Bearer " + jwt.encode({"sub": sub, "iat": now, "exp": now + ttl}, secret, "HS256")


def channels_from_credentials(secret: str | None) -> object:
    """Rasa's own reading of credentials.yml (env vars expanded) into input channels."""
    from rasa.core.run import create_http_input_channels

    if secret is None:
        os.environ.pop("JANGBOGI_RASA_JWT_SECRET", None)
    else:
        os.environ["JANGBOGI_RASA_JWT_SECRET"] = secret
    try:
        return create_http_input_channels(None, str(ROOT / "credentials.yml"))
    except Exception as exc:  # what Rasa would print at start-up
        return f"error: {type(exc).__name__}: {exc}"


async def requests(port: int) -> dict[str, object]:
    url = f"http://127.0.0.1:{port}"
    hook = f"{url}/webhooks/rest/webhook"
    got: dict[str, object] = {}
    async with aiohttp.ClientSession() as http:
        for name, path in (("root", "/"), ("channel_health", "/webhooks/rest/")):
            async with http.get(url + path) as r:
                got[name] = r.status
        cases = {
            "no_token": (None, {"sender": "u00001", "message": "장바구니"}),
            "not_bearer": ("Basic abc", {"sender": "u00001", "message": "장바구니"}),
            "wrong_secret": (token("u00001", "w" * 44), {"sender": "u00001", "message": "hi"}),
            "expired": (token("u00001", ttl=-60), {"sender": "u00001", "message": "hi"}),
            "long_lived": (token("u00001", ttl=3600), {"sender": "u00001", "message": "hi"}),
            "no_sub": (
                "Bearer " + jwt.encode({"exp": int(time.time()) + 60}, SECRET, "HS256"),
                {"message": "hi"},
            ),
            "other_sender": (token("u00002"), {"sender": "u00001", "message": "주문해줘"}),
            "no_message": (token("u00002"), {"sender": "u00002"}),
            "own_sender": (token("u00002"), {"sender": "u00002", "message": "장바구니"}),
            "sub_only": (token("u00003"), {"message": "hello"}),
        }
        for name, (auth, body) in cases.items():
            headers = {"Authorization": auth} if auth else {}
            async with http.post(hook, json=body, headers=headers) as r:
                got[name] = {"status": r.status, "body": await r.json(content_type=None)}
    return got


async def serve_and_ask() -> dict[str, object]:
    from rasa.core.run import configure_app

    channels = channels_from_credentials(SECRET)
    assert isinstance(channels, list), channels
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = configure_app(channels, enable_api=False, port=port)
    agent = Agent()
    app.ctx.agent = agent
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    try:
        got = await requests(port)
    finally:
        server.close()
        await server.wait_closed()
    got["agent_senders"] = agent.senders
    got["channels"] = [[type(c).__module__ + "." + type(c).__name__, c.name()] for c in channels]
    return got


def action_headers() -> object:
    """The headers Rasa sends the action server, as it reads them from endpoints.yml."""
    from rasa.utils.endpoints import read_endpoint_config

    os.environ.update(JANGBOGI_ACTION_TOKEN="a" * 64, ACTION_ENDPOINT_URL="http://x/webhook",
                      TRACKER_DB_URL="sqlite:///x.db", LOCK_STORE_TYPE="in_memory",
                      LOCK_STORE_HOST="", LOCK_STORE_PORT="0", LOCK_STORE_DB="0")  # fmt: skip
    endpoint = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    return endpoint.headers if endpoint else None


def main() -> dict[str, object]:
    got = asyncio.run(serve_and_ask())
    got["action_headers"] = action_headers()
    got["unset_secret"] = channels_from_credentials(None)
    got["short_secret"] = channels_from_credentials("short")
    return got


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(main(), ensure_ascii=False, default=str))
