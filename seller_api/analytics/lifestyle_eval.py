"""Validate the lifestyle approach: on Complete Journey's real demographics (married, children;
5-fold balanced accuracy against a logistic regression on product-category counts) and on the
demo shoppers' latent truth. ``python -m seller_api.analytics.lifestyle_eval [URL ...]``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from seller_api.analytics.lifestyle import (
    TARGETS,
    Featurizer,
    PairRows,
    balanced_accuracy_interval,
    cross_validate,
    labels,
    load_pairs,
    product_terms,
)
from store.models import Shopper

CJ_SELLER = "cj-retailer"
SEEDS = (0, 1, 2)


@dataclass(frozen=True)
class Score:
    target: str
    n: int
    model: float  # balanced accuracy, mean over repeated 5-fold cross-validation
    baseline: float  # same folds, logistic regression on raw category counts
    majority: float  # share of the most common class (what always guessing it gets right)
    margin: float  # half-width of the model's 95 % interval (mean over the shuffles)


def _baseline_predictions(counts: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    pred = np.empty(len(y), dtype=object)
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(counts, y):
        clf = LogisticRegression(class_weight="balanced", max_iter=3000)
        pred[te] = clf.fit(counts[tr], y[tr]).predict(counts[te])
    return pred


def _evaluate(
    rows: PairRows, session: Session, targets: tuple[str, ...], by_shopper: bool
) -> list[Score]:
    terms = product_terms(session)
    featurizer = Featurizer()
    x = featurizer.fit_transform(rows, terms)
    coarse = featurizer.counts("coarse", rows, terms, grow=False).toarray()
    known = labels(session)
    shoppers = np.array([s for s, _ in rows.pairs], dtype=object)
    out = []
    for target in targets:
        lab = known[target]
        idx = np.array([i for i, s in enumerate(shoppers) if s in lab], dtype=int)
        if len(idx) < 20:
            continue
        y = np.array([lab[shoppers[i]] for i in idx], dtype=object)
        groups = None if by_shopper else shoppers[idx]
        preds = [
            cross_validate(x[idx], y, groups, seed=seed)
            for seed in (SEEDS if groups is None else SEEDS[:1])
        ]
        model = [balanced_accuracy_score(y, p) for p in preds]
        margins = [np.diff(balanced_accuracy_interval(y, p, groups))[0] / 2 for p in preds]
        base = [balanced_accuracy_score(y, _baseline_predictions(coarse[idx], y, s)) for s in SEEDS]
        _, counts = np.unique(y, return_counts=True)
        out.append(
            Score(target, len(y), float(np.mean(model)), float(np.mean(base)),
                  float(counts.max() / counts.sum()), float(np.mean(margins)))
        )  # fmt: skip
    return out


def evaluate_completejourney(engine: Engine) -> list[Score]:
    """Married and children of Complete Journey households from their purchases (a store the
    importer filled). Every household is a row; 5-fold, repeated with three shuffles."""
    with Session(engine) as session:
        rows = load_pairs(session, seller_id=CJ_SELLER)
        return _evaluate(rows, session, ("married", "children"), by_shopper=True)


def evaluate_demo(engine: Engine, *, seller_view: bool = False) -> list[Score]:
    """Every attribute of the demo shoppers (their latent ``lifestyle``). With ``seller_view``
    the rows are (shopper, seller) pairs, as the API predicts them, folds grouped by shopper;
    otherwise a shopper's purchases from all sellers are one row."""
    with Session(engine) as session:
        demo = set(session.scalars(select(Shopper.id).where(Shopper.source == "demo")))
        rows = load_pairs(session, shoppers=demo)
        if not seller_view:
            rows = _merge_sellers(rows)
        # The baseline's folds are not grouped: a weaker test for pairs, said in the docs.
        return _evaluate(rows, session, TARGETS, by_shopper=not seller_view)


def _merge_sellers(rows: PairRows) -> PairRows:
    merged: dict[str, int] = {}
    out = PairRows()
    for (shopper, _), lines in zip(rows.pairs, rows.lines, strict=True):
        i = merged.get(shopper)
        if i is None:
            i = merged[shopper] = len(out.pairs)
            out.pairs.append((shopper, "*"))
            out.lines.append([])
        out.lines[i].extend(lines)
    return out


def format_scores(title: str, scores: list[Score]) -> str:
    head = f"  {'target':<14}{'n':>6}{'model':>8}{'± 95 %':>8}{'baseline':>10}{'majority':>10}"
    lines = [title, head]
    for s in scores:
        lines.append(
            f"  {s.target:<14}{s.n:>6}{s.model:>8.3f}{s.margin:>8.3f}{s.baseline:>10.3f}"
            f"{s.majority:>10.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """``lifestyle_eval CJ_URL [DEMO_URL]``: balanced accuracies of model and baseline."""
    from store.db import create_store_engine

    if not argv:
        print("usage: python -m seller_api.analytics.lifestyle_eval CJ_URL [DEMO_URL]")
        return 2
    print(format_scores("Complete Journey", evaluate_completejourney(create_store_engine(argv[0]))))
    if len(argv) > 1:
        demo = create_store_engine(argv[1])
        print(format_scores("Demo (whole history)", evaluate_demo(demo)))
        print(format_scores("Demo (one seller's view)", evaluate_demo(demo, seller_view=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
