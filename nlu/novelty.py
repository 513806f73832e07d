"""The novelty model: a second opinion on English messages the intent classifier accepts.

CLINC's `oos_test` sentences come from intents nobody trained on. The classifier has only seen
out-of-scope intents it was taught, so a sentence of an unseen intent that shares a few words with
a shopping intent is accepted with confidence. Whether a sentence is novel shows in where it sits
among the training sentences: how close the nearest in-scope example is (overall and of the
predicted intent), how close the nearest out-of-scope one is, what share of its ten nearest
neighbours are out of scope, and how much probability the classifier gave out of scope.

A small logistic regression learns to weigh those from the classifier's own training data,
cross-fitted so that it sees what unseen sentences look like: in each of ``folds`` rounds the
classifier is refitted without a fifth of the in-scope examples and without *whole* out-of-scope
intents (a fifth of CLINC's groups, as `oos_test` holds intents never seen), and the held-out
rows it accepts become the examples (in scope: kept; out of scope: novel). Measured on a
development protocol built the same way (docs/nlu.md, "Novelty model").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FEATURES = (
    "log P(out of scope)",
    "log P(predicted intent)",
    "nearest in-scope cosine",
    "nearest cosine of the predicted intent",
    "nearest out-of-scope cosine",
    "out-of-scope share of the 10 nearest",
    "in-scope minus out-of-scope cosine",
)
NEIGHBOURS = 10
# A request to buy: shoppers name whatever they want to buy ("order me a new usb cable", "help
# me buy a black iphone7"), and an object the training data never named makes such a sentence
# look novel. Refusing a shopper costs more than answering an off-topic question with a search,
# so the model never judges these; the classifier and the cosine gate still do.
PURCHASE_REQUEST = re.compile(
    r"\b(?:re-?)?(?:order|orders|ordering|ordered|buy|buying|purchase|purchasing)\b", re.IGNORECASE
)


def asks_to_buy(text: str) -> bool:
    """Whether an (English) message asks to order, buy or purchase something."""
    return bool(PURCHASE_REQUEST.search(text or ""))


def fold_of(key: str, folds: int) -> int:
    """A stable fold for a key (the same on every machine and Python run)."""
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % folds


@dataclass
class References:
    """Unit vectors of the training examples a message is compared with: the in-scope ones with
    their intent's index, and the out-of-scope ones."""

    in_scope: np.ndarray  # (n, d) float32
    in_scope_intent: np.ndarray  # (n,) int: index into the classifier's intent names
    out_of_scope: np.ndarray  # (m, d) float32

    def similarities(self, unit: np.ndarray, predicted: np.ndarray) -> np.ndarray:
        """Per message: nearest in-scope cosine, nearest of its predicted intent (-1 when that
        intent has no example with a vector), nearest out-of-scope cosine and the out-of-scope
        share of its nearest neighbours. Rows of ``unit`` are unit vectors."""
        out = np.zeros((len(unit), 4), dtype=np.float32)
        if not len(unit):
            return out
        inside = unit @ self.in_scope.T
        outside = unit @ self.out_of_scope.T if len(self.out_of_scope) else np.zeros((len(unit), 0))
        out[:, 0] = inside.max(axis=1) if inside.shape[1] else -1.0
        own = self.in_scope_intent[None, :] == predicted[:, None]
        out[:, 1] = np.where(own, inside, -1.0).max(axis=1) if inside.shape[1] else -1.0
        out[:, 2] = outside.max(axis=1) if outside.shape[1] else -1.0
        both = np.hstack([inside, outside])
        k = min(NEIGHBOURS, both.shape[1])
        if k:
            nearest = np.argpartition(-both, k - 1, axis=1)[:, :k]
            out[:, 3] = (nearest >= inside.shape[1]).mean(axis=1)
        return out


def features(probabilities: np.ndarray, oos: int, sims: np.ndarray) -> np.ndarray:
    """The model's inputs (``FEATURES``) from merged intent probabilities (rows sum to 1) and
    ``References.similarities``."""
    top = probabilities.max(axis=1)
    return np.column_stack(
        [
            np.log(probabilities[:, oos] + 1e-6),
            np.log(top + 1e-6),
            sims[:, 0],
            sims[:, 1],
            sims[:, 2],
            sims[:, 3],
            sims[:, 0] - sims[:, 2],
        ]
    ).astype(np.float64)


@dataclass
class NoveltyModel:
    """Standardise, then a linear score: below the threshold a message is novel."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def score(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.coef + self.intercept

    def save(self, path: Path) -> None:
        np.savez(path, mean=self.mean, scale=self.scale, coef=self.coef, intercept=self.intercept)

    @classmethod
    def load(cls, path: Path) -> NoveltyModel:
        with np.load(path, allow_pickle=False) as data:
            return cls(data["mean"], data["scale"], data["coef"], float(data["intercept"]))

    @classmethod
    def fit(cls, x: np.ndarray, in_scope: np.ndarray) -> NoveltyModel:
        """Balanced logistic regression (the novel rows outnumber the in-scope ones)."""
        from sklearn.linear_model import LogisticRegression

        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
        lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
        lr.fit((x - mean) / scale, in_scope.astype(int))
        return cls(mean, scale, lr.coef_[0].copy(), float(lr.intercept_[0]))


@dataclass
class Rows:
    """What cross-fitting needs about each training example."""

    unit: np.ndarray  # unit sentence vectors (zero rows: no vector, e.g. Korean)
    in_scope: np.ndarray  # bool
    intent: np.ndarray  # index into the intent names
    fold: np.ndarray  # the round that holds the row out; -1: always trained (small talk groups)
    eligible: np.ndarray  # bool: may be a model example (has a vector, names no product)


# fit_fold(train_mask) -> merged probabilities (rows: every example, columns: intent names)
FitFold = Callable[[np.ndarray], np.ndarray]


def cross_fit(
    rows: Rows, folds: int, fit_fold: FitFold, oos: int, skip: Sequence[int] | np.ndarray
) -> tuple[NoveltyModel, dict[str, float]]:
    """Train the model on held-out rows the refitted classifier accepted (predicted in scope,
    and not one of the ``skip`` intents). Returns the model and counts for the training log."""
    xs, ys = [], []
    has_vector = np.linalg.norm(rows.unit, axis=1) > 0
    for k in range(folds):
        held = rows.fold == k
        probabilities = fit_fold(~held)
        predicted = probabilities.argmax(axis=1)
        use = held & rows.eligible & (predicted != oos) & ~np.isin(predicted, list(skip))
        trained = ~held & has_vector
        references = References(
            rows.unit[trained & rows.in_scope],
            rows.intent[trained & rows.in_scope],
            rows.unit[trained & ~rows.in_scope],
        )
        sims = references.similarities(rows.unit[use], predicted[use])
        xs.append(features(probabilities[use], oos, sims))
        ys.append(rows.in_scope[use])
    x, y = np.vstack(xs), np.concatenate(ys)
    if not len(y) or y.all() or not y.any():
        raise ValueError("novelty model: held-out rows of only one kind; too little data")
    return NoveltyModel.fit(x, y), {"in_scope": int(y.sum()), "novel": int((~y).sum())}
