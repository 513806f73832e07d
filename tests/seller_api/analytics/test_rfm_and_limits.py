"""RFM scoring, cursors and the rate limiter."""

from __future__ import annotations

import pytest
from fastapi.exceptions import RequestValidationError

from seller_api.analytics.rfm import quintile_scores, segment
from seller_api.limits import RateLimiter, retry_after_header
from seller_api.pagination import decode_cursor, encode_cursor, offset_from, page


def test_quintiles() -> None:
    assert quintile_scores(list(range(10))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quintile_scores([7.0, 7.0, 7.0]) == [3, 3, 3]  # ties share a score
    assert quintile_scores([]) == []


def test_segments() -> None:
    assert segment(5, 5) == "champions"
    assert segment(2, 5) == "loyal"
    assert segment(5, 1) == "new"
    assert segment(1, 3) == "at_risk"
    assert segment(3, 2) == "regular"


def test_cursor_round_trip_and_rejects() -> None:
    items = list(range(7))
    chunk, nxt = page(items, 0, 5, "x")
    assert chunk == [0, 1, 2, 3, 4] and nxt
    chunk, last = page(items, offset_from(nxt, "x"), 5, "x")
    assert chunk == [5, 6] and last is None
    assert decode_cursor(encode_cursor({"k": "x", "o": 3}), "x") == {"k": "x", "o": 3}
    for bad in ("%%%", encode_cursor({"k": "other", "o": 1}), encode_cursor({"k": "x", "o": -1})):
        with pytest.raises(RequestValidationError):
            offset_from(bad, "x")


def test_token_bucket() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=3, clock=lambda: now[0])
    assert [limiter.acquire("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.acquire("k")
    assert wait == pytest.approx(0.5)
    assert retry_after_header(wait) == "1"
    assert limiter.acquire("other") == 0.0  # buckets are per key
    now[0] = 0.5
    assert limiter.acquire("k") == 0.0


@pytest.mark.redis
def test_redis_bucket_is_shared_by_replicas() -> None:
    """Two API processes (two limiters) on one Redis draw from one budget per key."""
    import uuid

    from seller_api.limits import RedisRateLimiter
    from tests.conftest import REDIS_URL, require_redis

    require_redis()
    key = f"test-{uuid.uuid4().hex}"
    a = RedisRateLimiter(REDIS_URL, rate=2.0, burst=3)
    b = RedisRateLimiter(REDIS_URL, rate=2.0, burst=3)
    assert [a.acquire(key), b.acquire(key), a.acquire(key)] == [0.0, 0.0, 0.0]
    wait = b.acquire(key)
    assert 0.3 < wait <= 0.5  # a token every 0.5 s; a little time has passed since the burst
    assert a.acquire(f"{key}-other") == 0.0  # buckets are per key
    ttl = a._redis.pttl(RedisRateLimiter.PREFIX + key)
    assert 0 < ttl <= 2500  # forgotten once a full bucket would have refilled


def test_unreachable_redis_lets_requests_through() -> None:
    from seller_api.limits import RedisRateLimiter

    limiter = RedisRateLimiter("redis://127.0.0.1:1/0", rate=1.0, burst=1)
    assert [limiter.acquire("k") for _ in range(3)] == [0.0, 0.0, 0.0]


def test_the_api_takes_the_redis_limiter_from_jangbogi_redis_url(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from seller_api.limits import RateLimiter, RedisRateLimiter
    from seller_api.main import create_app
    from seller_api.settings import SellerApiSettings

    monkeypatch.delenv("JANGBOGI_REDIS_URL", raising=False)
    assert isinstance(create_app(SellerApiSettings()).state.rate_limiter, RateLimiter)
    monkeypatch.setenv("JANGBOGI_REDIS_URL", "redis://127.0.0.1:6379/15")
    app = create_app(SellerApiSettings())
    assert isinstance(app.state.rate_limiter, RedisRateLimiter)
