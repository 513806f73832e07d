"""Next-purchase types: features against hand counts, a learned blend that finds planted
repurchase cycles, reasons in both languages, and the store-backed recommender."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from sqlalchemy import Engine

from retrieval.evaluation import recall_at_k
from retrieval.nextbasket import (
    DAY_S,
    NB_FEATURES,
    NextBasket,
    TypeBlend,
    TypeProfile,
    TypePurchase,
    TypeStats,
    _josa,
    build_next_basket,
    learn_type_blend,
    profiles_from,
    recommend_types,
)
from store.db import create_store_engine, transaction
from store.migrate import upgrade
from store.models import Order, OrderLine, Product, Seller, Shopper

F = {name: i for i, name in enumerate(NB_FEATURES)}
T0 = 19_676 * 86_400.0  # a midnight (UTC): gaps count calendar days


def _p(shopper: str, type_key: str, day: float) -> TypePurchase:
    return TypePurchase(shopper, type_key, T0 + day * DAY_S)


def test_profile_counts_days_once_and_measures_gaps() -> None:
    prof = TypeProfile()
    for day in (0, 0.1, 10, 24):
        prof.observe("milk", T0 + day * DAY_S)
    assert prof.counts["milk"] == 4 and prof.total == 4
    assert prof.own_gaps("milk") == [10, 14]  # two purchases on day 0 are one shopping day
    assert prof.last["milk"] == T0 + 24 * DAY_S
    assert prof.own_gaps("eggs") == []


def test_features_match_hand_counts() -> None:
    history = [
        _p("a", "milk", 0),
        _p("a", "milk", 10),
        _p("a", "eggs", 10),
        _p("b", "milk", 5),
        _p("b", "soap", 30),
        _p("c", "soap", 31),
    ]
    now = T0 + 40 * DAY_S
    groups = {"milk": "dairy", "eggs": "dairy", "soap": "bath"}
    stats = TypeStats(history, now, group_of=groups, cycle_days={"eggs": 20.0})
    assert stats.types == ["eggs", "milk", "soap"]
    x = stats.features(profiles_from(history)["a"], now)
    eggs, milk, soap = 0, 1, 2
    assert x[milk, F["popularity"]] == pytest.approx(math.log1p(3))
    # the last 28 days before day 40 are days 12..40: soap twice, nothing else
    assert x[soap, F["recent_popularity"]] == pytest.approx(math.log1p(2))
    assert x[milk, F["recent_popularity"]] == 0.0
    assert x[milk, F["bought_count"]] == pytest.approx(math.log1p(2))
    assert x[milk, F["type_share"]] == pytest.approx(2 / 3)
    assert x[milk, F["recency"]] == pytest.approx(math.exp(-30 / 30))
    assert x[soap, F["bought_count"]] == 0 and x[soap, F["recency"]] == 0
    # milk: a's own gap 10 d, the type's estimate (one observed gap of 10 d, everyone's median
    # 10 d) is 10 d → usual 10 d; 30 days since → r = 3 → due = 1/3
    assert stats.usual_gap(profiles_from(history)["a"], milk) == pytest.approx(10.0)
    assert x[milk, F["due"]] == pytest.approx(1 / 3)
    # eggs: no own gap, taxonomy cycle 20 d; 30 days since → r = 1.5 → due = 2/3
    assert x[eggs, F["due"]] == pytest.approx(2 / 3)
    # co-occurrence: shoppers {a: milk, eggs}, {b: milk, soap}, {c: soap}
    cos_milk_soap = 1 / math.sqrt(2 * 2)
    cos_eggs_milk = 1 / math.sqrt(1 * 2)
    assert x[soap, F["co_occurrence"]] == pytest.approx((0 + cos_milk_soap) / 2)
    assert x[milk, F["co_occurrence"]] == pytest.approx((cos_eggs_milk + 0) / 2)
    # group affinity: a bought 3 dairy of 3, two groups, add-one smoothing
    assert x[soap, F["group_affinity"]] == pytest.approx(math.log((0 + 1) / (3 + 2)))
    assert x[eggs, F["group_affinity"]] == pytest.approx(math.log((3 + 1) / (3 + 2)))
    # an empty profile: the shared columns only
    empty = stats.features(TypeProfile(), now)
    assert np.count_nonzero(empty[:, F["bought_count"] : F["co_occurrence"] + 1]) == 0


def _periodic_history(seed: int, n_shoppers: int = 120, days: int = 150) -> list[TypePurchase]:
    """Shoppers each need a few types and buy each every ``cycle`` days (noisy); a few types
    are needed by many shoppers, so popularity is a fair but beatable baseline."""
    rng = np.random.default_rng(seed)
    types = [f"t{i:02d}" for i in range(25)]
    weight = np.linspace(3.0, 1.0, len(types))
    out = []
    for s in range(n_shoppers):
        needs = rng.choice(
            len(types), size=int(rng.integers(2, 5)), replace=False, p=weight / weight.sum()
        )
        for i in needs:
            cycle = float(rng.uniform(8, 40))
            day = float(rng.uniform(0, cycle))
            while day < days:
                out.append(_p(f"s{s:03d}", types[i], day))
                day += cycle * float(rng.lognormal(0, 0.15))
    return sorted(out, key=lambda p: p.ts)


def _recall(
    model: NextBasket, fit: list[TypePurchase], test: list[TypePurchase], now: float
) -> float:
    profiles = profiles_from(fit)
    truth: dict[str, set[str]] = {}
    for p in test:
        truth.setdefault(p.shopper, set()).add(p.type_key)
    return float(
        np.mean(
            [
                recall_at_k(model.ranked(profiles[s], now), t, 5)
                for s, t in truth.items()
                if s in profiles
            ]
        )
    )


def test_learned_blend_beats_popularity_on_planted_cycles() -> None:
    history = _periodic_history(seed=3)
    split = T0 + 120 * DAY_S
    fit = [p for p in history if p.ts < split]
    test = [p for p in history if split <= p.ts < split + 14 * DAY_S]
    blend = learn_type_blend(fit, split, 21.0)
    assert blend.meta["kind"] == "pointwise-logistic"
    stats = TypeStats(fit, split)
    learned = _recall(NextBasket(stats, blend), fit, test, split)
    popular = _recall(NextBasket(stats, TypeBlend.popularity_only()), fit, test, split)
    assert learned > 1.5 * popular
    # own purchases and due-ness carry the planted pattern
    assert blend.weights[F["bought_count"]] > 0 and blend.weights[F["due"]] > 0


def test_without_labels_the_blend_is_popularity() -> None:
    history = [_p("a", "milk", 0), _p("a", "milk", 1)]
    blend = learn_type_blend(history, T0 + 100 * DAY_S, 10.0)
    assert blend.meta["kind"] == "popularity"


def test_type_blend_round_trips_and_rejects_other_features() -> None:
    k = len(NB_FEATURES)
    blend = TypeBlend(np.arange(k, dtype=float), np.ones(k), np.full(k, 2.0), {"x": 1})
    again = TypeBlend.from_json(blend.to_json())
    assert np.allclose(again.weights, blend.weights) and np.allclose(again.scale, 2.0)
    with pytest.raises(ValueError, match="retrain"):
        TypeBlend.from_json(blend.to_json().replace('"due"', '"other"'))


def test_recommendations_explain_due_types_and_fall_back_to_popularity() -> None:
    history = [_p("a", "diapers", d) for d in (0, 14, 28)] + [
        _p("b", "milk", d) for d in (1, 2, 3, 4)
    ]
    now = T0 + 41 * DAY_S
    stats = TypeStats(history, now, cycle_days={"milk": 7.0, "diapers": 14.0})
    w = np.zeros(len(NB_FEATURES))
    w[F["due"]] = 1.0
    model = NextBasket(
        stats, TypeBlend(w, np.zeros(len(w)), np.ones(len(w))), {"diapers": ("diapers", "기저귀")}
    )
    (rec,) = model.recommend(profiles_from(history)["a"], now, k=1)
    assert rec.type_key == "diapers" and rec.usual_gap_days == pytest.approx(14.0)
    assert rec.reason == "you usually buy diapers every 14 days; it has been 13"
    assert rec.reason_ko == "보통 14일마다 기저귀를 사시는데 13일이 지났어요"
    # a shopper with no history gets the most bought type, whatever the blend's weights
    (cold,) = model.recommend(TypeProfile(), now, k=1)
    assert cold.type_key == "milk" and cold.reason == "popular with shoppers now"
    assert (
        model.recommend(profiles_from(history)["a"], now, k=1, exclude=["diapers"])[0].type_key
        == "milk"
    )


def test_korean_particles_follow_the_last_syllable() -> None:
    assert _josa("라면", "을", "를") == "라면을"
    assert _josa("우유", "을", "를") == "우유를"
    assert _josa("milk", "을", "를") == "milk을(를)"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Taxonomy types: one shopper buys diapers fortnightly and milk weekly; others only milk."""
    engine = create_store_engine(f"sqlite:///{tmp_path_factory.mktemp('nb') / 'store.db'}")
    upgrade(engine)
    start = dt.datetime(2026, 8, 1, 10)
    with transaction(engine) as s:
        s.add(Seller(id="s1", name="Seller"))
        s.flush()
        for pid, type_key in ((1, "diapers"), (2, "milk"), (3, "toilet_paper")):
            s.add(Product(id=pid, seller_id="s1", type_key=type_key, name_en=type_key, name_ko=type_key,
                          brand="b", size=1.0, unit="count", price=1000))  # fmt: skip
        s.add_all([Shopper(id=f"u{i}") for i in range(6)])
        s.flush()
        oid = 0
        for shopper, pid, every in [("u0", 1, 14), ("u0", 2, 7)] + [
            (f"u{i}", 2, 5) for i in range(1, 6)
        ]:
            for day in range(0, 60, every):
                oid += 1
                order = Order(
                    id=oid,
                    shopper_id=shopper,
                    total=1000,
                    created_at=start + dt.timedelta(days=day),
                )
                order.lines.append(
                    OrderLine(product_id=pid, seller_id="s1", qty=1, unit_price=1000)
                )
                s.add(order)
    return engine


def test_recommend_types_over_the_store(store: Engine) -> None:
    now = dt.datetime(2026, 8, 1, 10) + dt.timedelta(days=56 + 13)  # diapers last on day 56
    model = build_next_basket(store, now=now, label_days=14)
    recs = recommend_types(store, "u0", model, k=2, now=now)
    assert {r.type_key for r in recs} == {"diapers", "milk"}
    diapers = next(r for r in recs if r.type_key == "diapers")
    assert diapers.reason == "you usually buy diapers every 14 days; it has been 13"
    assert "기저귀" in diapers.reason_ko  # the taxonomy's Korean name
    # an unknown shopper gets the most bought type
    assert recommend_types(store, "nobody", model, k=1, now=now)[0].type_key == "milk"
