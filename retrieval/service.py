"""The search service: one per process, used by the actions, the seller API and the CLI.

search = query understanding → dense leg (FAISS) + lexical leg (BM25) → reciprocal-rank fusion →
boosts from the understood query → personalised re-ranking of the top candidates.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from retrieval.catalog import Catalog, SearchFilters, catalog_fingerprint, load_catalog
from retrieval.embeddings import Embedder, get_embedder
from retrieval.fusion import reciprocal_rank_fusion, top_k
from retrieval.index import VectorIndex, is_fresh
from retrieval.lexical import BM25Index
from retrieval.query import ParsedQuery, QueryParser, is_korean
from retrieval.text import CatalogItem, product_text
from store.models import Product
from store.paths import var_dir
from store.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)

MODES = ("hybrid", "dense", "lexical")
CANDIDATES = 100  # per leg, before fusion
TYPE_BOOST = 0.02  # added to an RRF score (max ≈ 2/61 ≈ 0.033) when the product's type is named
SIZE_BOOST = 0.01


@dataclass
class SearchResult:
    item: CatalogItem
    score: float
    reason: str | None = None
    reason_ko: str | None = None
    legs: dict[str, float] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {
            **self.item.public(),
            "score": round(self.score, 6),
            "reason": self.reason,
            "reason_ko": self.reason_ko,
        }


def default_index_dir() -> Path:
    return var_dir() / "index"


class SearchService:
    def __init__(
        self,
        catalog: Catalog,
        embedder: Embedder,
        vectors: VectorIndex,
        lexical: BM25Index,
        taxonomy: Taxonomy,
        engine: Engine | None = None,
        personalizer: Any | None = None,
    ) -> None:
        self.catalog = catalog
        self.embedder = embedder
        self.vectors = vectors
        self.lexical = lexical
        self.taxonomy = taxonomy
        self.engine = engine
        self.personalizer = personalizer
        self.parser = QueryParser(taxonomy, brand_aliases(catalog))
        self._write_lock = threading.Lock()

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        engine: Engine,
        index_dir: Path | None = None,
        embedder: Embedder | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        personalize: bool = True,
    ) -> SearchService:
        """Load the catalog and a fresh saved index, or (re)build and save the index."""
        index_dir = index_dir or default_index_dir()
        embedder = embedder or get_embedder()
        taxonomy = load_taxonomy()
        catalog = load_catalog(engine)
        fingerprint = catalog_fingerprint(engine)
        if is_fresh(index_dir, model=embedder.name, dim=embedder.dim, fingerprint=fingerprint):
            vectors = VectorIndex.load(index_dir)
        else:
            vectors = build_vectors(catalog, embedder, taxonomy, fingerprint, on_progress)
            vectors.save(index_dir)
        lexical = BM25Index()
        lexical.add(catalog.ids.tolist(), [product_text(it, taxonomy) for it in catalog.items])
        personalizer = None
        if personalize:
            from retrieval.personal import Personalizer

            personalizer = Personalizer.open(engine, catalog, index_dir)
        return cls(catalog, embedder, vectors, lexical, taxonomy, engine, personalizer)

    # --- writes -------------------------------------------------------------------------------
    def add_products(self, items: list[CatalogItem]) -> None:
        """Make new listings searchable at once (both legs)."""
        with self._write_lock:
            added = self.catalog.extend(items)
            if not added:
                return
            texts = [product_text(it, self.taxonomy) for it in added]
            vecs = self.embedder.encode(texts)
            self.vectors.add(np.asarray([it.id for it in added], dtype=np.int64), vecs)
            self.lexical.add([it.id for it in added], texts)
            self.parser = QueryParser(self.taxonomy, brand_aliases(self.catalog))

    def refresh_from_store(self) -> int:
        """Pick up products other processes listed since this one loaded (returns how many)."""
        if self.engine is None:
            return 0
        last = int(self.catalog.ids.max()) if len(self.catalog) else 0
        with Session(self.engine) as s:
            rows = s.scalars(select(Product).where(Product.id > last).order_by(Product.id))
            from retrieval.catalog import item_from_row

            new = [item_from_row(p) for p in rows]
        self.add_products(new)
        return len(new)

    # --- reads --------------------------------------------------------------------------------
    def parse(self, query: str) -> ParsedQuery:
        return self.parser.parse(query)

    def search(
        self,
        query: str,
        *,
        user: str | None = None,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
        understand: bool = True,
    ) -> list[SearchResult]:
        """Products for a raw query in either language; ``filters`` narrow it; ``user`` (a
        shopper id, known or not) personalises the order."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if k < 1:
            raise ValueError("k must be at least 1")
        filters = replace(filters) if filters else SearchFilters()
        parsed = self.parser.parse(query) if understand else None
        if parsed is not None and parsed.max_price is not None and filters.max_price is None:
            filters.max_price = parsed.max_price  # a price cap in the words is a hard limit
        mask = self.catalog.mask(filters)
        text = parsed.text if parsed else query
        legs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if mode in ("hybrid", "dense"):
            allowed = self.catalog.ids[mask] if mask is not None else None
            legs["dense"] = self.vectors.search(
                self.embedder.encode_query(text), CANDIDATES, allowed
            )
        if mode in ("hybrid", "lexical"):
            legs["lexical"] = self.lexical.search(
                self._lexical_text(text, parsed), CANDIDATES, mask
            )
        fused = reciprocal_rank_fusion(
            [ids.tolist() for ids, _ in legs.values()],
            weights=[self._leg_weight(leg, query) if len(legs) > 1 else 1.0 for leg in legs],
        )
        if parsed is not None:
            self._boost(fused, parsed)
        ranked = top_k(fused, max(k, CANDIDATES if user else k))
        results = [
            SearchResult(item=self.catalog.items[self.catalog.pos[pid]], score=score)
            for pid, score in ranked
        ]
        if user and self.personalizer is not None and results:
            results = self.personalizer.rerank(user, results)
        return results[:k]

    def _lexical_text(self, text: str, parsed: ParsedQuery | None) -> str:
        """The lexical leg's query: the words as said plus the name of each product type the
        understanding found ("쌀도 있어요?" + "쌀"), so a particle or a typo on the product word
        cannot leave that type's products out of the candidates the type boost then lifts."""
        if parsed is None or not parsed.type_keys:
            return text
        names = [
            getattr(self.taxonomy[k], parsed.language)
            for k in parsed.type_keys
            if k in self.taxonomy
        ]
        return " ".join([text, *names])

    def _leg_weight(self, leg: str, query: str) -> float:
        """The dense leg counts only for languages its model knows: all-MiniLM-L6-v2 embeds
        Korean as noise, and an equal vote for noise halves the Korean lexical leg's quality
        (measured: nDCG@10 0.98 → 0.58). In dense-only mode it still answers, for comparison."""
        if leg != "dense" or self.embedder.languages >= {"ko"}:
            return 1.0
        return 0.0 if is_korean(query) else 1.0

    def _boost(self, fused: dict[int, float], parsed: ParsedQuery) -> None:
        """The understood query lifts products of the named type and of the asked size; it never
        removes anything (a misread word must not hide the right product)."""
        types = set(parsed.type_keys)
        for pid in fused:
            item = self.catalog.items[self.catalog.pos[pid]]
            if item.type_key in types:
                fused[pid] += TYPE_BOOST
            if parsed.size is not None and parsed.size.matches(item.size, item.unit):
                fused[pid] += SIZE_BOOST
            if parsed.brand and item.brand.lower() == parsed.brand.lower():
                fused[pid] += SIZE_BOOST

    def similar(
        self, product_id: int, k: int = 10, filters: SearchFilters | None = None
    ) -> list[SearchResult]:
        """Content-similar products (nearest neighbours of the product's own vector)."""
        item = self.catalog.get(product_id)
        if item is None:
            raise KeyError(product_id)
        f = replace(filters) if filters else SearchFilters(in_stock=False)
        f.exclude_ids = (*f.exclude_ids, product_id)
        mask = self.catalog.mask(f)
        allowed = self.catalog.ids[mask] if mask is not None else None
        vec = self.embedder.encode([product_text(item, self.taxonomy)])[0]
        ids, scores = self.vectors.search(vec, k, allowed)
        return [
            SearchResult(self.catalog.items[self.catalog.pos[int(i)]], float(s))
            for i, s in zip(ids, scores, strict=True)
        ]


def build_vectors(
    catalog: Catalog,
    embedder: Embedder,
    taxonomy: Taxonomy,
    fingerprint: str,
    on_progress: Callable[[int, int], None] | None = None,
    batch: int = 256,
) -> VectorIndex:
    texts = [product_text(it, taxonomy) for it in catalog.items]
    chunks = []
    done = 0
    for start in range(0, len(texts), batch):
        chunks.append(embedder.encode(texts[start : start + batch]))
        done += len(texts[start : start + batch])
        if on_progress:
            on_progress(done, len(texts))
    vecs = np.vstack(chunks) if chunks else np.empty((0, embedder.dim), np.float32)
    return VectorIndex.build(catalog.ids, vecs, model=embedder.name, fingerprint=fingerprint)


def brand_aliases(catalog: Catalog) -> dict[str, str]:
    """Brand names as stored, plus the Korean form: the words of the Korean name that stand where
    the English name has the brand (product names start with the brand in both languages)."""
    aliases: dict[str, str] = {}
    for it in catalog.items:
        aliases.setdefault(it.brand, it.brand)
        n_words = len(it.brand.split())
        if it.name_en.lower().startswith(it.brand.lower()) and it.name_ko:
            ko = " ".join(it.name_ko.split()[:n_words])
            if ko and ko.lower() != it.brand.lower():
                aliases.setdefault(ko, it.brand)
    return aliases


_service: SearchService | None = None
_service_lock = threading.Lock()


def current_service() -> SearchService | None:
    """The process-wide service if it has been built, without building it (for cache upkeep
    that has nothing to do while no search has run)."""
    return _service


def get_service(engine: Engine | None = None) -> SearchService:
    """The process-wide service, built on first use (never at import time)."""
    global _service
    with _service_lock:
        if _service is None:
            from store.db import get_engine

            _service = SearchService.open(engine or get_engine())
        return _service
