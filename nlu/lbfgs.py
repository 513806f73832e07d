"""Limited-memory BFGS for the intent classifier's smooth, unconstrained objective, in float32.

Why not scipy's L-BFGS-B: its Fortran keeps the compact (bound-constrained) form of the Hessian
estimate in float64 and spends about as long per iteration on that bookkeeping as the objective
itself takes (measured on the classifier's 4.7M weights: 36 s of a 69 s, 20-iteration fit outside
the objective). The classifier has no bounds, so the plain two-loop recursion (Nocedal & Wright,
Algorithm 7.4) does: 2m dot products and updates over float32 vectors. The step is found by
backtracking to the Armijo condition, starting from 1 (from 1/‖g‖ on the first iteration, as
L-BFGS-B does); the objective is strictly convex (L2), so every accepted step has s·y > 0.
Stopping follows L-BFGS-B's defaults: the largest gradient entry ≤ ``gtol``, or the relative
decrease of the objective ≤ ``ftol``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

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


def minimize(
    fun: Objective,
    x0: np.ndarray,
    max_iter: int = 150,
    gtol: float = 1e-5,
    ftol: float = 2.220446049250313e-09,
    memory: int = 10,
    c1: float = 1e-4,
    max_backtracks: int = 30,
) -> Result:
    x = np.asarray(x0, dtype=np.float32).copy()
    f, g = fun(x)
    g = np.asarray(g, dtype=np.float32)
    nfev = 1
    history: deque[tuple[np.ndarray, np.ndarray, float]] = deque(maxlen=memory)
    if float(np.abs(g).max(initial=0.0)) <= gtol:
        return Result(x, f, 0, nfev, True)
    for it in range(1, max_iter + 1):
        d = _direction(g, history) if history else -g
        slope = float(g @ d)
        if slope >= 0:  # not a descent direction (rounding): start again from the gradient
            history.clear()
            d, slope = -g, -float(g @ g)
        step = 1.0 if history else min(1.0, 1.0 / float(np.linalg.norm(g)))
        for _ in range(max_backtracks):
            x_new = x + np.float32(step) * d
            f_new, g_new = fun(x_new)
            nfev += 1
            if f_new <= f + c1 * step * slope:
                break
            # the minimum of the quadratic through f, the slope and f_new, kept in [0.1, 0.5]·step
            denom = 2.0 * (f_new - f - slope * step)
            shrink = -slope * step / denom if denom > 0 else 0.5
            step *= min(0.5, max(0.1, shrink))
        else:
            return Result(x, f, it - 1, nfev, False)  # no decrease found: as far as it goes
        g_new = np.asarray(g_new, dtype=np.float32)
        s, y = x_new - x, g_new - g
        sy = float(s @ y)
        if sy > 1e-10 * float(y @ y):
            history.append((s, y, 1.0 / sy))
        decrease = (f - f_new) / max(abs(f), abs(f_new), 1.0)
        x, f, g = x_new, f_new, g_new
        if decrease <= ftol or float(np.abs(g).max()) <= gtol:
            return Result(x, f, it, nfev, True)
    return Result(x, f, max_iter, nfev, False)
