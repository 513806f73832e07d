"""Multinomial logistic regression over a sparse block (n-gram counts) and a dense block (sentence
vectors), trained with L-BFGS (nlu/lbfgs.py).

sklearn's LogisticRegression needs one matrix: the 384 dense columns stored sparse make every
gradient a single-threaded sparse product over ~8M non-zeros, and 160 classes took over 15 minutes
to fit on 2 cores. Keeping the dense block dense puts most of the work in BLAS; the same objective
(sum of log-losses + ||W||² / 2C, intercepts unpenalised), with the sparse products split
across threads, takes about 0.5 s an iteration; 150 iterations measured as accurate on CLINC
`val` as 500 (shopping 0.95 both). The optimizer is the project's float32 L-BFGS rather than
scipy's L-BFGS-B, whose float64 bookkeeping took as long again as the objective (nlu/lbfgs.py).
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import scipy.sparse

from nlu import lbfgs


class _RowBlocks:
    """A CSR matrix split by rows across threads: scipy's sparse products release the GIL, so
    2 cores multiply twice as fast."""

    def __init__(self, matrix: scipy.sparse.csr_matrix, pool: ThreadPoolExecutor, parts: int):
        bounds = np.linspace(0, matrix.shape[0], parts + 1).astype(int)
        self._blocks = [matrix[a:b] for a, b in itertools.pairwise(bounds)]
        self._pool = pool

    def __matmul__(self, dense: np.ndarray) -> np.ndarray:
        return np.vstack(list(self._pool.map(lambda block: block @ dense, self._blocks)))


class SoftmaxRegression:
    def __init__(self, C: float = 10.0, max_iter: int = 150, tol: float = 1e-5) -> None:
        self.C = C
        self.max_iter = max_iter
        self.tol = tol
        self.classes_: np.ndarray = np.array([])
        self.sparse_coef_: np.ndarray = np.zeros((0, 0))
        self.dense_coef_: np.ndarray = np.zeros((0, 0))
        self.intercept_: np.ndarray = np.zeros(0)
        self.n_iter_ = 0

    def fit(
        self, sparse: scipy.sparse.csr_matrix, dense: np.ndarray, y: list[str]
    ) -> SoftmaxRegression:
        self.classes_, labels = np.unique(np.asarray(y), return_inverse=True)
        n, k = len(labels), len(self.classes_)
        ds, dd = sparse.shape[1], dense.shape[1]
        onehot = np.zeros((n, k), dtype=np.float32)
        onehot[np.arange(n), labels] = 1.0
        # float32 products: half the memory traffic of float64 and the same optimum to 1e-4.
        threads = max(1, min(4, os.cpu_count() or 1))
        pool = ThreadPoolExecutor(threads)
        sparse_t = _RowBlocks(sparse.astype(np.float32).T.tocsr(), pool, threads)
        sparse = _RowBlocks(sparse.astype(np.float32).tocsr(), pool, threads)
        dense = np.ascontiguousarray(dense, dtype=np.float32)

        def unpack(w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            return (
                w[: ds * k].reshape(ds, k),
                w[ds * k : (ds + dd) * k].reshape(dd, k),
                w[(ds + dd) * k :],
            )

        def objective(w: np.ndarray) -> tuple[float, np.ndarray]:
            ws, wd, b = unpack(w)  # float32 views
            logits = sparse @ ws + dense @ wd + b
            logits -= logits.max(axis=1, keepdims=True)
            exp = np.exp(logits)
            norm = exp.sum(axis=1, keepdims=True)
            loss = float(-(logits[np.arange(n), labels] - np.log(norm[:, 0])).sum())
            err = exp / norm - onehot
            penalty = 0.5 / self.C
            loss += penalty * (float((ws * ws).sum()) + float((wd * wd).sum()))
            grad = np.concatenate(
                [
                    (sparse_t @ err + ws / self.C).ravel(),
                    (dense.T @ err + wd / self.C).ravel(),
                    err.sum(axis=0),
                ]
            )
            return loss, grad

        with pool:
            result = lbfgs.minimize(
                objective,
                np.zeros((ds + dd + 1) * k, dtype=np.float32),
                max_iter=self.max_iter,
                gtol=self.tol,
            )
        ws, wd, b = unpack(result.x)
        self.sparse_coef_, self.dense_coef_, self.intercept_ = ws, wd, b
        self.n_iter_ = int(result.nit)
        return self

    def predict_proba(self, sparse: scipy.sparse.csr_matrix, dense: np.ndarray) -> np.ndarray:
        logits = sparse @ self.sparse_coef_ + dense @ self.dense_coef_ + self.intercept_
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            classes=self.classes_.astype(str),
            sparse_coef=self.sparse_coef_,
            dense_coef=self.dense_coef_,
            intercept=self.intercept_,
            C=self.C,
        )

    @classmethod
    def load(cls, path: Path) -> SoftmaxRegression:
        with np.load(path, allow_pickle=False) as data:
            model = cls(C=float(data["C"]))
            model.classes_ = data["classes"]
            model.sparse_coef_ = data["sparse_coef"]
            model.dense_coef_ = data["dense_coef"]
            model.intercept_ = data["intercept"]
        return model


# What forked workers of ``fit_many`` fit on: set before the pool forks, so every worker reads the
# parent's matrices (copy-on-write) instead of receiving copies through pipes.
_JOB: tuple[scipy.sparse.csr_matrix, np.ndarray, np.ndarray, list[np.ndarray], float, int] | None
_JOB = None


def _fit_job(i: int) -> SoftmaxRegression:
    assert _JOB is not None
    sparse, dense, y, masks, C, max_iter = _JOB
    rows = masks[i]
    return SoftmaxRegression(C=C, max_iter=max_iter).fit(sparse[rows], dense[rows], list(y[rows]))


def fit_many(
    sparse: scipy.sparse.csr_matrix,
    dense: np.ndarray,
    y: np.ndarray,
    masks: list[np.ndarray],
    C: float,
    max_iter: int,
    workers: int | None = None,
) -> list[SoftmaxRegression]:
    """One model per row mask (the served model and the novelty model's folds), ``workers`` at a
    time in forked processes. Why processes: a fit spends most of its time in one thread
    (L-BFGS-B's Fortran, which holds the GIL, and the element-wise steps around the products), so
    two fits side by side on 2 cores took the time of one (20 iterations: 41 s for two at once,
    81 s one after the other). Each fit is the same computation as in one process, so the models
    are the ones a sequential run gives."""
    global _JOB
    workers = workers or min(len(masks), os.cpu_count() or 1)
    if workers <= 1 or len(masks) <= 1 or "fork" not in mp.get_all_start_methods():
        _JOB = (sparse, dense, y, masks, C, max_iter)
        try:
            return [_fit_job(i) for i in range(len(masks))]
        finally:
            _JOB = None
    _JOB = (sparse, dense, y, masks, C, max_iter)
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            return list(pool.map(_fit_job, range(len(masks))))
    finally:
        _JOB = None
