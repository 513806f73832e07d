"""Read what the spoken vocabulary is built from: the store's catalog, the taxonomy, ``nlu/``."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from assistant.voice.vocabulary import CatalogText, gather_catalog_text, nlu_examples
from store.db import get_engine
from store.models import Product
from store.paths import project_root
from store.taxonomy import load_taxonomy

log = logging.getLogger(__name__)


def catalog_version(engine: Engine | None = None) -> tuple[int, int, str]:
    """A cheap stamp of the catalog (count, max id, last update) to notice changes."""
    try:
        with (engine or get_engine()).connect() as conn:
            count, max_id, updated = conn.execute(
                select(func.count(Product.id), func.max(Product.id), func.max(Product.updated_at))
            ).one()
    except SQLAlchemyError:  # store not migrated yet: the same as an empty catalog
        return 0, 0, ""
    return int(count or 0), int(max_id or 0), str(updated)


def load_catalog_text(
    language: str, engine: Engine | None = None, nlu_dir: Path | None = None
) -> CatalogText:
    taxonomy = load_taxonomy()
    names = [
        (t.key, lang, n) for t in taxonomy.types for lang in ("ko", "en") for n in t.names(lang)
    ]
    try:
        with (engine or get_engine()).connect() as conn:
            rows = conn.execute(
                select(Product.name_ko, Product.name_en, Product.brand, Product.type_key)
            ).all()
    except SQLAlchemyError as exc:
        # Voice still works on the taxonomy's words; the grammar is rebuilt once products exist.
        log.warning("catalog unreadable (%s); vocabulary from the taxonomy only", exc)
        rows = []
    nlu_dir = nlu_dir or project_root() / "nlu"
    examples = nlu_examples(nlu_dir, language) if nlu_dir.is_dir() else []
    return gather_catalog_text([(r[0], r[1], r[2], r[3]) for r in rows], names, examples, language)
