"""Inferred lifestyle of buyers: married, children (and the youngest child's age band),
occupation — learned from shoppers whose attributes are known, reported with held-out accuracy.

The unit is a **seller's view of a shopper**: the shopper's purchases from one seller. A seller's
insights are computed from its own order lines only, so the model is trained on the same kind of
rows (every (shopper, seller) pair of a labelled shopper) and its held-out accuracy is grouped by
shopper, so no shopper is in both the training and the test folds.

Features (chosen on Complete Journey's real households, see docs/seller-api.md):
- what is bought: TF-IDF of product-type and category counts, reduced by truncated SVD fitted on
  every pair, labelled or not (latent semantic analysis: sparse baskets share information
  through co-purchased types);
- how it is bought: lines, orders, lines per order, quantity, spend per line, share of the type's
  smallest pack, and the hour and weekday mix of the orders.
A balanced logistic regression per attribute turns them into probabilities.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from store.models import Order, OrderLine, OrderStatus, Product, Shopper
from store.taxonomy import load_taxonomy

TARGETS = ("married", "children", "children_age", "occupation")
SVD_DIMS = 20
C = 0.05  # strong regularisation: a few hundred labelled households in the real data
MIN_LABELLED = 20
FOLDS = 5
BEHAVIOUR = (
    "log_lines", "log_orders", "lines_per_order", "log_qty", "log_spend_per_line",
    "small_pack_share", "store_brand_share", "multi_qty_share", "morning_share", "evening_share",
    "weekend_share",
)  # fmt: skip


def child_age_band(ages: Sequence[int | float]) -> str | None:
    """The youngest child's band: infant (0-2), preschool (3-6), school age or older (7+).
    Finer bands above 7 are not asked: nothing a grocery basket holds tells them apart."""
    if not ages:
        return None
    youngest = min(ages)
    if youngest <= 2:
        return "0-2"
    if youngest <= 6:
        return "3-6"
    return "7+"


# --- rows ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProductTerms:
    fine: str
    coarse: str
    small: bool | None
    store_brand: bool


def product_terms(session: Session) -> dict[int, ProductTerms]:
    """Each product's type (fine) and category (coarse) and whether it is its type's smallest
    pack. Products outside the taxonomy (type ``other``, e.g. imported groceries) use their
    source attributes: product_type and product_category."""
    tax = load_taxonomy()
    smallest = dict(
        session.execute(
            select(Product.type_key, func.min(Product.size)).group_by(Product.type_key)
        ).all()
    )
    sizes_per_type = select(Product.type_key, func.count(func.distinct(Product.size)))
    multi = {
        t for t, n in session.execute(sizes_per_type.group_by(Product.type_key)) if n > 1
    }  # fmt: skip
    out: dict[int, ProductTerms] = {}
    for pid, type_key, size, brand, attrs in session.execute(
        select(Product.id, Product.type_key, Product.size, Product.brand, Product.attributes)
    ):
        a = attrs or {}
        # House brands: the demo's store brands, Complete Journey's "Private" label.
        own_label = bool(a.get("store_brand")) or brand == "Private"
        if type_key in tax:
            small = size == smallest.get(type_key) if type_key in multi else None
            out[pid] = ProductTerms(type_key, tax[type_key].category, small, own_label)
        else:
            fine = a.get("product_type") or type_key
            coarse = a.get("product_category") or a.get("department") or type_key
            out[pid] = ProductTerms(f"x:{fine}", f"x:{coarse}", None, own_label)
    return out


@dataclass
class PairRows:
    """Purchases grouped by (shopper, seller); ``lines[i]`` are the lines of ``pairs[i]``."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    lines: list[list[tuple[int, dt.datetime, int, int, int]]] = field(default_factory=list)


def load_pairs(
    session: Session,
    *,
    seller_id: str | None = None,
    shoppers: set[str] | None = None,
    until: dt.datetime | None = None,
) -> PairRows:
    """Order lines (order id, time, qty, revenue, product id) per (shopper, seller) pair;
    cancelled orders are left out. ``seller_id`` restricts to one seller's lines."""
    q = (
        select(Order.shopper_id, OrderLine.seller_id, Order.id, Order.created_at, OrderLine.qty,
               OrderLine.unit_price, OrderLine.product_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status != OrderStatus.CANCELLED.value)
    )  # fmt: skip
    if seller_id is not None:
        q = q.where(OrderLine.seller_id == seller_id)
    if until is not None:
        q = q.where(Order.created_at < until)
    index: dict[tuple[str, str], int] = {}
    rows = PairRows()
    for shopper, seller, oid, ts, qty, price, pid in session.execute(q):
        if shoppers is not None and shopper not in shoppers:
            continue
        key = (shopper, seller)
        i = index.get(key)
        if i is None:
            i = index[key] = len(rows.pairs)
            rows.pairs.append(key)
            rows.lines.append([])
        rows.lines[i].append((oid, ts, qty, qty * price, pid))
    return rows


def behaviour(
    lines: list[tuple[int, dt.datetime, int, int, int]], terms: dict[int, ProductTerms]
) -> list[float]:
    orders: dict[int, int] = defaultdict(int)
    hours: list[int] = []
    weekend = 0
    qty = spend = 0.0
    small = known = own_label = multi = 0
    for oid, ts, q, revenue, pid in lines:
        orders[oid] += 1
        # Fuel and weighed goods carry quantities in the thousands; cap so they do not dominate.
        qty += min(q, 50)
        multi += q > 1
        spend += max(revenue, 0)
        hours.append(ts.hour)
        weekend += ts.weekday() >= 5
        t = terms.get(pid)
        if t is not None:
            own_label += t.store_brand
            if t.small is not None:
                known += 1
                small += t.small
    n = len(lines)
    return [
        math.log1p(n),
        math.log1p(len(orders)),
        n / len(orders),
        math.log1p(qty / n),
        math.log1p(spend / n),
        small / known if known else 0.5,
        own_label / n,
        multi / n,
        sum(h < 12 for h in hours) / n,
        sum(h >= 17 for h in hours) / n,
        weekend / n,
    ]


# --- model --------------------------------------------------------------------------------------
@dataclass
class Featurizer:
    """Counts → TF-IDF → SVD per level, plus behaviour; fitted on every pair (no labels)."""

    vocab: dict[str, dict[str, int]] = field(default_factory=dict)
    tfidf: dict[str, TfidfTransformer] = field(default_factory=dict)
    svd: dict[str, TruncatedSVD | None] = field(default_factory=dict)

    def counts(
        self, level: str, rows: PairRows, terms: dict[int, ProductTerms], grow: bool
    ) -> sparse.csr_matrix:
        vocab = self.vocab.setdefault(level, {})
        data, ri, ci = [], [], []
        for i, lines in enumerate(rows.lines):
            for *_, pid in lines:
                t = terms.get(pid)
                if t is None:
                    continue
                term = t.fine if level == "fine" else t.coarse
                j = vocab.get(term)
                if j is None:
                    if not grow:
                        continue
                    j = vocab[term] = len(vocab)
                data.append(1.0)
                ri.append(i)
                ci.append(j)
        shape = (len(rows.pairs), max(1, len(vocab)))
        return sparse.csr_matrix((data, (ri, ci)), shape=shape)

    def fit_transform(
        self, rows: PairRows, terms: dict[int, ProductTerms], seed: int = 0
    ) -> np.ndarray:
        parts = []
        for level in ("fine", "coarse"):
            m = self.counts(level, rows, terms, grow=True)
            tf = TfidfTransformer(sublinear_tf=True)
            x = tf.fit_transform(m)
            self.tfidf[level] = tf
            k = min(SVD_DIMS, x.shape[1] - 1, x.shape[0] - 1)
            if k >= 2:
                svd = TruncatedSVD(k, random_state=seed)
                parts.append(svd.fit_transform(x))
                self.svd[level] = svd
            else:
                self.svd[level] = None
                parts.append(x.toarray())
        parts.append(
            np.array([behaviour(ln, terms) for ln in rows.lines]).reshape(len(rows.lines), -1)
        )
        return np.hstack(parts)

    def transform(self, rows: PairRows, terms: dict[int, ProductTerms]) -> np.ndarray:
        parts = []
        for level in ("fine", "coarse"):
            x = self.tfidf[level].transform(self.counts(level, rows, terms, grow=False))
            svd = self.svd[level]
            parts.append(svd.transform(x) if svd is not None else x.toarray())
        parts.append(
            np.array([behaviour(ln, terms) for ln in rows.lines]).reshape(len(rows.lines), -1)
        )
        return np.hstack(parts)


def new_classifier() -> Any:
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        StandardScaler(), LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
    )


@dataclass(frozen=True)
class HeldOut:
    target: str
    balanced_accuracy: float
    accuracy: float
    baseline_accuracy: float
    n: int


def cross_validate(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray | None = None,
    seed: int = 0,
    folds: int = FOLDS,
) -> np.ndarray:
    """Out-of-fold predictions; grouped by shopper when several rows share one."""
    pred = np.empty(len(y), dtype=object)
    if groups is not None and len(set(groups.tolist())) < len(groups):
        splits = GroupKFold(folds).split(x, y, groups)
    else:
        splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y)
    for tr, te in splits:
        if len(set(y[tr].tolist())) < 2:
            pred[te] = y[tr][0]
            continue
        pred[te] = new_classifier().fit(x[tr], y[tr]).predict(x[te])
    return pred


def held_out(target: str, y: np.ndarray, pred: np.ndarray) -> HeldOut:
    _, counts = np.unique(y, return_counts=True)
    return HeldOut(
        target=target,
        balanced_accuracy=float(balanced_accuracy_score(y, pred)),
        accuracy=float(accuracy_score(y, pred)),
        baseline_accuracy=float(counts.max() / counts.sum()),
        n=len(y),
    )


def labels(session: Session) -> dict[str, dict[str, str]]:
    """Known attributes per shopper, as class labels: target → {shopper id: value}."""
    out: dict[str, dict[str, str]] = {t: {} for t in TARGETS}
    q = select(Shopper.id, Shopper.married, Shopper.kids_count, Shopper.lifestyle)
    for sid, married, kids, life in session.execute(q):
        life = life or {}
        if married is not None:
            out["married"][sid] = "married" if married else "single"
        if kids is not None:
            out["children"][sid] = "children" if kids > 0 else "no_children"
        band = child_age_band(life.get("children") or [])
        if band is not None:
            out["children_age"][sid] = band
        if life.get("occupation"):
            out["occupation"][sid] = str(life["occupation"])
    return out


@dataclass
class LifestyleModel:
    featurizer: Featurizer
    terms: dict[int, ProductTerms]
    classifiers: dict[str, Any]
    held_out: list[HeldOut]
    trained_on: int

    def predict(self, rows: PairRows) -> dict[str, tuple[list[str], np.ndarray]]:
        """Per attribute: the class names and a probability row per pair."""
        if not rows.pairs:
            return {}
        x = self.featurizer.transform(rows, self.terms)
        out = {}
        for target, clf in self.classifiers.items():
            out[target] = ([str(c) for c in clf.classes_], clf.predict_proba(x))
        return out


def train(
    session: Session, *, targets: Iterable[str] = TARGETS, seed: int = 0, evaluate: bool = True
) -> LifestyleModel:
    """Fit on every (shopper, seller) pair of the store; attributes with too few labelled
    shoppers (or one class only) are skipped."""
    terms = product_terms(session)
    rows = load_pairs(session)
    featurizer = Featurizer()
    x = featurizer.fit_transform(rows, terms, seed=seed) if rows.pairs else np.empty((0, 0))
    known = labels(session)
    shoppers = np.array([s for s, _ in rows.pairs], dtype=object)
    classifiers: dict[str, Any] = {}
    scores: list[HeldOut] = []
    trained_on: set[str] = set()
    for target in targets:
        lab = known[target]
        idx = np.array([i for i, s in enumerate(shoppers) if s in lab], dtype=int)
        if len({shoppers[i] for i in idx}) < MIN_LABELLED:
            continue
        y = np.array([lab[shoppers[i]] for i in idx], dtype=object)
        if len(set(y.tolist())) < 2:
            continue
        if evaluate:
            pred = cross_validate(x[idx], y, shoppers[idx], seed=seed)
            scores.append(held_out(target, y, pred))
        classifiers[target] = new_classifier().fit(x[idx], y)
        trained_on.update(shoppers[idx].tolist())
    return LifestyleModel(featurizer, terms, classifiers, scores, len(trained_on))


def store_fingerprint(engine: Engine) -> tuple[Any, ...]:
    """Changes when orders or labelled shoppers are added: then the model is retrained."""
    with Session(engine) as s:
        orders = s.execute(select(func.count(Order.id), func.max(Order.id))).one()
        shoppers = s.execute(select(func.count(Shopper.id))).scalar()
    return (str(engine.url), *orders, shoppers)


# --- what a seller sees -------------------------------------------------------------------------
@dataclass(frozen=True)
class ValueShare:
    value: str
    buyers: int
    share: float
    confidence: float


def summarise(predictions: dict[str, tuple[list[str], np.ndarray]]) -> dict[str, list[ValueShare]]:
    """The distribution of each attribute's most likely value over the buyers, with the mean
    probability of that value among the buyers given it (the model's confidence)."""
    out: dict[str, list[ValueShare]] = {}
    for target, (classes, proba) in predictions.items():
        best = proba.argmax(axis=1)
        n = len(best)
        values = []
        for j, name in enumerate(classes):
            mask = best == j
            k = int(mask.sum())
            if k:
                values.append(ValueShare(name, k, k / n, float(proba[mask, j].mean())))
        out[target] = sorted(values, key=lambda v: (-v.buyers, v.value))
    return out


# --- one model per process and store ------------------------------------------------------------
@dataclass
class _Cached:
    model: LifestyleModel
    fingerprint: tuple[Any, ...]
    checked_at: float


_models: dict[str, _Cached] = {}
_models_lock = threading.Lock()


def get_model(engine: Engine, ttl_s: float = 600.0) -> LifestyleModel:
    """The store's lifestyle model, trained on first use and again once the store has new
    orders or shoppers (checked at most every ``ttl_s`` seconds)."""
    key = str(engine.url)
    now = time.monotonic()
    with _models_lock:
        cached = _models.get(key)
        if cached is not None and now - cached.checked_at < ttl_s:
            return cached.model
        fingerprint = store_fingerprint(engine)
        if cached is not None and cached.fingerprint == fingerprint:
            cached.checked_at = now
            return cached.model
        with Session(engine) as session:
            model = train(session)
        _models[key] = _Cached(model, fingerprint, now)
        return model
