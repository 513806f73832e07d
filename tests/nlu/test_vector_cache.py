"""The NLU's vector cache (nlu/vector_cache.py): vectors come back exactly as stored, per encoder,
and a torn or unwritable cache costs time, never a training run."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest

from nlu.vector_cache import VectorCache


def encoder(fingerprint: str, dim: int = 4) -> Any:
    return cast(Any, SimpleNamespace(fingerprint=fingerprint, dim=dim))


def test_vectors_come_back_exactly_from_a_new_process(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(3, 4)).astype(np.float32)
    texts = ["hello", "세제 찾아줘", "buy water"]
    VectorCache.for_encoder(encoder("a" * 64), tmp_path).put(texts, vectors)

    again = VectorCache.for_encoder(encoder("a" * 64), tmp_path)  # nothing held in memory
    found = again.get(["buy water", "not seen", "hello"])
    assert set(found) == {"buy water", "hello"}
    np.testing.assert_array_equal(found["hello"], vectors[0])
    np.testing.assert_array_equal(found["buy water"], vectors[2])
    # a later run adds to what is there
    again.put(["not seen"], np.ones((1, 4), np.float32))
    everything = [*texts, "not seen"]
    assert set(VectorCache.for_encoder(encoder("a" * 64), tmp_path).get(everything)) == {
        *everything
    }


def test_another_encoder_has_its_own_vectors(tmp_path: Path) -> None:
    VectorCache.for_encoder(encoder("a" * 64), tmp_path).put(["hello"], np.ones((1, 4), np.float32))
    assert VectorCache.for_encoder(encoder("b" * 64), tmp_path).get(["hello"]) == {}
    # nor are vectors of another width taken
    assert VectorCache.for_encoder(encoder("a" * 64, dim=8), tmp_path).get(["hello"]) == {}


def test_a_torn_file_is_encoded_again_and_replaced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = VectorCache.for_encoder(encoder("c" * 64), tmp_path)
    cache.path.write_bytes(b"PK\x03\x04 half a zip")
    with caplog.at_level(logging.WARNING):
        assert cache.get(["hello"]) == {}
    assert "unreadable" in caplog.text
    cache.put(["hello"], np.ones((1, 4), np.float32))
    assert set(VectorCache.for_encoder(encoder("c" * 64), tmp_path).get(["hello"])) == {"hello"}


def test_an_unwritable_cache_only_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")  # a folder below a file cannot be made, even by root
    cache = VectorCache.for_encoder(encoder("d" * 64), blocker / "cache")
    with caplog.at_level(logging.WARNING):
        cache.put(["hello"], np.ones((1, 4), np.float32))
    assert "not written" in caplog.text
    assert set(cache.get(["hello"])) == {"hello"}  # this run still has it
