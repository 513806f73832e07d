"""Intent classifier fit benchmark: the float32 L-BFGS the classifier trains with (nlu/lbfgs.py)
against scipy's L-BFGS-B (the baseline, what it trained with before) on the same objective, the
same features and the same number of iterations, in one run, in Rasa's environment (whose scipy
is the one training uses; run from .venv, the script re-runs itself there).

The problem has the training run's shape: word and character (1-4, word-bounded) n-gram counts
of every training sentence (our own and CLINC `train`; never `test`), one class per intent and
per out-of-scope group, as Rasa's CountVectorsFeaturizer and GroupedIntentClassifier build them.
The sentence-vector block is a stand-in of the same width (random unit vectors, weight 10):
encoding 18,000 sentences would take minutes and does not change what is timed.

Prints seconds per iteration, the objective reached and the ratio (baseline / ours).
Usage: .venv-rasa/bin/python bench/nlu_fit.py [--iterations 30]
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


def fit(sparse: Any, dense: np.ndarray, labels: list[str], iterations: int, baseline: bool) -> dict:
    """One fit, timed, with the optimizer swapped for scipy's when ``baseline``."""
    seen: dict[str, Any] = {}
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
        result = ours(fun, x0, max_iter=max_iter, gtol=gtol)
        seen.update(fun=float(result.fun), nfev=result.nfev)
        return result

    softmax.lbfgs.minimize = scipy_lbfgsb if baseline else counted  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        model = softmax.SoftmaxRegression(C=10.0, max_iter=iterations).fit(sparse, dense, labels)
        seconds = time.perf_counter() - start
    finally:
        softmax.lbfgs.minimize = ours
    return {**seen, "seconds": seconds, "iterations": model.n_iter_}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=30)
    args = parser.parse_args()
    texts, labels = training_sentences()
    sparse, dense = features(texts)
    params = (sparse.shape[1] + dense.shape[1] + 1) * len(set(labels))
    print(f"problem: {len(texts)} sentences, {sparse.shape[1]} n-gram columns "
          f"({sparse.nnz} non-zeros), {len(set(labels))} classes, {params / 1e6:.2f}M weights; "
          f"scipy {scipy.__version__}, {args.iterations} iterations")  # fmt: skip
    base = fit(sparse, dense, labels, args.iterations, baseline=True)
    ours = fit(sparse, dense, labels, args.iterations, baseline=False)
    for name, r in (("scipy L-BFGS-B (baseline)", base), ("float32 L-BFGS (nlu/lbfgs.py)", ours)):
        print(f"  {name:31} {r['seconds']:6.1f} s  {r['seconds'] / r['iterations']:.2f} s/iter  "
              f"{r['nfev']} evaluations  objective {r['fun']:.1f}")  # fmt: skip
    per_iteration = [r["seconds"] / r["iterations"] for r in (base, ours)]
    print(f"speed-up (baseline / ours, per iteration): {per_iteration[0] / per_iteration[1]:.2f}x; "
          f"objective ratio (ours / baseline): {ours['fun'] / base['fun']:.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
