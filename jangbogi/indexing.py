"""`jangbogi index`: the search index and the learned personal ranker, rebuilt only when stale."""

from __future__ import annotations

import json
from typing import Any

from rich.progress import Progress
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from retrieval.catalog import catalog_fingerprint
from retrieval.embeddings import get_embedder
from retrieval.index import is_fresh
from retrieval.personal import RANKER_FILE, Item, ItemStats
from retrieval.service import SearchService, default_index_dir
from store.models import Order


def history_fingerprint(engine: Engine) -> str:
    with Session(engine) as s:
        n, last = s.execute(select(func.count(Order.id), func.max(Order.id))).one()
    return f"{n}|{last}"


def build_index(engine: Engine, *, if_stale: bool = False, progress: Progress | None = None) -> str:
    index_dir = default_index_dir()
    embedder = get_embedder()
    fingerprint = catalog_fingerprint(engine)
    ranker_path = index_dir / RANKER_FILE
    history = history_fingerprint(engine)
    ranker_fresh = (
        ranker_path.exists()
        and json.loads(ranker_path.read_text()).get("meta", {}).get("history") == history
    )
    index_fresh = is_fresh(
        index_dir, model=embedder.name, dim=embedder.dim, fingerprint=fingerprint
    )
    if if_stale and index_fresh and ranker_fresh:
        return f"search index and ranker up to date ({index_dir})"
    if not if_stale and index_fresh:
        (index_dir / "manifest.json").unlink()  # an explicit `index` rebuilds

    task: Any = progress.add_task("embedding products", total=None) if progress else None

    def on_progress(done: int, total: int) -> None:
        if progress is not None:
            progress.update(task, completed=done, total=total)

    service = SearchService.open(engine, index_dir, embedder, on_progress, personalize=False)
    if progress is not None:
        progress.update(task, completed=len(service.catalog), total=len(service.catalog))
        rtask = progress.add_task("learning personal ranker", total=1)
    from retrieval.history import learn_blend, purchase_counts

    items = [Item(it.id, it.type_key, it.brand, it.size, it.price) for it in service.catalog.items]
    blend = learn_blend(engine, ItemStats(items, purchase_counts(engine)))
    blend.meta["history"] = history
    tmp = ranker_path.with_suffix(".tmp")
    tmp.write_text(blend.to_json())
    tmp.replace(ranker_path)
    if progress is not None:
        progress.update(rtask, completed=1)
    m = service.vectors.manifest
    return f"index: {m.count} products ({m.kind}, {m.model}, dim {m.dim}) in {index_dir}"
