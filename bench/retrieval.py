"""Retrieval benchmark: query latency, index build time, approximate recall and index memory.

For each catalog size (default 10k, 100k, 1M) it measures, in one run:
- build time of the exact (flat) index — the baseline — and of the HNSW index, with the ratio;
- recall@10 of HNSW against exact search on the same queries;
- memory of each index (serialised size);
- up to 100k: end-to-end query latency p50/p95 of the real service path (MiniLM query embedding,
  FAISS + BM25, fusion, boosts, personal re-rank of 100 candidates), against the exact-index
  service as baseline.

Catalogs are made from the real taxonomy (names, brands, sizes) with vectors of real MiniLM
embeddings of up to 4,000 distinct product texts and mixes of two of them (see vectors_for), so
the vector distribution looks like a real catalog without embedding 1M texts. End-to-end latency
is measured up to --latency-max (100k by default: at 1M the run peaks near 14 GB). Recall is also
printed at the fixed efSearch 512 all sizes used before it grew with the index, as its baseline.
Usage:
    .venv/bin/python bench/retrieval.py [--sizes 10000,100000,1000000] [--queries 200]
        [--latency-max 100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from retrieval.catalog import Catalog
from retrieval.embeddings import _cached_query, get_embedder
from retrieval.index import HNSW_EF_SEARCH, VectorIndex
from retrieval.lexical import BM25Index
from retrieval.personal import FEATURES, Blend, Item, ItemStats, Personalizer
from retrieval.service import SearchService
from retrieval.text import CatalogItem, product_text
from store.taxonomy import load_taxonomy

BRANDS = ["Alpha", "Bora", "Chorok", "Dasom", "Eden", "Forest", "Gaon", "Haneul", "Ium", "Jaram"]
BRANDS_KO = ["알파", "보라", "초록", "다솜", "에덴", "포레", "가온", "하늘", "이음", "자람"]


def synthetic_catalog(n: int, rng: np.random.Generator) -> list[CatalogItem]:
    taxonomy = load_taxonomy()
    types = taxonomy.types
    items = []
    for i in range(n):
        t = types[i % len(types)]
        b = int(rng.integers(len(BRANDS)))
        size = float(t.sizes[int(rng.integers(len(t.sizes)))])
        line = int(rng.integers(50))
        items.append(
            CatalogItem(
                id=i + 1,
                seller_id=f"s{i % 30:02d}",
                type_key=t.key,
                name_en=f"{BRANDS[b]} {t.en} line {line} {size:g}{t.unit}",
                name_ko=f"{BRANDS_KO[b]} {t.ko} {line}호 {size:g}{t.unit}",
                brand=BRANDS[b],
                size=size,
                unit=t.unit,
                price=int(rng.integers(20, 400)) * 100,
                currency="KRW",
                stock=int(rng.integers(0, 50)),
            )
        )
    return items


def vectors_for(items: list[CatalogItem], embedder, rng: np.random.Generator) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Real embeddings of up to 4,000 distinct product texts; the rest are mixes of two of them
    (v = a + λ·b, λ ~ U(0, 0.6), normalised), which stay on the embedding manifold. Isotropic
    noise would not: it makes every neighbour equidistant, which no real catalog does."""
    taxonomy = load_taxonomy()
    distinct = items[: min(4000, len(items))]
    base = embedder.encode([product_text(it, taxonomy) for it in distinct], batch_size=128)
    n = len(items)
    a = base[np.arange(n) % len(base)]
    b = base[rng.integers(0, len(base), n)]
    lam = rng.uniform(0, 0.6, size=(n, 1)).astype(np.float32)
    vecs = a + lam * b
    vecs[: len(base)] = base  # the real ones stay as they are
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return np.ascontiguousarray(vecs, dtype=np.float32)


def index_bytes(index: VectorIndex) -> int:
    return int(faiss.serialize_index(index._index).nbytes)


def recall_at_10(approx: VectorIndex, exact: VectorIndex, queries: np.ndarray) -> float:
    hits = 0
    for q in queries:
        a, _ = approx.search(q, 10)
        e, _ = exact.search(q, 10)
        hits += len(set(a.tolist()) & set(e.tolist()))
    return hits / (10 * len(queries))


def latency(service: SearchService, queries: list[str], users: list[str]) -> list[float]:
    times = []
    for q, u in zip(queries, users, strict=True):
        t = time.perf_counter()
        service.search(q, user=u, k=10)
        times.append((time.perf_counter() - t) * 1000)
    return times


def encoder_latency(queries: list[str]) -> dict[str, float]:
    """Query embedding p50 of the ONNX encoder (what search uses) against sentence-transformers on
    torch (the baseline), same queries, one after the other."""
    from retrieval.embeddings import default_model_path
    from retrieval.onnx_encoder import OnnxEncoder, default_encoder_dir

    out: dict[str, float] = {}
    try:
        onnx = OnnxEncoder(default_encoder_dir())
    except FileNotFoundError:
        return out
    from sentence_transformers import SentenceTransformer

    torch_model = SentenceTransformer(str(default_model_path()), device="cpu")
    encoders = {
        "onnx": lambda q: onnx.encode([q]),
        "torch": lambda q: torch_model.encode([q], normalize_embeddings=True),
    }
    for name, encode in encoders.items():
        for q in queries[:20]:
            encode(q + " warm")
        times = []
        for q in queries:
            t = time.perf_counter()
            encode(q)
            times.append((time.perf_counter() - t) * 1000)
        out[name] = pct(times, 50)
    return out


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(values, p))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--latency-max", type=int, default=100_000, help="largest size for latency")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    embedder = get_embedder()
    taxonomy = load_taxonomy()
    threads = faiss.omp_get_max_threads()
    print(f"faiss {faiss.__version__}, threads {threads}, model {embedder.name}")
    # Shopper-like queries: taxonomy names and synonyms in both languages, some with sizes/caps.
    names = [n for t in taxonomy.types for lang in ("en", "ko") for n in t.names(lang)]
    qrng = np.random.default_rng(1)
    queries = [str(qrng.choice(names)) for _ in range(args.queries)]
    queries = [
        q + (" 2리터" if i % 7 == 0 else "") + (" 만원 이하" if i % 5 == 0 else "")
        for i, q in enumerate(queries)
    ]
    print(f"query encoder: {embedder.backend}")
    enc = encoder_latency(queries)
    if enc:
        print(
            f"query embedding p50: onnx {enc['onnx']:.2f} ms, torch {enc['torch']:.2f} ms "
            f"(baseline) = {enc['torch'] / enc['onnx']:.1f}x faster"
        )
    for q in queries[:20]:  # warm the model, not the query cache: the timed queries differ
        embedder.encode([q + " warm"])
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        items = synthetic_catalog(n, rng)
        vecs = vectors_for(items, embedder, rng)
        ids = np.asarray([it.id for it in items], dtype=np.int64)
        t = time.perf_counter()
        flat = VectorIndex.build(ids, vecs, model="bench", fingerprint="x", kind="flat")
        flat_s = time.perf_counter() - t
        t = time.perf_counter()
        hnsw = VectorIndex.build(ids, vecs, model="bench", fingerprint="x", kind="hnsw")
        hnsw_s = time.perf_counter() - t
        qv = embedder.encode(queries[:100])
        rec = recall_at_10(hnsw, flat, qv)
        # Baseline for the breadth: the fixed efSearch every size used before it grew with n.
        hnsw.set_ef_search(HNSW_EF_SEARCH)
        rec_fixed = recall_at_10(hnsw, flat, qv)
        hnsw.set_ef_search(None)
        row = {
            "n": n,
            "flat_build_s": flat_s,
            "hnsw_build_s": hnsw_s,
            "recall@10": rec,
            "ef_search": hnsw.ef_search,
            "recall@10_fixed": rec_fixed,
            "flat_mb": index_bytes(flat) / 2**20,
            "hnsw_mb": index_bytes(hnsw) / 2**20,
        }
        if n <= args.latency_max:
            catalog = Catalog()
            catalog.extend(items)
            lexical = BM25Index()
            t = time.perf_counter()
            lexical.add(ids.tolist(), [product_text(it, taxonomy) for it in items])
            lexical.scores("warm")  # builds the matrix
            row["bm25_build_s"] = time.perf_counter() - t
            counts = Counter({int(i): int(c) for i, c in zip(ids, rng.poisson(2, n), strict=True)})
            stats = ItemStats(
                [Item(it.id, it.type_key, it.brand, it.size, it.price) for it in items], counts
            )
            weights = np.ones(len(FEATURES)) * 0.1
            personal = Personalizer(None, stats, Blend(weights, np.ones(len(FEATURES))))
            # Shoppers with histories of 30 purchases, served from the profile cache as at runtime.
            users = [f"u{i % 50}" for i in range(len(queries))]
            for u in set(users):
                prof = personal.profile(u)
                for pid in rng.choice(ids, 30):
                    stats.observe(prof, int(pid), time.time() - 86400 * 10)
            for kind, vindex in (("flat", flat), ("hnsw", hnsw)):
                _cached_query.cache_clear()  # every timed query pays for its embedding
                svc = SearchService(catalog, embedder, vindex, lexical, taxonomy, None, personal)
                svc.search(queries[0] + " warm", user=users[0])
                lat = latency(svc, [q + f" {kind}" for q in queries], users)
                row[f"{kind}_p50_ms"] = pct(lat, 50)
                row[f"{kind}_p95_ms"] = pct(lat, 95)
        rows.append(row)
        print_row(row)
    print_summary(rows)


def print_row(row: dict) -> None:  # type: ignore[type-arg]
    n = row["n"]
    print(f"\n== {n:,} products")
    print(
        f"  build: flat {row['flat_build_s']:.2f}s (baseline), hnsw {row['hnsw_build_s']:.2f}s "
        f"= {row['hnsw_build_s'] / max(row['flat_build_s'], 1e-9):.1f}x baseline"
    )
    print(
        f"  hnsw recall@10 vs exact: {row['recall@10']:.4f} at efSearch {row['ef_search']} "
        f"({row['recall@10_fixed']:.4f} at the fixed {HNSW_EF_SEARCH}, baseline)"
    )
    print(
        f"  memory: flat {row['flat_mb']:.1f} MiB, hnsw {row['hnsw_mb']:.1f} MiB "
        f"({row['hnsw_mb'] / row['flat_mb']:.2f}x)"
    )
    if "flat_p50_ms" in row:
        print(f"  bm25 build {row['bm25_build_s']:.2f}s")
        for kind in ("flat", "hnsw"):
            print(
                f"  query ({kind} index, end to end): p50 {row[kind + '_p50_ms']:.2f} ms, "
                f"p95 {row[kind + '_p95_ms']:.2f} ms"
            )
        print(f"  hnsw/flat p50 ratio: {row['hnsw_p50_ms'] / row['flat_p50_ms']:.2f}")


def print_summary(rows: list[dict]) -> None:  # type: ignore[type-arg]
    print(
        "\n| products | build flat s | build hnsw s | efSearch | recall@10 | recall@10 at 512 | "
        "flat MiB | hnsw MiB | p50 ms (flat/hnsw) | p95 ms (flat/hnsw) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        lat50 = f"{r['flat_p50_ms']:.1f} / {r['hnsw_p50_ms']:.1f}" if "flat_p50_ms" in r else "—"
        lat95 = f"{r['flat_p95_ms']:.1f} / {r['hnsw_p95_ms']:.1f}" if "flat_p95_ms" in r else "—"
        cells = [
            f"{r['n']:,}",
            f"{r['flat_build_s']:.2f}",
            f"{r['hnsw_build_s']:.2f}",
            f"{r['ef_search']}",
            f"{r['recall@10']:.4f}",
            f"{r['recall@10_fixed']:.4f}",
            f"{r['flat_mb']:.0f}",
            f"{r['hnsw_mb']:.0f}",
            lat50,
            lat95,
        ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
