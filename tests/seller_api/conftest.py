"""Seller API fixtures: a small seeded demo store (seeded once, copied per module), API keys,
a test client with the store and a light search service (no model download or load)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from jangbogi.demo import DemoConfig, seed_demo
from retrieval.catalog import load_catalog
from retrieval.index import VectorIndex
from retrieval.lexical import BM25Index
from retrieval.service import SearchService
from retrieval.text import product_text
from seller_api.analytics import lifestyle
from seller_api.analytics import tags as tag_analytics
from seller_api.api.deps import get_search, get_store_engine
from seller_api.main import create_app
from seller_api.settings import SellerApiSettings
from store.db import create_store_engine, transaction
from store.migrate import upgrade
from store.repo.credentials import issue_api_key
from store.taxonomy import load_taxonomy

SMALL = DemoConfig(n_shoppers=400, days=90)


class HashEmbedder:
    """Deterministic character-trigram hashing vectors: the search service's contract without
    a model. ``languages`` is empty, so tag ranking does not treat these vectors as meaning."""

    name = "hash-trigrams"
    dim = 64
    languages: frozenset[str] = frozenset()

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            t = f"  {text.lower()} "
            for j in range(len(t) - 2):
                h = int.from_bytes(hashlib.md5(t[j : j + 3].encode()).digest()[:4], "little")
                out[i, h % self.dim] += 1.0
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


def light_search_service(engine: Engine) -> SearchService:
    taxonomy = load_taxonomy()
    catalog = load_catalog(engine)
    embedder = HashEmbedder()
    texts = [product_text(it, taxonomy) for it in catalog.items]
    vectors = VectorIndex.build(
        catalog.ids, embedder.encode(texts), model=embedder.name, fingerprint="t"
    )
    lexical = BM25Index()
    lexical.add(catalog.ids.tolist(), texts)
    return SearchService(catalog, embedder, vectors, lexical, taxonomy, engine)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo store, seeded once per test session."""
    path = tmp_path_factory.mktemp("demo") / "template.db"
    engine = create_store_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed_demo(engine, SMALL, progress=None)
    engine.dispose()
    return path


@pytest.fixture(scope="session", autouse=True)
def lifestyle_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Saved lifestyle models go to a temporary folder, never the checkout's var dir."""
    folder = tmp_path_factory.mktemp("lifestyle")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SELLER_API_LIFESTYLE_MODEL_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def demo_lifestyle(demo_template: Path) -> lifestyle.LifestyleModel:
    """The small demo's lifestyle model, trained once as `jangbogi lifestyle train` does."""
    engine = create_store_engine(f"sqlite:///{demo_template}")
    # One C instead of the inner search: these tests check the API, not the model's choice of
    # regularisation (test_lifestyle.py measures that), and stay seconds instead of a minute.
    with pytest.MonkeyPatch.context() as mp, Session(engine) as session:
        mp.setattr(lifestyle, "C_GRID", (0.05,))
        model = lifestyle.train(session)
    engine.dispose()
    return model


@dataclass
class Store:
    engine: Engine
    keys: dict[str, str]  # seller id -> API key

    def key(self, seller_id: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[seller_id]}


def copy_store(template: Path, folder: Path, sellers: tuple[str, ...]) -> Store:
    path = folder / "store.db"
    shutil.copy(template, path)
    engine = create_store_engine(f"sqlite:///{path}")
    keys = {}
    with transaction(engine) as s:
        for seller in sellers:
            keys[seller] = issue_api_key(s, seller, label="test").secret
    return Store(engine, keys)


@pytest.fixture(scope="module")
def demo(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A module's own copy of the small demo store, with keys for every seller."""
    store = copy_store(
        demo_template, tmp_path_factory.mktemp("store"), tuple(f"s{i:03d}" for i in range(1, 31))
    )
    tag_analytics.clear_caches()
    yield store
    store.engine.dispose()


def make_client(
    engine: Engine, settings: SellerApiSettings | None = None, search: object | None = None
) -> TestClient:
    app: FastAPI = create_app(
        settings or SellerApiSettings(rate_burst=10_000, rate_per_second=1000)
    )
    app.dependency_overrides[get_store_engine] = lambda: engine
    app.dependency_overrides[get_search] = lambda: search
    return TestClient(app)


@pytest.fixture(scope="module")
def client(
    demo: Store, demo_lifestyle: lifestyle.LifestyleModel, lifestyle_model_dir: Path
) -> TestClient:
    """A client whose store has a fresh saved lifestyle model (the copy holds the template's
    rows, so the template's model is fresh for it)."""
    lifestyle.save_model(demo_lifestyle, lifestyle.model_path(demo.engine, lifestyle_model_dir))
    return make_client(demo.engine)


@pytest.fixture(scope="module")
def client_factory() -> Callable[..., TestClient]:
    return make_client
