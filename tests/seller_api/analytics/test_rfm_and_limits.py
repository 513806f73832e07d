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
