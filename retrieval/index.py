"""The dense product index (FAISS) with a manifest: a stale index is rebuilt, a fresh one loads.

Exact inner-product search for small catalogs; HNSW above ``HNSW_THRESHOLD`` products. Vectors are
normalised, so inner product is cosine similarity. ``add`` is guarded by a lock: FAISS index
mutation is not thread-safe, and searches must not see a half-added batch.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

HNSW_THRESHOLD = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 512  # below EF_SEARCH_STEP products; see ef_search_for
EF_SEARCH_STEP = 1_000_000
EF_SEARCH_MAX = 2048
INDEX_FILE = "products.faiss"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1
SELECTOR_MIN_SHARE = 0.5  # filters letting through more than this share are applied after search


@dataclass(frozen=True)
class Manifest:
    model: str
    dim: int
    fingerprint: str
    count: int
    kind: str
    built_at: float
    format: int = FORMAT_VERSION


def index_kind(n: int, threshold: int = HNSW_THRESHOLD) -> str:
    return "hnsw" if n >= threshold else "flat"


def ef_search_for(n: int) -> int:
    """HNSW's search breadth for an index of ``n`` products: 512 below 1M, doubled for each
    further million, at most 2,048. A fixed 512 gave recall@10 0.997 at 200k but 0.988 at 1M on
    development queries; 1,024 gave 0.997 at 1M for 1.4 ms more (`docs/retrieval.md`). Read at
    each search, so an index that grows by adds widens its search too."""
    return min(EF_SEARCH_MAX, HNSW_EF_SEARCH * 2 ** (n // EF_SEARCH_STEP))


def _new_index(dim: int, kind: str) -> faiss.Index:
    base: faiss.Index
    if kind == "hnsw":
        base = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        base.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        base.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        base = faiss.IndexFlatIP(dim)
    # IDMap2 keeps our product ids (int64) and can reconstruct vectors by id.
    return faiss.IndexIDMap2(base)


class VectorIndex:
    def __init__(self, index: faiss.Index, manifest: Manifest) -> None:
        self._index = index
        self.manifest = manifest
        self._lock = threading.RLock()
        self._ef_search: int | None = None

    @classmethod
    def build(
        cls,
        ids: np.ndarray,
        vectors: np.ndarray,
        *,
        model: str,
        fingerprint: str,
        kind: str | None = None,
        batch: int = 20_000,
        on_batch: Callable[[int], None] | None = None,
    ) -> VectorIndex:
        n, dim = vectors.shape
        kind = kind or index_kind(n)
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        index = _new_index(dim, kind)
        for start in range(0, n, batch):
            stop = min(n, start + batch)
            index.add_with_ids(
                np.ascontiguousarray(vectors[start:stop], dtype=np.float32),
                np.ascontiguousarray(ids[start:stop], dtype=np.int64),
            )
            if on_batch:
                on_batch(stop - start)
        manifest = Manifest(model, dim, fingerprint, n, kind, time.time())
        return cls(index, manifest)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def set_ef_search(self, ef: int | None) -> None:
        """Fix HNSW's search breadth (benchmarks, sweeps); None goes back to ef_search_for."""
        self._ef_search = ef

    @property
    def ef_search(self) -> int:
        return self._ef_search or ef_search_for(self.size)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add products (a seller's new listing) so they are searchable at once."""
        with self._lock:
            self._index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32),
                np.ascontiguousarray(ids, dtype=np.int64),
            )
            self.manifest = Manifest(**{**asdict(self.manifest), "count": int(self._index.ntotal)})

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (ids, scores); ``allowed`` restricts to those product ids (filters), inside
        FAISS, so a filter never empties a result list that had matches further down."""
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if self.manifest.kind == "hnsw":
            ef = max(self.ef_search, k)
            # faiss's type stubs lag its SWIG API: these exist since 1.7.3.
            params = faiss.SearchParametersHNSW(efSearch=ef)  # type: ignore[attr-defined]
        if allowed is not None and len(allowed) >= SELECTOR_MIN_SHARE * self.size:
            # A loose filter (e.g. in stock): search unfiltered, a little deeper, and filter
            # after; FAISS's ID selector costs a hash lookup per visited vector.
            want = np.asarray(allowed, dtype=np.int64)
            depth = min(self.size, int(k / max(len(want) / max(self.size, 1), 1e-3)) + 16)
            ids, scores = self.search(query, depth)
            keep = np.isin(ids, want)
            if keep.sum() >= min(k, len(want)):
                return ids[keep][:k], scores[keep][:k]
        if allowed is not None:
            if len(allowed) == 0:
                return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
            if params is None:
                params = faiss.SearchParameters()
            params.sel = selector
        with self._lock:
            k = min(k, self.size)
            if k <= 0:
                return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
            # One query is too little work to share: OpenMP threads would only spin and steal
            # the cores the query encoder needs (the setting is per calling thread).
            faiss.omp_set_num_threads(1)
            scores, ids = self._index.search(q, k, params=params)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def save(self, folder: Path) -> None:
        """Write index then manifest, each atomically: a crash leaves the old pair or a
        manifest-less index, which is treated as stale."""
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            tmp = folder / (INDEX_FILE + ".tmp")
            faiss.write_index(self._index, str(tmp))
            tmp.replace(folder / INDEX_FILE)
            mtmp = folder / (MANIFEST_FILE + ".tmp")
            mtmp.write_text(json.dumps(asdict(self.manifest), indent=2))
            mtmp.replace(folder / MANIFEST_FILE)

    @classmethod
    def load(cls, folder: Path) -> VectorIndex:
        manifest = read_manifest(folder)
        if manifest is None:
            raise FileNotFoundError(f"no index manifest in {folder}")
        index = faiss.read_index(str(folder / INDEX_FILE))
        return cls(index, manifest)


def read_manifest(folder: Path) -> Manifest | None:
    path = folder / MANIFEST_FILE
    if not path.exists() or not (folder / INDEX_FILE).exists():
        return None
    try:
        data = json.loads(path.read_text())
        manifest = Manifest(**data)
    except (ValueError, TypeError):
        return None
    return manifest if manifest.format == FORMAT_VERSION else None


def is_fresh(folder: Path, *, model: str, dim: int, fingerprint: str) -> bool:
    m = read_manifest(folder)
    return m is not None and (m.model, m.dim, m.fingerprint) == (model, dim, fingerprint)
