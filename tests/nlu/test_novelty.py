"""nlu/novelty.py: the similarities a message is judged by, and the cross-fitted model that learns
from held-out rows which accepted messages are novel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlu.novelty import NoveltyModel, References, Rows, asks_to_buy, cross_fit, features, fold_of


def unit(*rows: list[float]) -> np.ndarray:
    m = np.array(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_similarities_nearest_in_scope_of_the_intent_and_out_of_scope() -> None:
    refs = References(
        in_scope=unit([1, 0, 0], [0, 1, 0]),
        in_scope_intent=np.array([0, 1]),
        out_of_scope=unit([0, 0, 1]),
    )
    message = unit([1, 0, 1])  # cosine 0.707 to the intent-0 example and to the out-of-scope one
    sims = refs.similarities(message, np.array([1]))
    assert sims[0, 0] == pytest.approx(0.7071, abs=1e-4)  # nearest in scope (intent 0's)
    assert sims[0, 1] == pytest.approx(0.0, abs=1e-6)  # nearest of intent 1, the predicted one
    assert sims[0, 2] == pytest.approx(0.7071, abs=1e-4)
    assert sims[0, 3] == pytest.approx(1 / 3)  # 3 neighbours in all, one out of scope
    # An intent without examples has no nearest example of its own.
    assert refs.similarities(message, np.array([5]))[0, 1] == -1.0


def test_features_follow_their_names() -> None:
    probabilities = np.array([[0.7, 0.2, 0.1]])
    sims = np.array([[0.6, 0.5, 0.4, 0.3]], dtype=np.float32)
    x = features(probabilities, oos=2, sims=sims)[0]
    assert x[0] == pytest.approx(np.log(0.1), abs=1e-4)
    assert x[1] == pytest.approx(np.log(0.7), abs=1e-4)
    assert list(x[2:6]) == pytest.approx([0.6, 0.5, 0.4, 0.3])
    assert x[6] == pytest.approx(0.2)


def synthetic(seed: int = 0) -> tuple[Rows, list[str]]:
    """In scope: sentences near one direction (intent 0). Out of scope: 10 groups, each near a
    direction of its own. Fold 0..4 by the same keys as the classifier uses."""
    rng = np.random.default_rng(seed)
    dim, folds = 24, 5
    vectors, in_scope, groups, fold = [], [], [], []
    for i in range(150):
        vectors.append(np.eye(dim)[0] + 0.4 * rng.normal(size=dim))
        in_scope.append(True)
        groups.append("")
        fold.append(fold_of(f"shop|{i}", folds))
    for g in range(10):
        centre = np.eye(dim)[g + 1]
        for _ in range(30):
            vectors.append(centre + 0.4 * rng.normal(size=dim))
            in_scope.append(False)
            groups.append(f"g{g}")
            fold.append(fold_of(f"group|g{g}", folds))
    v = np.array(vectors, dtype=np.float32)
    rows = Rows(
        unit=v / np.linalg.norm(v, axis=1, keepdims=True),
        in_scope=np.array(in_scope),
        intent=np.where(np.array(in_scope), 0, 1),
        fold=np.array(fold),
        eligible=np.ones(len(v), dtype=bool),
    )
    return rows, groups


def test_cross_fit_holds_out_whole_groups_and_learns_that_far_sentences_are_novel(
    tmp_path: Path,
) -> None:
    rows, groups = synthetic()
    seen: list[np.ndarray] = []

    def fooled_classifier(train: np.ndarray) -> np.ndarray:
        # A classifier that accepts every message as intent 0 (column 0; column 1 is out of
        # scope), more surely the closer it is to the in-scope direction: the model must learn
        # novelty from the similarities, not from a rejection it never sees.
        seen.append(train)
        p_in = 0.6 + 0.3 * np.clip(rows.unit[:, 0], 0, 1)
        return np.column_stack([p_in, 1 - p_in])

    model, counts = cross_fit(rows, 5, fooled_classifier, oos=1, skip=[])
    assert len(seen) == 5
    for train in seen:
        for g in {g for g in groups if g}:
            member = np.array([x == g for x in groups])
            assert train[member].all() or not train[member].any()  # whole groups held out
    assert counts == {"in_scope": 150, "novel": 300}
    # A new in-scope sentence scores above a new sentence of an unseen direction.
    refs = References(
        rows.unit[rows.in_scope], rows.intent[rows.in_scope], rows.unit[~rows.in_scope]
    )
    rng = np.random.default_rng(1)
    probe = np.vstack([np.eye(24)[0], np.eye(24)[20]]) + 0.4 * rng.normal(size=(2, 24))
    probe = (probe / np.linalg.norm(probe, axis=1, keepdims=True)).astype(np.float32)
    probabilities = np.column_stack([[0.85, 0.7], [0.15, 0.3]])
    sims = refs.similarities(probe, np.array([0, 0]))
    score = model.score(features(probabilities, 1, sims))
    assert score[0] > 0 > score[1]
    model.save(tmp_path / "novelty.npz")
    again = NoveltyModel.load(tmp_path / "novelty.npz")
    assert np.array_equal(again.score(features(probabilities, 1, sims)), score)


def test_cross_fit_needs_both_kinds_of_held_out_rows() -> None:
    rows, _ = synthetic()

    def rejects_everything_out_of_scope(train: np.ndarray) -> np.ndarray:
        # The perfect classifier: every out-of-scope row rejected, so nothing novel to learn.
        p_in = np.where(rows.in_scope, 0.9, 0.1)
        return np.column_stack([p_in, 1 - p_in])

    with pytest.raises(ValueError, match="only one kind"):
        cross_fit(rows, 5, rejects_everything_out_of_scope, oos=1, skip=[])


def test_skipped_intents_are_not_examples() -> None:
    rows, _ = synthetic()
    both = np.column_stack([np.full(len(rows.fold), 0.8), np.full(len(rows.fold), 0.2)])
    with pytest.raises(ValueError, match="only one kind"):
        cross_fit(rows, 5, lambda train: both, oos=1, skip=[0])  # every row predicted 0: skipped


def test_requests_to_order_buy_or_purchase_are_recognised() -> None:
    for text in ("order me a new usb cable", "help me BUY a black iphone7", "can you reorder soap",
                 "re-order it", "purchasing paper plates", "where is my order"):  # fmt: skip
        assert asks_to_buy(text), text
    for text in ("what is the border", "are you a buyer", "i bought milk", "play some jazz", ""):
        assert not asks_to_buy(text), text
