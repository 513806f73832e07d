"""Type-level next-purchase recommendation: "what am I running low on?".

For a shopper and every product type, a few features — how popular the type is (overall and in
the last weeks), how often and how lately the shopper bought it, how *due* it is against the
shopper's usual interval (or the type's: the taxonomy's ``cycle_days`` where known, else the
median interval seen in the data), how often it goes with the shopper's other types, and how
much of the shopper's buying falls in the type's group — are blended by weights *learned* on a
time split of the history (features from before a cutoff, labels: the types bought in the weeks
after it), never hand-tuned. The same code serves the assistant's recommend action and the
evaluations (``retrieval/evaluation.py``), so what is measured is what runs.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sqlalchemy import Engine

DAY_S = 86_400.0
NB_FEATURES = (
    "popularity",  # log(1 + purchases of the type by everyone)
    "recent_popularity",  # log(1 + purchases of the type in the last RECENT_DAYS): trend, season
    "bought_count",  # log(1 + the shopper's purchases of the type)
    "type_share",  # the shopper's purchases of the type / all the shopper's purchases
    "recency",  # exp(-days since the shopper last bought the type / RECENCY_DAYS)
    "due",  # min(r, 1/r) with r = days since last purchase / usual interval: 1 when due today
    "co_occurrence",  # mean cosine (over shoppers) between the type and the shopper's other types
    "group_affinity",  # log smoothed share of the shopper's purchases in the type's group
)
RECENT_DAYS = 28
RECENCY_DAYS = 30.0
# Pseudo-counts: a type's estimated interval leans on the median of all types until it has
# this many observed intervals; a shopper's own interval leans on the type's for one interval.
TYPE_GAP_PRIOR = 5.0
OWN_GAP_PRIOR = 1.0
# Training rows per labelled shopper: the most popular types plus the shopper's own. Which types
# are candidates must not depend on the labels, or unpopular types would look like sure buys.
TRAIN_TOP_TYPES = 300
# At run time "running low" means needed within about two weeks.
RUNTIME_LABEL_DAYS = 14.0
OTHER_TYPE = "other"  # the Complete Journey importer's "no taxonomy type": never recommended


def unix(value: dt.datetime) -> float:
    """Store times are naive UTC."""
    return value.replace(tzinfo=dt.UTC).timestamp()


@dataclass(frozen=True)
class TypePurchase:
    shopper: str
    type_key: str
    ts: float  # unix seconds


@dataclass
class TypeProfile:
    """One shopper's purchases reduced to per-type counts, last times and purchase days."""

    counts: Counter[str] = field(default_factory=Counter)
    last: dict[str, float] = field(default_factory=dict)
    days: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def observe(self, type_key: str, ts: float) -> None:
        self.counts[type_key] += 1
        self.last[type_key] = max(ts, self.last.get(type_key, ts))
        self.days[type_key].add(int(ts // DAY_S))

    def own_gaps(self, type_key: str) -> list[int]:
        """Days between consecutive purchase days of the type (one basket a day counts once)."""
        d = sorted(self.days.get(type_key, ()))
        return [b - a for a, b in pairwise(d)]


def profiles_from(purchases: Iterable[TypePurchase]) -> dict[str, TypeProfile]:
    profiles: dict[str, TypeProfile] = defaultdict(TypeProfile)
    for p in purchases:
        profiles[p.shopper].observe(p.type_key, p.ts)
    return dict(profiles)


class TypeStats:
    """Facts about every type from everyone's purchases before ``now``: popularity, recent
    popularity, usual interval, co-occurrence across shoppers and group."""

    def __init__(
        self,
        purchases: Sequence[TypePurchase],
        now: float,
        *,
        group_of: Mapping[str, str] | None = None,
        cycle_days: Mapping[str, float] | None = None,
    ) -> None:
        past = [p for p in purchases if p.ts < now]
        self.now = now
        self.types: list[str] = sorted({p.type_key for p in past})
        self.index = {t: i for i, t in enumerate(self.types)}
        n = len(self.types)
        self.count = np.zeros(n)
        self.recent = np.zeros(n)
        for p in past:
            i = self.index[p.type_key]
            self.count[i] += 1
            if p.ts >= now - RECENT_DAYS * DAY_S:
                self.recent[i] += 1
        profiles = profiles_from(past)
        self.gap = self._type_gaps(profiles, cycle_days or {})
        self.cosine = self._cosine(profiles)
        groups = group_of or {}
        names = sorted({groups.get(t, "") for t in self.types})
        self.n_groups = max(1, len(names))
        gix = {g: i for i, g in enumerate(names)}
        self.group = np.array([gix[groups.get(t, "")] for t in self.types], dtype=np.int64)

    def _type_gaps(
        self, profiles: Mapping[str, TypeProfile], cycle: Mapping[str, float]
    ) -> np.ndarray:
        """Usual days between purchases of each type: the taxonomy's cycle where it has one,
        else the median observed interval, shrunk towards the median over all types."""
        gaps: dict[str, list[int]] = defaultdict(list)
        for prof in profiles.values():
            for t in prof.counts:
                gaps[t].extend(prof.own_gaps(t))
        every = [g for v in gaps.values() for g in v]
        overall = float(np.median(every)) if every else 30.0
        out = np.empty(len(self.types))
        for i, t in enumerate(self.types):
            if t in cycle:
                out[i] = float(cycle[t])
                continue
            seen = gaps.get(t, [])
            med = float(np.median(seen)) if seen else overall
            out[i] = (med * len(seen) + overall * TYPE_GAP_PRIOR) / (len(seen) + TYPE_GAP_PRIOR)
        return np.maximum(out, 1.0)

    def _cosine(self, profiles: Mapping[str, TypeProfile]) -> np.ndarray:
        """Type × type cosine of "bought by the same shopper" (diagonal 0)."""
        from scipy.sparse import csr_matrix

        rows, cols = [], []
        for r, prof in enumerate(profiles.values()):
            for t in prof.counts:
                rows.append(r)
                cols.append(self.index[t])
        b = csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)),
            shape=(max(1, len(profiles)), len(self.types)),
        )
        co = np.asarray((b.T @ b).todense(), dtype=np.float32)
        n = np.diag(co).copy()
        np.fill_diagonal(co, 0.0)
        return co / np.sqrt(np.outer(n, n) + 1e-9)

    def usual_gap(self, profile: TypeProfile, i: int) -> float:
        """The shopper's own interval for type ``i``, leaning on the type's while they have few."""
        own = profile.own_gaps(self.types[i])
        if not own:
            return float(self.gap[i])
        med = float(np.median(own))
        return (med * len(own) + float(self.gap[i]) * OWN_GAP_PRIOR) / (len(own) + OWN_GAP_PRIOR)

    def features(self, profile: TypeProfile, now: float) -> np.ndarray:
        """One row of NB_FEATURES per type in ``self.types``."""
        n = len(self.types)
        x = np.zeros((n, len(NB_FEATURES)))
        x[:, 0] = np.log1p(self.count)
        x[:, 1] = np.log1p(self.recent)
        total = profile.total
        mine = [(self.index[t], t) for t in profile.counts if t in self.index]
        if not mine or total == 0:
            x[:, 7] = -math.log(self.n_groups)  # no history: every group equally likely
            return x
        idx = np.array([i for i, _ in mine])
        counts = np.array([profile.counts[t] for _, t in mine], dtype=np.float64)
        since = np.array([max(0.0, (now - profile.last[t]) / DAY_S) for _, t in mine])
        gaps = np.array([self.usual_gap(profile, i) for i, _ in mine])
        ratio = np.maximum(since, 0.5) / gaps  # half a day: bought today is "not due", not 0/0
        x[idx, 2] = np.log1p(counts)
        x[idx, 3] = counts / total
        x[idx, 4] = np.exp(-since / RECENCY_DAYS)
        x[idx, 5] = np.minimum(ratio, 1.0 / ratio)
        x[:, 6] = self.cosine[idx].sum(axis=0) / len(idx)
        group_counts = np.bincount(self.group[idx], weights=counts, minlength=self.n_groups)
        x[:, 7] = np.log((group_counts[self.group] + 1.0) / (total + self.n_groups))
        return x


@dataclass
class TypeBlend:
    """A linear score over standardised NB_FEATURES."""

    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def contributions(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) * self.weights

    def score(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.contributions(x).sum(axis=1))

    @classmethod
    def popularity_only(cls) -> TypeBlend:
        w = np.zeros(len(NB_FEATURES))
        w[0] = 1.0
        k = len(NB_FEATURES)
        return cls(w, np.zeros(k), np.ones(k), {"kind": "popularity"})

    def to_json(self) -> str:
        return json.dumps(
            {
                "features": list(NB_FEATURES),
                "weights": self.weights.tolist(),
                "mean": self.mean.tolist(),
                "scale": self.scale.tolist(),
                "meta": self.meta,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> TypeBlend:
        data = json.loads(text)
        if tuple(data["features"]) != NB_FEATURES:
            raise ValueError("next-basket blend was trained on other features; retrain it")
        return cls(
            np.asarray(data["weights"]),
            np.asarray(data["mean"]),
            np.asarray(data["scale"]),
            data.get("meta", {}),
        )


def training_rows(
    stats: TypeStats,
    profiles: Mapping[str, TypeProfile],
    labels: Mapping[str, set[str]],
    now: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels (bought in the label window) and weights of the training rows.

    Shoppers with history and at least one label; candidates are the TRAIN_TOP_TYPES most
    popular types and the shopper's own. Each shopper weighs the same in total, its positives
    and its negatives half each, so the fit matches a per-shopper recall rather than favouring
    heavy shoppers or the sea of easy negatives.
    """
    top = set(np.argsort(-stats.count, kind="stable")[:TRAIN_TOP_TYPES].tolist())
    xs, ys, ws = [], [], []
    for shopper in sorted(labels):
        prof = profiles.get(shopper)
        if prof is None or prof.total == 0 or not labels[shopper]:
            continue
        own = {stats.index[t] for t in prof.counts if t in stats.index}
        cand = np.array(sorted(top | own))
        y = np.array([stats.types[i] in labels[shopper] for i in cand])
        n_pos = int(y.sum())
        if n_pos == 0 or n_pos == len(y):
            continue
        xs.append(stats.features(prof, now)[cand])
        ys.append(y)
        ws.append(np.where(y, 0.5 / n_pos, 0.5 / (len(y) - n_pos)))
    if not xs:
        k = len(NB_FEATURES)
        return np.zeros((0, k)), np.zeros(0, dtype=bool), np.zeros(0)
    return np.vstack(xs), np.concatenate(ys), np.concatenate(ws)


def fit_type_blend(x: np.ndarray, y: np.ndarray, w: np.ndarray, c: float = 1.0) -> TypeBlend:
    """Weighted logistic regression on standardised features; popularity alone without labels."""
    from sklearn.linear_model import LogisticRegression

    if len(y) == 0 or y.all() or not y.any():
        return TypeBlend.popularity_only()
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=1000)
    model.fit((x - mean) / scale, y, sample_weight=w * len(w) / w.sum())
    meta = {"kind": "pointwise-logistic", "rows": len(y), "positives": int(y.sum())}
    return TypeBlend(model.coef_[0].copy(), mean, scale, meta)


def learn_type_blend(
    purchases: Sequence[TypePurchase],
    cutoff: float,
    label_days: float,
    *,
    group_of: Mapping[str, str] | None = None,
    cycle_days: Mapping[str, float] | None = None,
) -> TypeBlend:
    """Learn on the history alone: features from before ``cutoff - label_days``, labels the
    types each shopper bought in the ``label_days`` up to ``cutoff``."""
    inner = cutoff - label_days * DAY_S
    before = [p for p in purchases if p.ts < inner]
    stats = TypeStats(before, inner, group_of=group_of, cycle_days=cycle_days)
    labels: dict[str, set[str]] = defaultdict(set)
    for p in purchases:
        if inner <= p.ts < cutoff:
            labels[p.shopper].add(p.type_key)
    blend = fit_type_blend(*training_rows(stats, profiles_from(before), labels, inner))
    blend.meta.update({"label_days": label_days, "labelled_shoppers": len(labels)})
    return blend


# --- recommendations -----------------------------------------------------------------------------
@dataclass(frozen=True)
class TypeRecommendation:
    type_key: str
    score: float
    reason: str
    reason_ko: str
    days_since: float | None = None  # since the shopper last bought the type
    usual_gap_days: float | None = None


class NextBasket:
    """Ranks types for a shopper with learned weights over TypeStats features."""

    def __init__(
        self,
        stats: TypeStats,
        blend: TypeBlend,
        names: Mapping[str, tuple[str, str]] | None = None,
    ) -> None:
        self.stats = stats
        self.blend = blend
        self.names = dict(names or {})

    def scores(self, profile: TypeProfile, now: float) -> np.ndarray:
        return self._contributions(profile, now).sum(axis=1)

    def _contributions(self, profile: TypeProfile, now: float) -> np.ndarray:
        x = self.stats.features(profile, now)
        if profile.total == 0:
            # Nothing to personalise: popularity alone, not a blend whose popularity weights
            # were learned as a contrast beside the personal features.
            return TypeBlend.popularity_only().contributions(x)
        return self.blend.contributions(x)

    def ranked(self, profile: TypeProfile, now: float) -> list[str]:
        """Every type, best first; ties by type key (the list is sorted by key)."""
        s = self.scores(profile, now)
        return [self.stats.types[i] for i in np.argsort(-s, kind="stable")]

    def recommend(
        self, profile: TypeProfile, now: float, k: int = 5, exclude: Iterable[str] = ()
    ) -> list[TypeRecommendation]:
        contrib = self._contributions(profile, now)
        s = contrib.sum(axis=1)
        skip = {*exclude, OTHER_TYPE}
        out: list[TypeRecommendation] = []
        for i in np.argsort(-s, kind="stable"):
            t = self.stats.types[int(i)]
            if t in skip:
                continue
            out.append(self._explain(profile, int(i), float(s[i]), contrib[i], now))
            if len(out) == k:
                break
        return out

    def _name(self, type_key: str) -> tuple[str, str]:
        default = type_key.replace("_", " ").lower()
        return self.names.get(type_key, (default, default))

    def _explain(
        self, profile: TypeProfile, i: int, score: float, contrib: np.ndarray, now: float
    ) -> TypeRecommendation:
        t = self.stats.types[i]
        en, ko = self._name(t)
        if t in profile.last:
            since = max(0.0, (now - profile.last[t]) / DAY_S)
            gap = self.stats.usual_gap(profile, i)
            own = bool(profile.own_gaps(t))
            reason = _due_reason(en, ko, since, gap, own)
            return TypeRecommendation(t, score, *reason, days_since=since, usual_gap_days=gap)
        co, pop = contrib[NB_FEATURES.index("co_occurrence")], contrib[0] + contrib[1]
        partner = self._partner(profile, i)
        if partner is not None and co > 0 and co >= pop:
            p_en, p_ko = self._name(partner)
            return TypeRecommendation(
                t,
                score,
                f"often bought with {p_en}",
                f"{_josa(p_ko, '과', '와')} 함께 자주 사는 품목이에요",
            )
        return TypeRecommendation(
            t, score, "popular with shoppers now", "요즘 많이 사는 품목이에요"
        )

    def _partner(self, profile: TypeProfile, i: int) -> str | None:
        """The shopper's type that goes best with type ``i``."""
        mine = [self.stats.index[t] for t in profile.counts if t in self.stats.index]
        if not mine:
            return None
        best = max(mine, key=lambda j: (self.stats.cosine[j, i], -j))
        return self.stats.types[best] if self.stats.cosine[best, i] > 0 else None


def _due_reason(en: str, ko: str, since: float, gap: float, own: bool) -> tuple[str, str]:
    d, g = round(since), round(gap)
    if own:
        return (
            f"you usually buy {en} every {g} days; it has been {d}",
            f"보통 {g}일마다 {_josa(ko, '을', '를')} 사시는데 {d}일이 지났어요",
        )
    return (
        f"{en} usually lasts about {g} days; you bought it {d} days ago",
        f"{_josa(ko, '은', '는')} 보통 {g}일쯤 쓰는데 {d}일 전에 사셨어요",
    )


def _josa(word: str, after_consonant: str, after_vowel: str) -> str:
    """The word with the Korean particle its last syllable takes (을/를, 은/는, 과/와); both
    forms, as "을(를)", after a word that does not end in Hangul."""
    last = word[-1:] if word else ""
    if not "가" <= last <= "힣":
        return f"{word}{after_consonant}({after_vowel})"
    has_final = (ord(last) - ord("가")) % 28 != 0
    return word + (after_consonant if has_final else after_vowel)


# --- over the store ------------------------------------------------------------------------------
def type_purchases(
    engine: Engine,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    type_of: Mapping[int, str] | None = None,
    shopper_id: str | None = None,
) -> list[TypePurchase]:
    """Purchased lines in [start, end) as (shopper, type, time), oldest first.

    ``type_of`` maps product ids to types (products it lacks are left out); by default the
    product's ``type_key``, without the importer's "other".
    """
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from store.models import Order, OrderLine, Product

    q = (
        select(Order.shopper_id, OrderLine.product_id, Product.type_key, Order.created_at)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(Order.status != "cancelled")
        .order_by(Order.created_at, Order.id)
    )
    if start is not None:
        q = q.where(Order.created_at >= start)
    if end is not None:
        q = q.where(Order.created_at < end)
    if shopper_id is not None:
        q = q.where(Order.shopper_id == shopper_id)
    out = []
    with Session(engine) as s:
        for sid, pid, key, ts in s.execute(q):
            t = type_of.get(int(pid)) if type_of is not None else key
            if t and t != OTHER_TYPE:
                out.append(TypePurchase(sid, t, unix(ts)))
    return out


def taxonomy_facts() -> tuple[dict[str, str], dict[str, float], dict[str, tuple[str, str]]]:
    """Group (category), cycle days and (en, ko) names of the taxonomy's types."""
    from store.taxonomy import load_taxonomy

    tax = load_taxonomy()
    return (
        {t.key: t.category for t in tax.types},
        {t.key: float(t.cycle_days) for t in tax.types},
        {t.key: (t.en, t.ko) for t in tax.types},
    )


def build_next_basket(
    engine: Engine, now: dt.datetime | None = None, label_days: float = RUNTIME_LABEL_DAYS
) -> NextBasket:
    """A recommender over the store's taxonomy types, its blend learned on the store's history
    (the types bought in the last ``label_days`` give the labels: "needed within that long").
    Build it once per process."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    groups, cycles, names = taxonomy_facts()
    purchases = type_purchases(engine, end=now)
    cutoff = unix(now)
    if purchases:
        # Learn up to the last purchase: with a quiet store, "now" may be long after it.
        cutoff = min(cutoff, purchases[-1].ts + 1.0)
    blend = learn_type_blend(purchases, cutoff, label_days, group_of=groups, cycle_days=cycles)
    stats = TypeStats(purchases, unix(now), group_of=groups, cycle_days=cycles)
    return NextBasket(stats, blend, names)


def recommend_types(
    engine: Engine,
    shopper_id: str,
    model: NextBasket,
    k: int = 5,
    now: dt.datetime | None = None,
    exclude: Iterable[str] = (),
) -> list[TypeRecommendation]:
    """The ``k`` types ``shopper_id`` most likely needs now, each with a reason (en, ko).
    The shopper's own history is read fresh, so a purchase a minute ago counts."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    profile = TypeProfile()
    for p in type_purchases(engine, end=now, shopper_id=shopper_id):
        profile.observe(p.type_key, p.ts)
    return model.recommend(profile, unix(now), k=k, exclude=exclude)
