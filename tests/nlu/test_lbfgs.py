"""nlu/lbfgs.py: the float32 L-BFGS the intent classifier trains with reaches the optimum scipy's
L-BFGS-B reaches, on problems whose answer is known."""

from __future__ import annotations

import numpy as np
import scipy.optimize
import scipy.sparse

from nlu import lbfgs
from nlu.softmax import SoftmaxRegression


def test_quadratic_reaches_its_known_minimum() -> None:
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(40, 40)))
    a = (q * np.logspace(0, 3, 40)) @ q.T  # condition number 1000
    b = rng.normal(size=40)

    def f(x: np.ndarray) -> tuple[float, np.ndarray]:
        x64 = x.astype(np.float64)
        return float(0.5 * x64 @ a @ x64 - b @ x64), (a @ x64 - b).astype(np.float32)

    result = lbfgs.minimize(f, np.zeros(40), max_iter=500, gtol=1e-4)
    assert result.converged
    np.testing.assert_allclose(result.x, np.linalg.solve(a, b), rtol=1e-3, atol=1e-3)


def test_rosenbrock_needs_backtracking_and_still_gets_there() -> None:
    def f(x: np.ndarray) -> tuple[float, np.ndarray]:
        x64 = x.astype(np.float64)
        return float(scipy.optimize.rosen(x64)), scipy.optimize.rosen_der(x64).astype(np.float32)

    result = lbfgs.minimize(f, np.array([-1.2, 1.0]), max_iter=500, gtol=1e-4)
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-2)
    assert result.nfev > result.nit  # some steps were shortened


def test_stops_at_the_iteration_limit_and_says_so() -> None:
    def f(x: np.ndarray) -> tuple[float, np.ndarray]:
        x64 = x.astype(np.float64)
        return float(scipy.optimize.rosen(x64)), scipy.optimize.rosen_der(x64).astype(np.float32)

    result = lbfgs.minimize(f, np.array([-1.2, 1.0]), max_iter=3)
    assert result.nit == 3 and not result.converged
    assert result.fun < f(np.array([-1.2, 1.0]))[0]


def test_a_start_at_the_optimum_takes_no_step() -> None:
    result = lbfgs.minimize(lambda x: (float(x @ x), 2 * x), np.zeros(5))
    assert result.converged and result.nit == 0 and result.nfev == 1


def test_softmax_objective_matches_scipys_optimum() -> None:
    """The classifier fitted to convergence has the objective value scipy's L-BFGS-B finds on
    the same objective (float64, from the same start)."""
    rng = np.random.default_rng(3)
    n, ds, dd = 300, 40, 6
    y = rng.integers(0, 4, n)
    counts = rng.poisson(0.3, size=(n, ds)) + (np.arange(ds)[None, :] % 4 == y[:, None])
    sparse = scipy.sparse.csr_matrix(counts.astype(float))
    dense = rng.normal(size=(n, dd)) + y[:, None] * 0.5
    labels = [f"c{v}" for v in y]
    model = SoftmaxRegression(C=1.0, max_iter=1000, tol=1e-6).fit(sparse, dense, labels)

    def loss(w: np.ndarray) -> float:
        k = 4
        ws, wd, b = w[: ds * k].reshape(ds, k), w[ds * k : (ds + dd) * k].reshape(dd, k), w[-k:]
        logits = sparse @ ws + dense @ wd + b
        logz = scipy.special.logsumexp(logits, axis=1)
        return float((logz - logits[np.arange(n), y]).sum() + 0.5 * ((ws**2).sum() + (wd**2).sum()))

    reference = scipy.optimize.minimize(
        loss, np.zeros((ds + dd + 1) * 4), method="L-BFGS-B", options={"maxiter": 5000}
    )
    ours = np.concatenate(
        [model.sparse_coef_.ravel(), model.dense_coef_.ravel(), model.intercept_]
    ).astype(np.float64)
    assert loss(ours) <= reference.fun * (1 + 1e-4)
