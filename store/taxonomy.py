"""The daily-necessities taxonomy (``data/taxonomy.yml``): types, names, synonyms, sizes."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from store.paths import taxonomy_file


@dataclass(frozen=True)
class ProductType:
    key: str
    category: str
    en: str
    ko: str
    synonyms_en: tuple[str, ...]
    synonyms_ko: tuple[str, ...]
    unit: str
    sizes: tuple[float, ...]
    cycle_days: int

    def names(self, language: str) -> tuple[str, ...]:
        """The type's name first, then its synonyms, in one language (``en`` or ``ko``)."""
        if language == "ko":
            return (self.ko, *self.synonyms_ko)
        return (self.en, *self.synonyms_en)


@dataclass(frozen=True)
class Taxonomy:
    version: int
    categories: dict[str, dict[str, str]]
    types: tuple[ProductType, ...]
    by_key: dict[str, ProductType] = field(repr=False)

    def __contains__(self, key: object) -> bool:
        return key in self.by_key

    def __getitem__(self, key: str) -> ProductType:
        return self.by_key[key]

    def get(self, key: str, default: ProductType | None = None) -> ProductType | None:
        return self.by_key.get(key, default)

    def keys(self) -> list[str]:
        return [t.key for t in self.types]


def taxonomy_path() -> Path:
    return taxonomy_file()


def parse_taxonomy(text: str) -> Taxonomy:
    raw = yaml.safe_load(text)
    types = []
    for row in raw["types"]:
        syn = row.get("synonyms") or {}
        types.append(
            ProductType(
                key=row["key"],
                category=row["category"],
                en=row["en"],
                ko=row["ko"],
                synonyms_en=tuple(syn.get("en") or ()),
                synonyms_ko=tuple(syn.get("ko") or ()),
                unit=row["unit"],
                sizes=tuple(float(s) for s in row["sizes"]),
                cycle_days=int(row["cycle_days"]),
            )
        )
    return Taxonomy(
        version=int(raw.get("version", 1)),
        categories=dict(raw["categories"]),
        types=tuple(types),
        by_key={t.key: t for t in types},
    )


@lru_cache(maxsize=4)
def _load(path: str) -> Taxonomy:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(
            f"taxonomy not found at {p}; it ships in the repository's data/ folder "
            "(JANGBOGI_DATA_DIR or JANGBOGI_TAXONOMY point elsewhere)"
        )
    return parse_taxonomy(p.read_text(encoding="utf-8"))


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The taxonomy, parsed once per process and path."""
    return _load(str(path or taxonomy_path()))
