"""Inferred lifestyle of buyers: married, children (and the youngest child's age band),
occupation — learned from shoppers whose attributes are known, reported with held-out accuracy.

The unit is a **seller's view of a shopper**: the shopper's purchases from one seller. A seller's
insights are computed from its own order lines only, so the model is trained on the same kind of
rows (every (shopper, seller) pair of a labelled shopper) and its held-out accuracy is grouped by
shopper, so no shopper is in both the training and the test folds.

Features (chosen on Complete Journey's real households, see docs/seller-api.md):
- what is bought: TF-IDF of which product types and categories were bought (bought or not, not
  how often: a sample of ~50 lines says little about repeats), reduced by truncated SVD fitted on
  every pair, labelled or not (latent semantic analysis: sparse baskets share information
  through co-purchased types);
- how it is bought: lines, orders, lines per order, quantity, spend per line and in all, weeks
  shopped, share of the type's smallest pack, and when: the hour-of-day and weekday mix of the
  lines (a working couple, a parent after school and a retiree shop at different hours);
- who it is bought for: the share of lines of child-indicative and infant products (named by the
  taxonomy's baby category or the source's category/type words, fixed in ``KID_WORDS``), order
  size and spend per order.
A balanced logistic regression per attribute turns them into probabilities; its regularisation is
chosen by a repeated inner cross-validation on the training rows only (it matters: on the real
data children wants almost none of the weights' freedom, married more).

Training is a job (``jangbogi lifestyle train``): the fitted model and its held-out scores are saved
under the var dir and the API loads them (:func:`get_model`), training in a background thread only
when no fresh saved model exists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import os
import pickle
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
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
from store.paths import var_dir
from store.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

TARGETS = ("married", "children", "children_age", "occupation")
# Parts of the day (from hour, to hour exclusive): the share of the lines in each is a feature.
HOUR_BINS = ((0, 10), (10, 12), (12, 15), (15, 18), (18, 20), (20, 24))
SVD_DIMS = 20
# Regularisation strengths tried by the inner cross-validation (strong: a few hundred labelled
# households in the real data). The weakest signals want the strongest: at C=1e-4 the weights
# are little more than each standardised feature's class-mean difference.
C_GRID = (0.0001, 0.001, 0.01, 0.1)
# The inner search: 3 folds; on small training sets (a few hundred labelled households, as in the
# real data) 5 folds repeated twice: one 3-fold split's balanced accuracy on ~200 rows is noisy
# (on Complete Journey it chose C worse: children 0.603 instead of 0.612). Large stores keep one
# cheap split: their scores are steadier.
INNER_FOLDS = 3
SMALL_ROWS = 2_000
SMALL_INNER_FOLDS = 5
SMALL_INNER_REPEATS = 2
INNER_MAX_ROWS = 20_000  # the inner search uses a sample of larger stores
MIN_LABELLED = 20
FOLDS = 5
# Bump when features, model or saved format change: saved models of another version are stale.
MODEL_VERSION = 3
BEHAVIOUR = (
    "log_lines", "log_orders", "lines_per_order", "log_qty", "log_spend_per_line",
    "small_pack_share", "store_brand_share", "multi_qty_share", "morning_share", "evening_share",
    "weekend_share", "kid_share", "infant_share", "log_kid_lines", "any_infant", "log_qty_10",
    "log_spend_per_order", "log_max_order_lines", "log_spend", "log_weeks", "weeks_per_line",
    "summer_share", "after_school_share", "saturday_share", "sunday_share", "mean_hour",
    *(f"hours_{a}_{b}_share" for a, b in HOUR_BINS),
)  # fmt: skip
# Words of source categories and types (Complete Journey's product_category / product_type) that
# point at children in the household; fixed from the names alone, not from the labels.
KID_WORDS = re.compile(
    r"BABY|INFANT|DIAPER|KIDS|CHILDREN|SCHOOL|FRUIT SNACK|ASEPTIC|MACARONI & CHEESE|"
    r"STRING CHEESE|LUNCH COMBO|PUDDING&GELATIN CUPS|CHOCOLATE MILK|YOGURT MULTI|PEANUT BUTTER|"
    r"JELLY|HOT DOG|JUICE",
    re.IGNORECASE,
)
INFANT_WORDS = re.compile(r"BABY|INFANT|DIAPER", re.IGNORECASE)


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
    kid: bool = False
    infant: bool = False


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
        source = f"{a.get('product_category') or ''} {a.get('product_type') or ''}"
        if type_key in tax:
            small = size == smallest.get(type_key) if type_key in multi else None
            category = tax[type_key].category
            words = f"{category} {type_key} {source}"
            out[pid] = ProductTerms(
                type_key, category, small, own_label,
                kid=bool(KID_WORDS.search(words)), infant=bool(INFANT_WORDS.search(words)),
            )  # fmt: skip
        else:
            fine = a.get("product_type") or type_key
            coarse = a.get("product_category") or a.get("department") or type_key
            words = f"{type_key} {source}"
            out[pid] = ProductTerms(
                f"x:{fine}", f"x:{coarse}", None, own_label,
                kid=bool(KID_WORDS.search(words)), infant=bool(INFANT_WORDS.search(words)),
            )  # fmt: skip
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
    qty = qty10 = spend = 0.0
    small = known = own_label = multi = kid = infant = 0
    for oid, ts, q, revenue, pid in lines:
        orders[oid] += 1
        # Fuel and weighed goods carry quantities in the thousands; cap so they do not dominate.
        qty += min(q, 50)
        qty10 += min(q, 10)
        multi += q > 1
        spend += max(revenue, 0)
        hours.append(ts.hour)
        weekend += ts.weekday() >= 5
        t = terms.get(pid)
        if t is not None:
            own_label += t.store_brand
            kid += t.kid
            infant += t.infant
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
        kid / n,
        infant / n,
        math.log1p(kid),
        float(infant > 0),
        math.log1p(qty10 / n),
        math.log1p(spend / len(orders)),
        math.log1p(max(orders.values())),
        math.log1p(spend),
        *timing([ts for _, ts, *_ in lines]),
    ]


def timing(times: list[dt.datetime]) -> list[float]:
    """When a shopper shops: weeks shopped (in all and per line), the summer share (school
    holidays), the weekday after-school share, Saturday and Sunday shares, the mean hour and the
    share of each part of the day in ``HOUR_BINS``. Per line, as the other shares."""
    n = len(times)
    weeks = len({t.isocalendar()[:2] for t in times})
    hours = [t.hour for t in times]
    return [
        math.log1p(weeks),
        weeks / n,
        sum(t.month in (6, 7, 8) for t in times) / n,
        sum(15 <= t.hour < 18 and t.weekday() < 5 for t in times) / n,
        sum(t.weekday() == 5 for t in times) / n,
        sum(t.weekday() == 6 for t in times) / n,
        sum(hours) / n,
        *(sum(a <= h < b for h in hours) / n for a, b in HOUR_BINS),
    ]


# --- model --------------------------------------------------------------------------------------
def _bought(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Whether each term was bought at all: in a sample of a few dozen lines a repeat says little
    (on Complete Journey presence did as well as sublinear counts, a little better for married)."""
    out = counts.copy()
    out.sum_duplicates()
    out.data[:] = 1.0
    return out


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
            m = _bought(self.counts(level, rows, terms, grow=True))
            tf = TfidfTransformer()
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
            x = self.tfidf[level].transform(_bought(self.counts(level, rows, terms, grow=False)))
            svd = self.svd[level]
            parts.append(svd.transform(x) if svd is not None else x.toarray())
        parts.append(
            np.array([behaviour(ln, terms) for ln in rows.lines]).reshape(len(rows.lines), -1)
        )
        return np.hstack(parts)


def new_classifier(c: float) -> Any:
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    )


def _splits(
    n: int, y: np.ndarray, groups: np.ndarray | None, folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Folds grouped by shopper when several rows share one, else stratified and shuffled."""
    idx = np.zeros(n)
    if groups is not None and len(set(groups.tolist())) < len(groups):
        return list(GroupKFold(folds).split(idx, y, groups))
    return list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(idx, y))


def _inner_splits(
    y: np.ndarray, groups: np.ndarray | None, seed: int
) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """Differently shuffled k-fold splits (see ``SMALL_ROWS``), grouped by shopper when several
    rows share one."""
    small = len(y) <= SMALL_ROWS
    folds, repeats = (SMALL_INNER_FOLDS, SMALL_INNER_REPEATS) if small else (INNER_FOLDS, 1)
    idx = np.zeros(len(y))
    grouped = groups is not None and len(set(groups.tolist())) < len(groups)
    out = []
    for r in range(repeats):
        state = seed * 1000 + r
        if grouped:
            split = GroupKFold(folds, shuffle=True, random_state=state).split(idx, y, groups)
        else:
            split = StratifiedKFold(folds, shuffle=True, random_state=state).split(idx, y)
        out.append(list(split))
    return out


def _cv_balanced_accuracy(
    x: np.ndarray, y: np.ndarray, c: float, splits: list[tuple[np.ndarray, np.ndarray]]
) -> float:
    pred = np.empty(len(y), dtype=object)
    for tr, te in splits:
        if len(set(y[tr].tolist())) < 2:
            pred[te] = y[tr][0]
            continue
        pred[te] = new_classifier(c).fit(x[tr], y[tr]).predict(x[te])
    return float(balanced_accuracy_score(y, pred))


def select_c(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None, seed: int = 0
) -> float:
    """The regularisation strength of ``C_GRID`` with the best inner cross-validated balanced
    accuracy (mean over the repeats) on these (training) rows; ties go to the stronger
    regularisation."""
    if len(C_GRID) == 1:
        return C_GRID[0]
    if len(y) > INNER_MAX_ROWS:
        keep = np.random.default_rng(seed).choice(len(y), INNER_MAX_ROWS, replace=False)
        x, y = x[keep], y[keep]
        groups = groups[keep] if groups is not None else None
    _, counts = np.unique(y, return_counts=True)
    if len(counts) < 2 or counts.min() < SMALL_INNER_FOLDS:
        return C_GRID[len(C_GRID) // 2]
    repeats = _inner_splits(y, groups, seed)
    best_c, best = C_GRID[0], -1.0
    for c in C_GRID:
        score = float(np.mean([_cv_balanced_accuracy(x, y, c, s) for s in repeats]))
        if score > best + 1e-9:
            best_c, best = c, score
    return best_c


def fit_classifier(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None, seed: int = 0
) -> Any:
    """A classifier whose C is chosen on ``x``/``y`` alone (nested inside any outer fold)."""
    return new_classifier(select_c(x, y, groups, seed)).fit(x, y)


@dataclass(frozen=True)
class HeldOut:
    target: str
    balanced_accuracy: float
    accuracy: float
    baseline_accuracy: float
    n: int
    # 95 % interval of the balanced accuracy (None in models saved before it was computed).
    balanced_accuracy_interval: tuple[float, float] | None = None


def cross_validate(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray | None = None,
    seed: int = 0,
    folds: int = FOLDS,
) -> np.ndarray:
    """Out-of-fold predictions; grouped by shopper when several rows share one. C is selected
    inside each training fold, so the held-out fold plays no part in any choice."""
    pred = np.empty(len(y), dtype=object)
    for tr, te in _splits(len(y), y, groups, folds, seed):
        if len(set(y[tr].tolist())) < 2:
            pred[te] = y[tr][0]
            continue
        g = groups[tr] if groups is not None else None
        pred[te] = fit_classifier(x[tr], y[tr], g, seed).predict(x[te])
    return pred


def balanced_accuracy_interval(
    y: np.ndarray, pred: np.ndarray, groups: np.ndarray | None = None, z: float = 1.96
) -> tuple[float, float]:
    """Normal-approximation interval (``z`` = 1.96: 95 %) of the balanced accuracy, the mean of
    the per-class recalls.

    Rows of one shopper (a shopper's view by several sellers) are not independent: they share
    the shopper's label and much of the basket. So each recall is treated as a ratio of sums
    over shoppers (correct rows / rows) and gets the cluster-robust variance of a ratio
    estimator; without ``groups`` every row is its own shopper. A shopper has one label, so the
    classes hold disjoint shoppers and their variances add."""
    y = np.asarray(y, dtype=object)
    correct = (np.asarray(pred, dtype=object) == y).astype(float)
    shopper = np.arange(len(y)) if groups is None else np.unique(groups, return_inverse=True)[1]
    classes = np.unique(y)
    recalls, variances = [], []
    for k in classes:
        mask = y == k
        _, g = np.unique(shopper[mask], return_inverse=True)
        hits = np.bincount(g, weights=correct[mask])
        rows = np.bincount(g).astype(float)
        recall = hits.sum() / rows.sum()
        n_groups = len(rows)
        spread = ((hits - recall * rows) ** 2).sum() / rows.sum() ** 2
        recalls.append(recall)
        variances.append(spread * n_groups / (n_groups - 1) if n_groups > 1 else 0.25)
    centre = float(np.mean(recalls))
    half = z * math.sqrt(sum(variances)) / len(classes)
    return max(0.0, centre - half), min(1.0, centre + half)


def held_out(
    target: str, y: np.ndarray, pred: np.ndarray, groups: np.ndarray | None = None
) -> HeldOut:
    _, counts = np.unique(y, return_counts=True)
    low, high = balanced_accuracy_interval(y, pred, groups)
    return HeldOut(
        target=target,
        balanced_accuracy=float(balanced_accuracy_score(y, pred)),
        accuracy=float(accuracy_score(y, pred)),
        baseline_accuracy=float(counts.max() / counts.sum()),
        n=len(y),
        balanced_accuracy_interval=(round(low, 4), round(high, 4)),
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
    fingerprint: list[Any] = field(default_factory=list)  # the store it was trained on
    trained_at: str = ""  # ISO time, UTC
    train_seconds: float = 0.0
    version: int = MODEL_VERSION

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
    shoppers (or one class only) are skipped. The store's fingerprint is read first, so a
    model is never marked fresher than the rows it saw."""
    started = time.perf_counter()
    fingerprint = store_fingerprint(session)
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
            scores.append(held_out(target, y, pred, shoppers[idx]))
        classifiers[target] = fit_classifier(x[idx], y, shoppers[idx], seed)
        trained_on.update(shoppers[idx].tolist())
    return LifestyleModel(
        featurizer, terms, classifiers, scores, len(trained_on),
        fingerprint=fingerprint,
        trained_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        train_seconds=round(time.perf_counter() - started, 2),
    )  # fmt: skip


def store_fingerprint(session: Session) -> list[Any]:
    """Changes when orders are added or shoppers (or their known attributes) change: a model
    trained on another fingerprint is stale."""
    orders = session.execute(select(func.count(Order.id), func.max(Order.id))).one()
    shoppers = session.execute(
        select(func.count(Shopper.id), func.count(Shopper.married), func.count(Shopper.kids_count))
    ).one()
    return [MODEL_VERSION, *orders, *shoppers]


# --- saved models -------------------------------------------------------------------------------
def default_model_dir() -> Path:
    return var_dir() / "lifestyle"


def model_path(engine: Engine, folder: Path | None = None) -> Path:
    """One saved model per store: the file is named after the store's URL (password hidden)."""
    url = engine.url.render_as_string(hide_password=True)
    name = hashlib.sha256(url.encode()).hexdigest()[:16]
    return (folder or default_model_dir()) / f"model-{name}.pkl"


def save_model(model: LifestyleModel, path: Path) -> None:
    """The pickled model and, beside it, its held-out scores as JSON (for people and status);
    written to temporary files and renamed, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "version": model.version,
        "fingerprint": model.fingerprint,
        "trained_at": model.trained_at,
        "train_seconds": model.train_seconds,
        "trained_on": model.trained_on,
        "held_out": [asdict(h) for h in model.held_out],
    }
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    meta_tmp = path.with_suffix(".json.tmp")
    meta_tmp.write_text(json.dumps(meta, indent=1))
    os.replace(meta_tmp, path.with_suffix(".json"))


def load_model(path: Path) -> LifestyleModel | None:
    """The saved model, or None when there is none, it cannot be read or is of another version.
    The file is our own job's output under the var dir (pickle: never load one from elsewhere)."""
    try:
        with path.open("rb") as f:
            model = pickle.load(f)  # written by save_model under the var dir
    except FileNotFoundError:
        return None
    except Exception as exc:  # a file from an older code version, or a half-copied file
        log.warning("lifestyle model %s unreadable: %s", path, exc)
        return None
    if not isinstance(model, LifestyleModel) or model.version != MODEL_VERSION:
        return None
    return model


def is_fresh(model: LifestyleModel | None, fingerprint: list[Any]) -> bool:
    return model is not None and model.version == MODEL_VERSION and model.fingerprint == fingerprint


def train_and_save(
    engine: Engine, folder: Path | None = None, *, if_stale: bool = False
) -> tuple[LifestyleModel, Path, bool]:
    """The job: train on the whole store and save under ``folder`` (the var dir's
    ``lifestyle/``). With ``if_stale`` a fresh saved model is kept. Returns the model, its path
    and whether it was trained now."""
    path = model_path(engine, folder)
    if if_stale:
        saved = load_model(path)
        with Session(engine) as session:
            if is_fresh(saved, store_fingerprint(session)):
                assert saved is not None
                return saved, path, False
    with Session(engine) as session:
        model = train(session)
    save_model(model, path)
    return model, path, True


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


# --- the API's model: loaded from the job's file, trained in the background only without one ---
@dataclass
class ModelState:
    """What the API knows about a store's model. ``status``: ``ready`` (fresh), ``stale`` (the
    store changed since; a retrain runs in the background), ``training`` (no model yet),
    ``failed`` (the last background training raised; retried after the TTL)."""

    model: LifestyleModel | None
    status: str


@dataclass
class _Entry:
    model: LifestyleModel | None = None
    fresh: bool = False
    checked_at: float = -math.inf
    thread: threading.Thread | None = None
    started_at: float = -math.inf
    error: str | None = None


_entries: dict[str, _Entry] = {}
_entries_lock = threading.Lock()


def _background_train(key: str, engine: Engine, path: Path) -> None:
    try:
        with Session(engine) as session:
            model = train(session)
        save_model(model, path)
        error = None
    except Exception as exc:  # reported as status "failed"; the request path never raises
        log.exception("lifestyle training failed")
        model, error = None, f"{type(exc).__name__}: {exc}"
    with _entries_lock:
        entry = _entries[key]
        entry.thread = None
        entry.error = error
        if model is not None:
            entry.model, entry.fresh, entry.checked_at = model, True, time.monotonic()


def get_model(engine: Engine, folder: Path | None = None, ttl_s: float = 600.0) -> ModelState:
    """The store's lifestyle model for a request, never trained on the request path.

    A model in memory is reused for ``ttl_s`` seconds; then (or on first use) the store's
    fingerprint is compared with it and with the saved model of ``jangbogi lifestyle train``.
    Without a fresh one, a background thread trains and saves one (at most one per store, and
    not again within ``ttl_s`` of the last start); meanwhile a stale model is answered with
    status ``stale`` and no model with status ``training``."""
    key = engine.url.render_as_string(hide_password=True)
    path = model_path(engine, folder)
    now = time.monotonic()
    with _entries_lock:
        entry = _entries.setdefault(key, _Entry())
        if entry.fresh and now - entry.checked_at < ttl_s:
            return ModelState(entry.model, "ready")
        with Session(engine) as session:
            fingerprint = store_fingerprint(session)
        entry.checked_at = now
        if is_fresh(entry.model, fingerprint):
            entry.fresh = True
            return ModelState(entry.model, "ready")
        saved = load_model(path)
        if saved is not None and (
            entry.model is None or saved.trained_at >= entry.model.trained_at
        ):
            entry.model = saved
        entry.fresh = is_fresh(entry.model, fingerprint)
        if entry.fresh:
            return ModelState(entry.model, "ready")
        if entry.thread is None and now - entry.started_at >= ttl_s:
            entry.error = None
            entry.started_at = now
            entry.thread = threading.Thread(
                target=_background_train, args=(key, engine, path), name="lifestyle-train",
                daemon=True,
            )  # fmt: skip
            entry.thread.start()
        if entry.model is not None:
            return ModelState(entry.model, "stale")
        return ModelState(None, "failed" if entry.error else "training")


def wait_for_training(engine: Engine, timeout: float | None = None) -> None:
    """Block until the store's background training (if any) ends: for tests and tools."""
    with _entries_lock:
        entry = _entries.get(engine.url.render_as_string(hide_password=True))
        thread = entry.thread if entry else None
    if thread is not None:
        thread.join(timeout)


def forget_models() -> None:
    """Drop the models held in memory (tests; a process that wants to reread the files)."""
    with _entries_lock:
        _entries.clear()
