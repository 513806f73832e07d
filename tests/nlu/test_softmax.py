"""nlu/softmax.py's fit_many: fitting the served model and the fold models side by side in
forked processes gives the models fitting them one after the other gives."""

from __future__ import annotations

import numpy as np
import scipy.sparse

from nlu.softmax import SoftmaxRegression, fit_many


def problem(n: int = 240, seed: int = 0) -> tuple[scipy.sparse.csr_matrix, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    dense = rng.normal(size=(n, 5)) + y[:, None]
    counts = rng.poisson(0.3, size=(n, 30)) + (np.arange(30)[None, :] % 3 == y[:, None])
    return scipy.sparse.csr_matrix(counts.astype(float)), dense, np.array([f"c{v}" for v in y])


def test_parallel_fits_equal_sequential_fits_on_their_own_rows() -> None:
    sparse, dense, y = problem()
    fold = np.arange(len(y)) % 3
    masks = [np.ones(len(y), bool)] + [fold != k for k in range(3)]
    parallel = fit_many(sparse, dense, y, masks, C=1.0, max_iter=40, workers=2)
    for mask, model in zip(masks, parallel, strict=True):
        alone = SoftmaxRegression(C=1.0, max_iter=40).fit(sparse[mask], dense[mask], list(y[mask]))
        np.testing.assert_allclose(model.sparse_coef_, alone.sparse_coef_, atol=1e-6)
        np.testing.assert_allclose(model.dense_coef_, alone.dense_coef_, atol=1e-6)
        np.testing.assert_allclose(model.intercept_, alone.intercept_, atol=1e-6)
    # the fold models really left their rows out: they differ from the model on every row
    assert not np.allclose(parallel[1].dense_coef_, parallel[0].dense_coef_, atol=1e-3)


def test_one_worker_fits_in_process() -> None:
    sparse, dense, y = problem(seed=1)
    masks = [np.ones(len(y), bool), np.arange(len(y)) % 2 == 0]
    one, two = fit_many(sparse, dense, y, masks, C=1.0, max_iter=40, workers=1)
    assert list(one.classes_) == ["c0", "c1", "c2"]
    predicted = one.classes_[one.predict_proba(sparse, dense).argmax(axis=1)]
    assert (predicted == y).mean() > 0.8  # it learned the planted classes
    assert not np.allclose(one.dense_coef_, two.dense_coef_)
