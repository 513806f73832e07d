"""Request limits: a cap on body size (ASGI middleware) and a token bucket per API key."""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException so that FastAPI's body parsing passes
    it on (it turns other errors into a 400) and its handler answers 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body larger than {max_bytes} bytes")


class BodySizeLimit:
    """Refuse bodies above ``max_bytes`` with 413: a declared Content-Length is checked up front,
    a chunked body is counted as it streams in, so neither can fill the memory."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _too_large(send, self.max_bytes, status=400)
                    return
                if declared > self.max_bytes:
                    await _too_large(send, self.max_bytes)
                    return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, self.max_bytes)


async def _too_large(send: Send, max_bytes: int, status: int = 413) -> None:
    detail = (
        f"request body larger than {max_bytes} bytes"
        if status == 413
        else "invalid Content-Length header"
    )
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """An in-process token bucket per key: ``rate`` tokens a second up to ``burst``.

    Right for one process (the demo); replicas behind a load balancer would each grant the full
    rate, so production sets ``JANGBOGI_REDIS_URL`` and gets :class:`RedisRateLimiter`.
    """

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Take a token; returns 0 when allowed, else the seconds until one is available."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(float(self.burst), now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate


# The same bucket kept in a Redis hash, updated atomically by one script on the server's clock
# (replicas' clocks may differ). The hash expires once a full bucket would have refilled.
_BUCKET_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(b[1]) or burst
local updated = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""


class RedisRateLimiter:
    """A token bucket per key shared by every replica through Redis. Keys are the API keys'
    digests (never the keys). When Redis cannot be reached the request is let through and the
    outage logged: a limiter outage must not take the API down with it."""

    PREFIX = "jangbogi:seller-rate:"

    def __init__(self, url: str, rate: float, burst: int) -> None:
        import redis

        self.rate = rate
        self.burst = burst
        self._redis = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._script = self._redis.register_script(_BUCKET_SCRIPT)
        self._warned = False

    def acquire(self, key: str) -> float:
        import redis

        try:
            wait = self._script(keys=[self.PREFIX + key], args=[self.rate, self.burst])
        except redis.RedisError:
            if not self._warned:
                log.exception("rate limiter: Redis unreachable; requests are not limited")
                self._warned = True
            return 0.0
        self._warned = False
        return float(wait)


Limiter = RateLimiter | RedisRateLimiter


def new_rate_limiter(rate: float, burst: int, redis_url: str | None) -> Limiter:
    """Redis-backed when a Redis URL is configured (several replicas share one budget per key),
    in-process otherwise."""
    if redis_url:
        return RedisRateLimiter(redis_url, rate, burst)
    return RateLimiter(rate, burst)


def retry_after_header(wait_s: float) -> str:
    return str(max(1, math.ceil(wait_s)))
