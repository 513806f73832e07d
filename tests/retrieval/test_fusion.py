"""Fusion and the dense index against brute-force oracles on synthetic vectors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.fusion import RRF_K, reciprocal_rank_fusion, top_k, weighted_sum
from retrieval.index import VectorIndex, ef_search_for


def _oracle_rrf(rankings: list[list[int]], k: int = RRF_K) -> dict[int, float]:
    docs = {d for r in rankings for d in r}
    return {d: sum(1.0 / (k + r.index(d) + 1) for r in rankings if d in r) for d in docs}


@given(st.lists(st.lists(st.integers(0, 40), unique=True, max_size=25), min_size=1, max_size=3))
@settings(max_examples=200, deadline=None)
def test_rrf_matches_definition(rankings: list[list[int]]) -> None:
    got = reciprocal_rank_fusion(rankings)
    want = _oracle_rrf(rankings)
    assert got.keys() == want.keys()
    for d in want:
        assert got[d] == pytest.approx(want[d])
    ranked = top_k(got, 10)
    assert [d for d, _ in ranked] == sorted(want, key=lambda d: (-want[d], d))[:10]


def test_weighted_sum_normalises_each_leg() -> None:
    a = (np.array([1, 2, 3]), np.array([10.0, 5.0, 0.0]))
    b = (np.array([3, 4]), np.array([0.9, 0.1]))
    got = weighted_sum([a, b], [0.5, 0.5])
    assert got == pytest.approx({1: 0.5, 2: 0.25, 3: 0.5, 4: 0.0})


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_index_search_matches_brute_force(kind: str) -> None:
    rng = np.random.default_rng(7)
    vecs = rng.normal(size=(3000, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ids = np.arange(1000, 4000, dtype=np.int64)
    index = VectorIndex.build(ids, vecs, model="synthetic", fingerprint="x", kind=kind)
    recalls = []
    for q in rng.normal(size=(50, 32)).astype(np.float32):
        q /= np.linalg.norm(q)
        truth = ids[np.argsort(-(vecs @ q), kind="stable")[:10]]
        got, scores = index.search(q, 10)
        recalls.append(len(set(got) & set(truth)) / 10)
        if kind == "flat":
            assert list(got) == list(truth)
            assert scores[0] == pytest.approx(float(vecs[got[0] - 1000] @ q), abs=1e-5)
    assert np.mean(recalls) >= (1.0 if kind == "flat" else 0.95)


def test_hnsw_search_breadth_grows_with_the_index_and_is_applied() -> None:
    """The breadth follows the index size, and it reaches FAISS: a breadth of 10 loses
    neighbours on hard (random 32-d) data that the default finds, with or without a filter."""
    assert [ef_search_for(n) for n in (10, 999_999, 1_000_000, 2_500_000, 10**8)] == [
        512, 512, 1024, 2048, 2048,
    ]  # fmt: skip
    rng = np.random.default_rng(7)
    vecs = rng.normal(size=(3000, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ids = np.arange(3000, dtype=np.int64)
    index = VectorIndex.build(ids, vecs, model="synthetic", fingerprint="x", kind="hnsw")
    queries = rng.normal(size=(100, 32)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    rare = ids[ids % 3 == 0]  # a filter through FAISS's selector (a third of the products)

    def recall(allowed: np.ndarray | None) -> float:
        pool = ids if allowed is None else allowed
        hits = 0
        for q in queries:
            truth = pool[np.argsort(-(vecs[pool] @ q), kind="stable")[:10]]
            hits += len(set(index.search(q, 10, allowed)[0].tolist()) & set(truth.tolist()))
        return hits / (10 * len(queries))

    default = recall(None), recall(rare)
    index.set_ef_search(10)
    narrow = recall(None), recall(rare)
    index.set_ef_search(None)
    assert index.ef_search == 512
    assert min(default) >= 0.99 and max(narrow) < 0.95


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_filtered_search_returns_only_allowed_ids(kind: str) -> None:
    rng = np.random.default_rng(3)
    vecs = rng.normal(size=(2000, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ids = np.arange(2000, dtype=np.int64)
    index = VectorIndex.build(ids, vecs, model="synthetic", fingerprint="x", kind=kind)
    allowed = ids[ids % 97 == 0]  # a rare filter: 21 products
    q = vecs[5]
    got, _ = index.search(q, 10, allowed)
    assert len(got) == 10 and set(got) <= set(allowed)
    truth = allowed[np.argsort(-(vecs[allowed] @ q), kind="stable")[:10]]
    assert len(set(got) & set(truth)) >= (10 if kind == "flat" else 9)
    assert len(index.search(q, 10, np.empty(0, np.int64))[0]) == 0


def test_save_load_and_incremental_add(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    vecs = rng.normal(size=(100, 8)).astype(np.float32)
    index = VectorIndex.build(np.arange(100), vecs, model="m", fingerprint="f1")
    index.save(tmp_path)
    loaded = VectorIndex.load(tmp_path)
    assert loaded.size == 100 and loaded.manifest.fingerprint == "f1"
    new = rng.normal(size=(1, 8)).astype(np.float32) * 10
    loaded.add(np.array([555]), new)
    assert loaded.size == 101 and loaded.manifest.count == 101
    assert loaded.search(new[0], 1)[0][0] == 555
