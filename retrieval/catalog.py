"""The catalog as columns (numpy arrays) for fast vectorised filtering, plus its fingerprint."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from retrieval.query import CONVERT
from retrieval.text import CatalogItem
from store.models import Product


@dataclass
class SearchFilters:
    type_key: str | None = None
    brand: str | None = None
    max_price: int | None = None
    min_size: float | None = None
    max_size: float | None = None
    size_unit: str | None = None  # the unit min_size/max_size are given in
    in_stock: bool = True
    seller_id: str | None = None
    exclude_ids: tuple[int, ...] = ()


@dataclass
class Catalog:
    """Products in insertion order; position i of every array is ``items[i]``."""

    items: list[CatalogItem] = field(default_factory=list)
    pos: dict[int, int] = field(default_factory=dict)
    ids: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    price: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    size: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))
    stock: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    type_key: np.ndarray = field(default_factory=lambda: np.empty(0, object))
    brand: np.ndarray = field(default_factory=lambda: np.empty(0, object))
    unit: np.ndarray = field(default_factory=lambda: np.empty(0, object))
    seller: np.ndarray = field(default_factory=lambda: np.empty(0, object))

    def __len__(self) -> int:
        return len(self.items)

    def extend(self, new: Iterable[CatalogItem]) -> list[CatalogItem]:
        added = [it for it in new if it.id not in self.pos]
        if not added:
            return []
        for it in added:
            self.pos[it.id] = len(self.items)
            self.items.append(it)

        def cat(arr: np.ndarray, values: list[Any], dtype: Any) -> np.ndarray:
            return np.concatenate([arr, np.asarray(values, dtype=dtype)])

        self.ids = cat(self.ids, [it.id for it in added], np.int64)
        self.price = cat(self.price, [it.price for it in added], np.int64)
        self.size = cat(self.size, [it.size for it in added], np.float64)
        self.stock = cat(self.stock, [it.stock for it in added], np.int64)
        self.type_key = cat(self.type_key, [it.type_key for it in added], object)
        self.brand = cat(self.brand, [it.brand.lower() for it in added], object)
        self.unit = cat(self.unit, [it.unit for it in added], object)
        self.seller = cat(self.seller, [it.seller_id for it in added], object)
        return added

    def get(self, product_id: int) -> CatalogItem | None:
        i = self.pos.get(product_id)
        return self.items[i] if i is not None else None

    def mask(self, f: SearchFilters | None) -> np.ndarray | None:
        """Positions passing the filters (None when nothing filters)."""
        if f is None:
            return None
        m = np.ones(len(self.items), dtype=bool)
        if f.in_stock:
            m &= self.stock > 0
        if f.type_key:
            m &= self.type_key == f.type_key
        if f.brand:
            m &= self.brand == f.brand.lower()
        if f.max_price is not None:
            m &= self.price <= f.max_price
        if f.seller_id:
            m &= self.seller == f.seller_id
        if f.exclude_ids:
            m &= ~np.isin(self.ids, np.asarray(f.exclude_ids, dtype=np.int64))
        if f.min_size is not None or f.max_size is not None:
            m &= self._size_mask(f)
        return m

    def _size_mask(self, f: SearchFilters) -> np.ndarray:
        unit = f.size_unit
        sizes = self.size.copy()
        if unit:
            # Express every product's size in the filter's unit; other dimensions never match.
            ok = self.unit == unit
            for (src, dst), factor in CONVERT.items():
                if dst == unit:
                    conv = self.unit == src
                    sizes[conv] = self.size[conv] * factor
                    ok |= conv
        else:
            ok = np.ones(len(sizes), dtype=bool)
        eps = 1e-9
        if f.min_size is not None:
            ok &= sizes >= f.min_size - eps
        if f.max_size is not None:
            ok &= sizes <= f.max_size + eps
        return ok


def item_from_row(p: Product) -> CatalogItem:
    return CatalogItem(
        id=p.id,
        seller_id=p.seller_id,
        type_key=p.type_key,
        name_en=p.name_en,
        name_ko=p.name_ko,
        brand=p.brand,
        size=float(p.size),
        unit=p.unit,
        price=int(p.price),
        currency=p.currency,
        stock=int(p.stock),
    )


def load_catalog(engine: Engine) -> Catalog:
    catalog = Catalog()
    with Session(engine) as s:
        catalog.extend(item_from_row(p) for p in s.scalars(select(Product).order_by(Product.id)))
    return catalog


def catalog_fingerprint(engine: Engine) -> str:
    """Changes whenever a product is added, removed or edited (count, max id, last update)."""
    with Session(engine) as s:
        n, max_id, last = s.execute(
            select(func.count(Product.id), func.max(Product.id), func.max(Product.updated_at))
        ).one()
    return hashlib.sha256(f"{n}|{max_id}|{last}".encode()).hexdigest()[:16]
