"""Limited-memory BFGS for the intent classifier's smooth, unconstrained objective, in float32.

Why not scipy's L-BFGS-B: its Fortran keeps the compact (bound-constrained) form of the Hessian
estimate in float64 and spends about as long per iteration on that bookkeeping as the objective
itself takes (measured on the classifier's 4.7M weights: 36 s of a 69 s, 20-iteration fit outside
the objective). The classifier has no bounds, so the plain two-loop recursion (Nocedal & Wright,
Algorithm 7.4) does: 2m dot products and updates over float32 vectors. The step comes from the
line search L-BFGS-B uses (MINPACK's dcsrch, by scipy: the strong Wolfe conditions with
ftol 1e-3, gtol 0.9, xtol 0.1), starting from 1 (from 1/‖g‖ on the first iteration, as L-BFGS-B
does); a plain Armijo backtracking instead accepted steps too short and needed half as many
evaluations again to reach the same objective (bench/nlu_fit.py). Stopping follows L-BFGS-B's
defaults: the largest gradient entry ≤ ``gtol``, or the relative decrease of the objective
≤ ``ftol``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize._linesearch import scalar_search_wolfe1

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


@dataclass
class Result:
    x: np.ndarray
    fun: float
    nit: int  # iterations (accepted steps)
    nfev: int  # objective evaluations
    converged: bool


def _direction(g: np.ndarray, history: deque[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """-H·g by the two-loop recursion over the (s, y, 1/s·y) pairs, oldest first."""
    q = g.copy()
    alphas = []
    for s, y, rho in reversed(history):
        a = rho * float(s @ q)
        q -= np.float32(a) * y
        alphas.append(a)
    s, y, _ = history[-1]
    q *= np.float32(float(s @ y) / float(y @ y))  # the initial Hessian estimate, scaled
    for (s, y, rho), a in zip(history, reversed(alphas), strict=True):
        b = rho * float(y @ q)
        q += np.float32(a - b) * s
    return -q


def _steepest(g: np.ndarray) -> np.ndarray:
    """The first step, and the step after a restart: 1/‖g‖ along -g, as L-BFGS-B takes."""
    return -g * np.float32(min(1.0, 1.0 / float(np.linalg.norm(g))))


def _line_search(
    fun: Objective, x: np.ndarray, f: float, slope: float, d: np.ndarray
) -> tuple[float, float, np.ndarray, np.ndarray, int] | None:
    """A step along ``d`` meeting the strong Wolfe conditions: (step, f, g, x) at it and the
    evaluations it took; None when dcsrch finds none."""
    seen: dict[float, tuple[float, np.ndarray, np.ndarray]] = {}

    def at(step: float) -> tuple[float, np.ndarray, np.ndarray]:
        if step not in seen:
            point = x + np.float32(step) * d
            value, grad = fun(point)
            seen[step] = (float(value), np.asarray(grad, dtype=np.float32), point)
        return seen[step]

    step, _, _ = scalar_search_wolfe1(
        lambda a: at(a)[0],
        lambda a: float(at(a)[1] @ d),
        f,
        None,
        slope,
        c1=1e-3,
        c2=0.9,
        amax=1e10,
        amin=0.0,
        xtol=0.1,
    )
    if step is None:
        return None
    value, grad, point = at(step)
    return step, value, grad, point, len(seen)


def minimize(
    fun: Objective,
    x0: np.ndarray,
    max_iter: int = 150,
    gtol: float = 1e-5,
    ftol: float = 2.220446049250313e-09,
    memory: int = 10,
) -> Result:
    x = np.asarray(x0, dtype=np.float32).copy()
    f, g = fun(x)
    f = float(f)
    g = np.asarray(g, dtype=np.float32)
    nfev = 1
    history: deque[tuple[np.ndarray, np.ndarray, float]] = deque(maxlen=memory)
    if float(np.abs(g).max(initial=0.0)) <= gtol:
        return Result(x, f, 0, nfev, True)
    for it in range(1, max_iter + 1):
        d = _direction(g, history) if history else _steepest(g)
        if float(g @ d) >= 0:  # not a descent direction (rounding): start again from the gradient
            history.clear()
            d = _steepest(g)
        found = _line_search(fun, x, f, float(g @ d), d)
        if found is None and history:  # try once more from the gradient alone
            history.clear()
            d = _steepest(g)
            found = _line_search(fun, x, f, float(g @ d), d)
        if found is None:
            return Result(x, f, it - 1, nfev, False)  # no step decreases it: as far as it goes
        _, f_new, g_new, x_new, evaluations = found
        nfev += evaluations
        s, y = x_new - x, g_new - g
        sy = float(s @ y)
        if sy > 1e-10 * float(y @ y):
            history.append((s, y, 1.0 / sy))
        decrease = (f - f_new) / max(abs(f), abs(f_new), 1.0)
        x, f, g = x_new, f_new, g_new
        if decrease <= ftol or float(np.abs(g).max()) <= gtol:
            return Result(x, f, it, nfev, True)
    return Result(x, f, max_iter, nfev, False)
