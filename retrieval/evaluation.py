"""Offline evaluation of personalisation, split in time: fit before ``split``, test on the rest.

Two tasks, each against popularity measured on the same test set with the same tie-break:

(a) **Next-purchase types** ("what am I running low on?", :mod:`retrieval.nextbasket`). For each
    shopper, every type seen before the split is ranked with features from the whole fitting
    period. Recall@10 of a shopper = |top 10 ∩ types bought from the split on| / |types bought
    from the split on|, averaged over shoppers with at least one (typed) purchase on each side.
    Popularity ranks types by purchases before the split. Ties: by type key.
(b) **Within-type re-ranking** (the assistant's real use: the shopper asked for a type, which
    product first?). For each test purchase, every product of its type is ranked for that
    shopper (profile frozen at the split: test purchases never feed a feature) with
    :meth:`ItemStats.features` and a blend learned by :func:`fit_pairwise` — the runtime code.
    rank = 1 + #products scoring higher + #products scoring the same with a smaller id; MRR =
    mean of 1/rank, hit@3 = share with rank ≤ 3, over test purchases whose type has at least two
    products. Popularity = the ``popularity`` feature alone (purchases before the split), same
    tie-break, so products never bought before are ordered by id for it.

Both learned blends are fit on an internal split of the fitting period (features before
``split - label_days``, labels from then to the split) and never see the test part.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from retrieval.history import profiles_before, purchase_counts, purchases_between
from retrieval.history import within_type_groups as _within_type_groups
from retrieval.nextbasket import (
    NB_FEATURES,
    OTHER_TYPE,
    NextBasket,
    TypeBlend,
    TypePurchase,
    TypeStats,
    learn_type_blend,
    profiles_from,
    taxonomy_facts,
    unix,
)
from retrieval.personal import FEATURES, Blend, Item, ItemStats, Profile, fit_pairwise
from store.models import Meta, Order, OrderLine, Product, Shopper

if TYPE_CHECKING:
    from rich.progress import Progress

K_TYPES = 10
K_HIT = 3
# Complete Journey: the importer's split (also recorded in its meta row); labels for the blends
# from 2017-08-15 to the split.
CJ_SPLIT = dt.datetime(2017, 10, 1)
CJ_META_KEY = "completejourney_import"
CJ_LABEL_DAYS = 47.0
DEMO_TEST_DAYS = 30.0
DEMO_LABEL_DAYS = 30.0


@dataclass(frozen=True)
class ProductFacts:
    """A store product as the evaluation's hooks see it."""

    id: int
    type_key: str
    brand: str
    size: float
    price: float
    attributes: Mapping[str, Any]


KeyOf = Callable[[ProductFacts], "str | None"]


def store_type(p: ProductFacts) -> str | None:
    """The taxonomy type; the Complete Journey importer's "other" is no type."""
    return p.type_key if p.type_key != OTHER_TYPE else None


def store_brand(p: ProductFacts) -> str | None:
    return p.brand


def cj_product_type(p: ProductFacts) -> str | None:
    """Complete Journey's own product type (2,379 of them), finer than our taxonomy."""
    return p.attributes.get("product_type") or None


def cj_manufacturer(p: ProductFacts) -> str | None:
    """The manufacturer is Complete Journey's real brand signal (``brand`` is National/Private)."""
    m = p.attributes.get("manufacturer_id")
    return None if m is None else f"m{m}"


def cj_category(p: ProductFacts) -> str | None:
    return p.attributes.get("product_category") or None


# --- metrics -------------------------------------------------------------------------------------
def recall_at_k(ranked: Sequence[str], truth: Iterable[str], k: int = K_TYPES) -> float:
    """|top k of ``ranked`` ∩ truth| / |truth| (0 for an empty truth)."""
    wanted = set(truth)
    if not wanted:
        return 0.0
    return len(wanted.intersection(ranked[:k])) / len(wanted)


def rank_of(scores: np.ndarray, ids: np.ndarray, target: int) -> int:
    """1-based rank of ``target`` when sorting by score (high first), ties by smaller id."""
    at = int(np.flatnonzero(ids == target)[0])
    s = scores[at]
    return 1 + int(np.sum((scores > s) | ((scores == s) & (ids < target))))


def mean_reciprocal_rank(ranks: Sequence[int]) -> float:
    return float(np.mean(1.0 / np.asarray(ranks, dtype=float))) if len(ranks) else 0.0


def hit_rate(ranks: Sequence[int], k: int = K_HIT) -> float:
    return float(np.mean(np.asarray(ranks) <= k)) if len(ranks) else 0.0


# --- reading the store ---------------------------------------------------------------------------
def load_products(engine: Engine) -> list[ProductFacts]:
    cols = (Product.id, Product.type_key, Product.brand, Product.size, Product.price)
    with Session(engine) as s:
        rows = s.execute(select(*cols, Product.attributes).order_by(Product.id))
        return [
            ProductFacts(int(i), t, b, float(z), float(p), a or {}) for i, t, b, z, p, a in rows
        ]


def history_prices(engine: Engine, before: dt.datetime) -> dict[int, float]:
    """Median unit price paid per product before ``before``. The Complete Journey importer sets
    ``Product.price`` from every sampled purchase, test period included, so a price > 0 would
    betray that a product sells later; prices from the past only keep the test unseen."""
    q = (
        select(OrderLine.product_id, OrderLine.unit_price)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.created_at < before)
    )
    paid: dict[int, list[int]] = defaultdict(list)
    with Session(engine) as s:
        for pid, price in s.execute(q):
            paid[int(pid)].append(int(price))
    return {pid: float(statistics.median(v)) for pid, v in paid.items()}


@dataclass
class _Setup:
    """What both tasks need: products with their type and brand, hooks resolved."""

    products: list[ProductFacts]
    type_of: dict[int, str]
    brand_of: dict[int, str]
    group_of: dict[str, str]
    cycle_days: dict[str, float]


def _setup(
    engine: Engine,
    type_of: KeyOf | None,
    brand_of: KeyOf | None,
    group_of: KeyOf | None,
    cycle_days: Mapping[str, float] | None,
) -> _Setup:
    products = load_products(engine)
    t_of, b_of = type_of or store_type, brand_of or store_brand
    types = {p.id: t for p in products if (t := t_of(p))}
    brands = {p.id: b_of(p) or "" for p in products if p.id in types}
    tax_groups, tax_cycles, _ = taxonomy_facts()
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for p in products:
        if p.id in types:
            g = group_of(p) if group_of is not None else tax_groups.get(types[p.id])
            votes[types[p.id]][g or ""] += 1
    groups = {t: c.most_common(1)[0][0] for t, c in votes.items()}
    cycles = dict(cycle_days) if cycle_days is not None else tax_cycles
    return _Setup(products, types, brands, groups, {t: cycles[t] for t in votes if t in cycles})


def _items(setup: _Setup, prices: Mapping[int, float] | None) -> list[Item]:
    """Ranking items; with ``prices`` (paid in the past), a product not sold yet is priced at
    its type's median paid unit price, as a real catalog would know some price for it — not 0,
    which would only repeat "never sold" through the price tiers."""
    known = (
        _price_of(setup, prices) if prices is not None else {p.id: p.price for p in setup.products}
    )
    return [
        Item(p.id, setup.type_of[p.id], setup.brand_of[p.id], p.size, known[p.id])
        for p in setup.products
        if p.id in setup.type_of
    ]


def _price_of(setup: _Setup, prices: Mapping[int, float]) -> dict[int, float]:
    unit: dict[str, list[float]] = defaultdict(list)
    for p in setup.products:
        if p.id in setup.type_of and p.id in prices:
            unit[setup.type_of[p.id]].append(prices[p.id] / p.size)
    median = {t: float(statistics.median(v)) for t, v in unit.items()}
    return {
        p.id: prices.get(p.id, median.get(setup.type_of[p.id], 0.0) * p.size)
        for p in setup.products
        if p.id in setup.type_of
    }


def _typed_purchases(
    engine: Engine, setup: _Setup, start: dt.datetime | None, end: dt.datetime | None
) -> list[tuple[str, int, dt.datetime]]:
    return [row for row in purchases_between(engine, start, end) if row[1] in setup.type_of]


# --- (b) within-type re-ranking ------------------------------------------------------------------
@dataclass
class _ItemWorld:
    stats: ItemStats
    profiles: dict[str, Profile]


def _item_world(
    engine: Engine, setup: _Setup, cutoff: dt.datetime, prices_from_history: bool
) -> _ItemWorld:
    prices = history_prices(engine, cutoff) if prices_from_history else None
    stats = ItemStats(_items(setup, prices), purchase_counts(engine, before=cutoff))
    return _ItemWorld(stats, profiles_before(engine, stats, cutoff))


def learn_within_type_blend(
    engine: Engine,
    setup: _Setup,
    split: dt.datetime,
    label_days: float,
    prices_from_history: bool,
    seed: int = 0,
) -> Blend:
    """The runtime's pairwise blend, fit with profiles before ``split - label_days`` and the
    purchases from then to ``split`` as labels (the same groups :func:`learn_blend` builds)."""
    inner = split - dt.timedelta(days=label_days)
    world = _item_world(engine, setup, inner, prices_from_history)
    labels = _typed_purchases(engine, setup, inner, split)
    blend = fit_pairwise(_within_type_groups(world.stats, world.profiles, labels, seed=seed))
    blend.meta.update({"cutoff": inner.isoformat(), "labels": len(labels)})
    return blend


def within_type_ranks(
    world: _ItemWorld,
    tests: Sequence[tuple[str, int, dt.datetime]],
    blends: Mapping[str, Blend],
    advance: Callable[[int], None] = lambda _n: None,
) -> dict[str, list[int]]:
    """Rank of each test purchase among all products of its type, per blend (features are
    computed once per purchase and shared by the blends)."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for it in world.stats.items.values():
        by_type[it.type_key].append(it.id)
    members = {t: np.array(sorted(ids)) for t, ids in by_type.items()}
    ranks: dict[str, list[int]] = {name: [] for name in blends}
    for sid, pid, ts in tests:
        ids = members[world.stats.items[pid].type_key]
        advance(1)
        if len(ids) < 2:
            continue
        x = world.stats.features(world.profiles.get(sid, Profile()), ids.tolist(), unix(ts))
        for name, blend in blends.items():
            ranks[name].append(rank_of(blend.score(x), ids, pid))
    return ranks


# --- (a) next-purchase types ---------------------------------------------------------------------
def _type_purchases(
    engine: Engine, setup: _Setup, start: dt.datetime | None, end: dt.datetime | None
) -> list[TypePurchase]:
    return [
        TypePurchase(sid, setup.type_of[pid], unix(ts))
        for sid, pid, ts in _typed_purchases(engine, setup, start, end)
    ]


def next_type_recalls(
    model: Mapping[str, NextBasket],
    fit: Sequence[TypePurchase],
    test: Sequence[TypePurchase],
    now: float,
    k: int = K_TYPES,
) -> dict[str, list[float]]:
    """Recall@k per shopper with history and test purchases, per model."""
    profiles = profiles_from(fit)
    truth: dict[str, set[str]] = defaultdict(set)
    for p in test:
        truth[p.shopper].add(p.type_key)
    out: dict[str, list[float]] = {name: [] for name in model}
    for shopper in sorted(truth):
        prof = profiles.get(shopper)
        if prof is None:
            continue
        for name, m in model.items():
            out[name].append(recall_at_k(m.ranked(prof, now), truth[shopper], k))
    return out


# --- both ----------------------------------------------------------------------------------------
@dataclass
class _Run:
    """One evaluation's fitted models and test data, kept for the planted-preference checks."""

    setup: _Setup
    split: dt.datetime
    type_models: dict[str, NextBasket]
    type_fit: list[TypePurchase]
    item_world: _ItemWorld
    item_blends: dict[str, Blend]
    result: dict[str, Any]


def evaluate_personalisation(
    engine: Engine,
    *,
    split: dt.datetime,
    type_of: KeyOf | None = None,
    brand_of: KeyOf | None = None,
    group_of: KeyOf | None = None,
    cycle_days: Mapping[str, float] | None = None,
    label_days: float = 45.0,
    prices_from_history: bool = False,
    progress: Progress | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """(a) and (b) of the module docstring for the learned models and popularity.

    Hooks take a :class:`ProductFacts`: ``type_of`` (default the product's ``type_key``; None
    leaves the product out), ``brand_of`` (default ``brand``), ``group_of`` (the type's group for
    the next-purchase affinity; default the taxonomy category). ``cycle_days`` defaults to the
    taxonomy's for taxonomy types. ``prices_from_history`` takes prices from purchases before
    each cutoff instead of ``Product.price`` (needed for Complete Journey, see
    :func:`history_prices`). Returns the metrics per model, the counts and the learned weights.
    """
    setup = _setup(engine, type_of, brand_of, group_of, cycle_days)
    run = _run(engine, setup, split, label_days, prices_from_history, _Steps(progress), seed)
    return run.result


def _run(
    engine: Engine,
    setup: _Setup,
    split: dt.datetime,
    label_days: float,
    prices_from_history: bool,
    steps: _Steps,
    seed: int,
) -> _Run:
    done = steps.start("next-purchase types", 1)
    fit = _type_purchases(engine, setup, None, split)
    test = _type_purchases(engine, setup, split, None)
    now = unix(split)
    type_blend = learn_type_blend(
        fit, now, label_days, group_of=setup.group_of, cycle_days=setup.cycle_days
    )
    stats = TypeStats(fit, now, group_of=setup.group_of, cycle_days=setup.cycle_days)
    models = {
        "learned": NextBasket(stats, type_blend),
        "popularity": NextBasket(stats, TypeBlend.popularity_only()),
    }
    recalls = next_type_recalls(models, fit, test, now)
    done(1)

    done = steps.start("learning the within-type blend", 1)
    blend = learn_within_type_blend(engine, setup, split, label_days, prices_from_history, seed)
    done(1)
    world = _item_world(engine, setup, split, prices_from_history)
    tests = _typed_purchases(engine, setup, split, None)
    blends = {"learned": blend, "popularity": Blend.popularity_only()}
    ranks = within_type_ranks(world, tests, blends, steps.start("within-type ranking", len(tests)))
    result = {
        "split": split.isoformat(),
        "label_days": label_days,
        "next_type": {
            "households": len(recalls["learned"]),
            "types": len(stats.types),
            f"recall@{K_TYPES}": {name: _mean(r) for name, r in recalls.items()},
            "blend": _weights(NB_FEATURES, type_blend.weights),
            "blend_meta": type_blend.meta,
        },
        "within_type": {
            "purchases": len(ranks["learned"]),
            "mrr": {name: mean_reciprocal_rank(r) for name, r in ranks.items()},
            f"hit@{K_HIT}": {name: hit_rate(r) for name, r in ranks.items()},
            "blend": _weights(FEATURES, blend.weights / blend.scale),
            "blend_meta": blend.meta,
        },
    }
    return _Run(setup, split, models, fit, world, blends, result)


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if len(values) else 0.0


def _weights(names: Sequence[str], w: np.ndarray) -> dict[str, float]:
    return {n: round(float(v), 4) for n, v in zip(names, w, strict=True)}


class _Steps:
    """Progress bars when a rich Progress is given; silent otherwise."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress

    def start(self, description: str, total: int) -> Callable[[int], None]:
        progress = self.progress
        if progress is None:
            return lambda _n: None
        task = progress.add_task(description, total=total)
        return lambda n: progress.advance(task, n)


# --- the demo's planted preferences --------------------------------------------------------------
def planted_checks(engine: Engine, run: _Run, k: int = K_TYPES) -> dict[str, dict[str, float]]:
    """Against the demo shoppers' planted ``lifestyle`` (shoppers with history before the split):

    - planted needs recall@k: |top k recommended types ∩ planted needs| / |planted needs|;
    - favourite brand top-1: over (shopper, needed type with a planted favourite brand), the
      share whose first-ranked product (at the split, ties by id) is of that brand.
    """
    with Session(engine) as s:
        planted = {
            sid: life
            for sid, life in s.execute(select(Shopper.id, Shopper.lifestyle).order_by(Shopper.id))
            if life and life.get("needs")
        }
    if not planted:
        return {}
    now = unix(run.split)
    type_profiles = profiles_from(run.type_fit)
    needs: dict[str, list[float]] = {name: [] for name in run.type_models}
    favourite: dict[str, list[float]] = {name: [] for name in run.item_blends}
    members: dict[str, list[int]] = defaultdict(list)
    for it in run.item_world.stats.items.values():
        members[it.type_key].append(it.id)
    for sid, life in planted.items():
        if sid not in type_profiles:
            continue
        for name, m in run.type_models.items():
            ranked = m.ranked(type_profiles[sid], now)
            needs[name].append(recall_at_k(ranked, life["needs"], k))
        profile = run.item_world.profiles.get(sid, Profile())
        for type_key, brand in sorted((life.get("favourite_brands") or {}).items()):
            ids = np.array(sorted(members.get(type_key, [])))
            if len(ids) < 2:
                continue
            x = run.item_world.stats.features(profile, ids.tolist(), now)
            for name, b in run.item_blends.items():
                first = int(ids[np.lexsort((ids, -b.score(x)))[0]])
                favourite[name].append(float(run.item_world.stats.items[first].brand == brand))
    # "n" counts what each metric averages over: shoppers, then (shopper, type) pairs.
    return {
        f"planted needs recall@{k}": {
            **{name: _mean(v) for name, v in needs.items()},
            "n": len(needs["learned"]),
        },
        "favourite brand top-1": {
            **{name: _mean(v) for name, v in favourite.items()},
            "n": len(favourite["learned"]),
        },
    }


# --- the CLI's entry point -----------------------------------------------------------------------
@dataclass(frozen=True)
class EvalRow:
    dataset: str
    task: str
    metric: str
    model: str
    value: float
    baseline: float | None  # popularity on the same test set
    n: int  # households or purchases measured

    @property
    def vs_baseline(self) -> float | None:
        """Relative change against popularity, in percent."""
        if self.baseline is None or self.baseline == 0:
            return None
        return 100.0 * (self.value / self.baseline - 1.0)


def result_rows(dataset: str, result: Mapping[str, Any]) -> list[EvalRow]:
    """Table rows of one :func:`evaluate_personalisation` result (plus any planted checks)."""
    rows: list[EvalRow] = []
    nt, wt = result["next_type"], result["within_type"]
    parts = [
        ("(a) next-purchase type", f"recall@{K_TYPES}", nt[f"recall@{K_TYPES}"], nt["households"]),
        ("(b) within-type rank", "MRR", wt["mrr"], wt["purchases"]),
        ("(b) within-type rank", f"hit@{K_HIT}", wt[f"hit@{K_HIT}"], wt["purchases"]),
    ]
    for metric, values in result.get("planted", {}).items():
        parts.append(("planted preferences", metric, values, int(values.get("n", 0))))
    for task, metric, values, n in parts:
        base = values["popularity"]
        for model in ("popularity", "learned"):
            rows.append(EvalRow(dataset, task, metric, model, values[model], base, n))
    return rows


def format_table(rows: Sequence[EvalRow]) -> str:
    """A plain-text table: dataset, task, metric, model, value, change against popularity."""
    header = ("dataset", "task", "metric", "model", "value", "vs popularity", "n")
    body = [
        (
            r.dataset,
            r.task,
            r.metric,
            r.model,
            f"{r.value:.4f}",
            "—" if r.model == "popularity" or r.vs_baseline is None else f"{r.vs_baseline:+.1f}%",
            str(r.n) if r.n else "",
        )
        for r in rows
    ]
    widths = [
        max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    out = [line, rule]
    for b in body:
        out.append("  ".join(c.ljust(w) for c, w in zip(b, widths, strict=True)))
    return "\n".join(out)


def completejourney_split(engine: Engine) -> dt.datetime:
    """The split the importer recorded in ``meta`` (docs/completejourney.md), else its default."""
    with Session(engine) as s:
        row = s.get(Meta, CJ_META_KEY)
    if row is not None:
        recorded = json.loads(row.value).get("split_date")
        if recorded:
            return dt.datetime.fromisoformat(recorded)
    return CJ_SPLIT


def evaluate_completejourney(
    engine: Engine, progress: Progress | None = None, seed: int = 0
) -> dict[str, Any]:
    """A store with Complete Journey imported: its split, product types and manufacturers."""
    return evaluate_personalisation(
        engine,
        split=completejourney_split(engine),
        type_of=cj_product_type,
        brand_of=cj_manufacturer,
        group_of=cj_category,
        cycle_days={},
        label_days=CJ_LABEL_DAYS,
        prices_from_history=True,
        progress=progress,
        seed=seed,
    )


def demo_split(engine: Engine, test_days: float = DEMO_TEST_DAYS) -> dt.datetime:
    """The last ``test_days`` of the store's orders are the test part (from midnight)."""
    with Session(engine) as s:
        last = s.scalar(select(func.max(Order.created_at)))
    if last is None:
        raise ValueError("the store has no orders to evaluate on")
    cut = last - dt.timedelta(days=test_days)
    return dt.datetime.combine(cut.date(), dt.time())


def evaluate_demo(
    engine: Engine, progress: Progress | None = None, seed: int = 0
) -> dict[str, Any]:
    """A demo (or any taxonomy-typed) store: type_key and brand, taxonomy cycles and groups,
    the last DEMO_TEST_DAYS as test; plus the checks against the planted preferences."""
    setup = _setup(engine, None, None, None, None)
    split = demo_split(engine)
    run = _run(engine, setup, split, DEMO_LABEL_DAYS, False, _Steps(progress), seed)
    planted = planted_checks(engine, run)
    return {**run.result, "planted": planted} if planted else run.result


def run_retrieval_personalisation_eval(
    cj_engine: Engine | None,
    demo_engine: Engine | None,
    progress: Progress | None = None,
) -> list[EvalRow]:
    """What ``jangbogi eval retrieval`` prints (:func:`format_table`): Complete Journey from a
    store it was imported into (``import_completejourney``; a temporary SQLite file will do) and
    the demo store. Either may be None to skip it."""
    rows: list[EvalRow] = []
    if cj_engine is not None:
        rows += result_rows("completejourney", evaluate_completejourney(cj_engine, progress))
    if demo_engine is not None:
        rows += result_rows("demo", evaluate_demo(demo_engine, progress))
    return rows
