"""Intent classifier fit benchmark: the float32 L-BFGS the classifier trains with (nlu/lbfgs.py)
against scipy's L-BFGS-B (the baseline, what it trained with before) on the same objective, the
same features and the same number of iterations, in one run, in Rasa's environment (whose scipy
is the one training uses; run from .venv, the script re-runs itself there).

The problem has the training run's shape: word and character (1-4, word-bounded) n-gram counts
of every training sentence (our own and CLINC `train`; never `test`), one class per intent and
per out-of-scope group, as Rasa's CountVectorsFeaturizer and GroupedIntentClassifier build them.
The sentence-vector block is a stand-in of the same width (random unit vectors, weight 10):
encoding 18,000 sentences would take minutes and does not change what is timed.

The two take different paths, so equal iteration counts are not equal work done: the baseline
runs ``--iterations`` iterations, ours runs until it reaches the baseline's objective (at most 3×
as many), and the ratio is the time each took to get there (baseline / ours).
Usage: .venv-rasa/bin/python bench/nlu_fit.py [--iterations 40]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import scipy.optimize
import scipy.sparse
import yaml

ROOT = Path(__file__).resolve().parents[1]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
if Path(sys.prefix).resolve() != RASA_PYTHON.parent.parent.resolve() and RASA_PYTHON.exists():
    os.execv(str(RASA_PYTHON), [str(RASA_PYTHON), *sys.argv])
sys.path.insert(0, str(ROOT))

from sklearn.feature_extraction.text import CountVectorizer  # noqa: E402

import nlu.softmax as softmax  # noqa: E402


def training_sentences() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for name in ("shopping_en", "shopping_ko", "clinc_train"):
        data = yaml.safe_load((ROOT / "nlu" / "data" / f"{name}.yml").read_text())
        for block in data["nlu"]:
            if "intent" not in block:
                continue
            group = (block.get("metadata") or {}).get("group")
            label = f"{block['intent']}::{group}" if group else block["intent"]
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    texts.append(line.strip()[2:])
                    labels.append(label)
    return texts, labels


def features(texts: list[str]) -> tuple[scipy.sparse.csr_matrix, np.ndarray]:
    words = CountVectorizer(token_pattern=r"(?u)\b\w+\b").fit_transform(texts)
    chars = CountVectorizer(analyzer="char_wb", ngram_range=(1, 4)).fit_transform(texts)
    vectors = np.random.default_rng(0).normal(size=(len(texts), 768)).astype(np.float32)
    vectors *= 10.0 / np.linalg.norm(vectors, axis=1, keepdims=True)
    return scipy.sparse.hstack([words, chars]).tocsr().astype(np.float32), vectors


class _Reached(Exception):
    """The objective reached the target: the timed fit stops there."""


def fit(
    sparse: Any,
    dense: np.ndarray,
    labels: list[str],
    iterations: int,
    baseline: bool,
    target: float | None = None,
) -> dict:
    """One fit, timed, with the optimizer swapped for scipy's when ``baseline``; with ``target``,
    it stops at the first evaluation whose objective is at or below it."""
    seen: dict[str, Any] = {"nfev": 0}
    ours = softmax.lbfgs.minimize

    def scipy_lbfgsb(fun: Any, x0: np.ndarray, max_iter: int, gtol: float) -> Any:
        def f64(w: np.ndarray) -> tuple[float, np.ndarray]:
            loss, grad = fun(w.astype(np.float32))
            return loss, grad.astype(np.float64)

        result = scipy.optimize.minimize(
            f64, x0.astype(np.float64), jac=True, method="L-BFGS-B",
            options={"maxiter": max_iter, "gtol": gtol},
        )  # fmt: skip
        seen.update(fun=float(result.fun), nfev=int(result.nfev))
        result.x = result.x.astype(np.float32)
        return result

    def counted(fun: Any, x0: np.ndarray, max_iter: int, gtol: float) -> Any:
        def watched(w: np.ndarray) -> tuple[float, np.ndarray]:
            loss, grad = fun(w)
            seen.update(fun=loss, nfev=seen["nfev"] + 1)
            if target is not None and loss <= target:
                raise _Reached
            return loss, grad

        return ours(watched, x0, max_iter=max_iter, gtol=gtol)

    softmax.lbfgs.minimize = scipy_lbfgsb if baseline else counted  # type: ignore[assignment]
    start = time.perf_counter()
    try:
        softmax.SoftmaxRegression(C=10.0, max_iter=iterations).fit(sparse, dense, labels)
        seen["reached"] = target is None
    except _Reached:
        seen["reached"] = True
    finally:
        softmax.lbfgs.minimize = ours
    return {**seen, "seconds": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=40)
    args = parser.parse_args()
    texts, labels = training_sentences()
    sparse, dense = features(texts)
    params = (sparse.shape[1] + dense.shape[1] + 1) * len(set(labels))
    print(f"problem: {len(texts)} sentences, {sparse.shape[1]} n-gram columns "
          f"({sparse.nnz} non-zeros), {len(set(labels))} classes, {params / 1e6:.2f}M weights; "
          f"scipy {scipy.__version__}, {args.iterations} iterations")  # fmt: skip
    base = fit(sparse, dense, labels, args.iterations, baseline=True)
    ours = fit(sparse, dense, labels, 3 * args.iterations, baseline=False, target=base["fun"])
    for name, r in (("scipy L-BFGS-B (baseline)", base), ("float32 L-BFGS (nlu/lbfgs.py)", ours)):
        print(f"  {name:31} {r['seconds']:6.1f} s  {r['nfev']:4d} evaluations  "
              f"objective {r['fun']:.1f}")  # fmt: skip
    if not ours["reached"]:
        print(f"ours did not reach the baseline's objective in {3 * args.iterations} iterations")
        sys.exit(1)
    print(
        f"time to the baseline's objective after {args.iterations} iterations: "
        f"{base['seconds'] / ours['seconds']:.2f}x faster (baseline / ours)"
    )


if __name__ == "__main__":
    main()
