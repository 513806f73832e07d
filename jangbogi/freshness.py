"""Whether the generated artifacts (Rasa model, search index, the seller API's lifestyle model) are
up to date with their sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from store.paths import project_root, var_dir

RASA_SOURCES = ("config.yml", "domain.yml", "nlu")
# Files under nlu/ that run the server but are no part of the trained model (as in the Makefile).
NOT_MODEL_SOURCES = {"rasa_run.py", "channels.py"}


def _newest_mtime(paths: list[Path]) -> float:
    mtimes = [0.0]
    for p in paths:
        if p.is_dir():
            mtimes += [
                f.stat().st_mtime
                for f in p.rglob("*")
                if f.is_file() and f.name not in NOT_MODEL_SOURCES and "__pycache__" not in f.parts
            ]
        elif p.exists():
            mtimes.append(p.stat().st_mtime)
    return max(mtimes)


def rasa_model_status(root: Path | None = None) -> dict[str, Any]:
    root = root or project_root()
    models = sorted((root / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        return {"path": None, "fresh": False}
    newest = models[-1]
    sources = _newest_mtime([root / s for s in RASA_SOURCES])
    return {"path": str(newest), "fresh": newest.stat().st_mtime >= sources}


def index_status(engine: Engine | None = None) -> dict[str, Any]:
    """The saved index's manifest; ``fresh`` when it matches the store's current catalog."""
    manifest = var_dir() / "index" / "manifest.json"
    if not manifest.exists():
        return {"path": None, "built": False, "fresh": False}
    data = json.loads(manifest.read_text())
    report = {"path": str(manifest.parent), "built": True, **data}
    if engine is not None:
        from retrieval.catalog import catalog_fingerprint

        report["fresh"] = data.get("fingerprint") == catalog_fingerprint(engine)
    return report


def lifestyle_status(engine: Engine | None = None) -> dict[str, Any]:
    """The saved lifestyle model of this store (``jangbogi lifestyle train``): when it was
    trained, its held-out balanced accuracies, and ``fresh`` when it was trained on the store as
    it is now (the seller API retrains in the background otherwise). Read from the JSON beside the
    model, so no pickle is loaded to answer."""
    from sqlalchemy.orm import Session

    from seller_api.analytics import lifestyle
    from seller_api.settings import SellerApiSettings

    if engine is None:
        return {"path": None, "trained": False, "fresh": False}
    # The folder the seller API loads from (SELLER_API_LIFESTYLE_MODEL_DIR, else the var dir's).
    path = lifestyle.model_path(engine, SellerApiSettings().lifestyle_model_dir)
    meta_path = path.with_suffix(".json")
    if not path.exists() or not meta_path.exists():
        return {"path": None, "trained": False, "fresh": False}
    meta = json.loads(meta_path.read_text())
    with Session(engine) as session:
        now = lifestyle.store_fingerprint(session)
    return {
        "path": str(path),
        "trained": True,
        "trained_at": meta.get("trained_at"),
        "held_out_balanced_accuracy": {
            h["target"]: round(h["balanced_accuracy"], 3) for h in meta.get("held_out", [])
        },
        "fresh": meta.get("version") == lifestyle.MODEL_VERSION and meta.get("fingerprint") == now,
    }


def artifacts_status(engine: Engine | None = None) -> dict[str, Any]:
    return {
        "rasa_model": rasa_model_status(),
        "search_index": index_status(engine),
        "lifestyle_model": lifestyle_status(engine),
    }
