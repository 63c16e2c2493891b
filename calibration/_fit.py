r"""Fitness-fatigue fits: bounded least squares, exact JAX Jacobians, multi-start.

Minimises the weighted sum of squares over the days with a performance test,

.. math::

    \mathrm{SSE}(\theta) = \sum_{t \in \text{tests}} w_t \big(p_t(\theta) - y_t\big)^2,

inside the plausible bounds the parameter record declares (Banister: p0, k1, k2, tau1,
tau2; Busso 2003: p0, k1, k3, tau1, tau2, tau3), as Clarke & Skiba (2013) do with Excel's
Solver. Time constants are searched on a log scale. The search:

1. *Multi-start by variable projection.* A Halton set of candidate time constants
   (log-uniform inside the bounds) is scored by solving the baseline and gains exactly by
   weighted linear least squares at each candidate (the model is linear in them; the basis
   responses come from the model's own kernel, :func:`calibration._models.basis`).
2. *Refinement.* The best ``n_starts`` candidates start a bounded trust-region
   least-squares solve (SciPy ``least_squares``, ``method="trf"``) over all free
   parameters, with the Jacobian computed exactly by forward-mode JAX through the kernel
   (no finite differences). The lowest SSE wins.

Any field may be held fixed (``fixed={"tau1": 42, "tau2": 7}``, GoldenCheetah's default
practice); with both time constants fixed the problem is linear and the solve is exact.

References:
    Clarke DC, Skiba PF (2013). Adv Physiol Educ 37:134-152, doi:10.1152/advan.00078.2011.
    Busso T (2003). Med Sci Sports Exerc 35(7):1188-1195.
    Branch MA, Coleman TF, Li Y (1999). A subspace, interior, and conjugate gradient method
    for large-scale bound-constrained minimization problems. SIAM J Sci Comput 21:1-23.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares
from scipy.stats import qmc

from calibration._models import ModelSpec, Problem, basis


def _transform(spec: ModelSpec):
    """Masks and maps between natural parameters theta and search coordinates z."""
    is_log = np.array([n in spec.log_fields for n in spec.names])

    def to_z(theta):
        return np.where(is_log, np.log(np.where(is_log, theta, 1.0)), theta)

    def to_theta(z):
        return np.where(is_log, np.exp(np.where(is_log, z, 0.0)), z)

    return is_log, to_z, to_theta


def _candidates(spec: ModelSpec, free: np.ndarray, fixed_theta: np.ndarray, n_grid: int,
                centre: np.ndarray | None = None, width: float = 1.0):
    """Candidate non-linear parameter sets: Halton points, log-uniform in the bounds (or in
    a box of ``width`` times the log-range around ``centre``, clipped to the bounds)."""
    low, high = spec.bounds()
    idx = [spec.names.index(n) for n in spec.nonlinear]
    free_nl = [i for i in idx if free[i]]
    cand = np.tile(fixed_theta[idx], (max(n_grid, 1) if free_nl else 1, 1))
    if free_nl:
        u = qmc.Halton(len(free_nl), scramble=False).random(n_grid + 1)[1:]
        lo, hi = np.log(low[free_nl]), np.log(high[free_nl])
        if centre is not None:
            c, half = np.log(centre[free_nl]), 0.5 * width * (hi - lo)
            lo, hi = np.maximum(lo, c - half), np.minimum(hi, c + half)
        cols = [idx.index(i) for i in free_nl]
        cand[:, cols] = np.exp(lo + u * (hi - lo))
    return cand


def _project(spec, problem, free, fixed_theta, cand, weights):
    """Score candidates: exact weighted linear LS for the free linear parameters.

    Returns full parameter vectors ``(B, n_p)`` and their SSE ``(B,)``. Gains that leave
    their bounds are clipped there (the refinement then starts from a feasible point).
    """
    low, high = spec.bounds()
    t = problem.tests
    y = problem.y[t]
    w = weights[t]
    F, G = basis(spec, problem.load[: problem.n_t], cand, problem.lag)
    cols = np.stack([np.ones_like(F[:, t]), F[:, t], -G[:, t]], axis=-1)  # (B, n, 3)
    lin = [spec.names.index(n) for n in spec.linear]
    lin_free = np.array([free[i] for i in lin])
    offset = cols[..., ~lin_free] @ fixed_theta[lin][~lin_free]
    X = cols[..., lin_free]
    Xw = X * w[None, :, None]
    if lin_free.any():
        normal = np.einsum("bni,bnj->bij", Xw, X)
        rhs = np.einsum("bni,bn->bi", Xw, y[None] - offset)
        beta = np.einsum("bij,bj->bi", np.linalg.pinv(normal), rhs)
    else:
        beta = np.zeros((len(cand), 0))
    theta = np.tile(fixed_theta, (len(cand), 1))
    nl = [spec.names.index(n) for n in spec.nonlinear]
    theta[:, nl] = cand
    theta[:, np.array(lin)[lin_free]] = beta
    theta = np.clip(theta, low, high)
    pred = np.einsum("bnk,bk->bn", cols, theta[:, lin])
    sse = np.sum(w * (pred - y) ** 2, axis=1)
    return theta, sse


def least_squares_fit(spec: ModelSpec, problem: Problem, weights: np.ndarray,
                      fixed: dict[str, float], *, n_starts: int = 4, n_grid: int = 64,
                      max_nfev: int = 100):
    """Best fit over multi-starts. Returns ``(theta, sse, free_mask, n_converged)``."""
    low, high = spec.bounds()
    free = np.array([n not in fixed for n in spec.names])
    fixed_theta = np.array([fixed.get(n, np.sqrt(max(lo, 1e-12) * hi) if n in spec.log_fields
                                      else 0.5 * (lo + hi))
                            for n, lo, hi in zip(spec.names, low, high, strict=True)])
    starts, scores = _project(spec, problem, free, fixed_theta,
                              _candidates(spec, free, fixed_theta, n_grid), weights)
    if np.isfinite(scores).any() and (free & ~np.isin(spec.names, spec.linear)).any():
        # one zoom round: a finer grid in a box of 1/4 of the log-range around the best
        near, near_scores = _project(spec, problem, free, fixed_theta, _candidates(
            spec, free, fixed_theta, n_grid // 2, starts[np.nanargmin(scores)], 0.25), weights)
        starts, scores = np.vstack([starts, near]), np.r_[scores, near_scores]
    order = np.argsort(scores)
    is_log, to_z, to_theta = _transform(spec)
    z_low, z_high = to_z(low)[free], to_z(high)[free]
    cache: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}

    def full(zf):
        z = to_z(fixed_theta)
        z[free] = zf
        theta = to_theta(z)
        theta[~free] = fixed_theta[~free]  # exactly as given, not through exp(log(.))
        return theta

    def evaluate(zf):
        key = zf.tobytes()
        if key not in cache:
            cache.clear()
            theta = full(zf)
            r, jac = problem.residual_and_jacobian(theta)
            jac = jac * np.where(is_log, theta, 1.0)  # chain rule d theta / d z
            cache[key] = (r, jac[:, free])
        return cache[key]

    best = (np.inf, None)
    converged = 0
    tried = 0
    for b in order:
        if tried >= n_starts:
            break
        if not np.isfinite(scores[b]):
            continue
        tried += 1
        z0 = np.clip(to_z(starts[b])[free], z_low, z_high)
        sol = least_squares(lambda z: evaluate(z)[0], z0, jac=lambda z: evaluate(z)[1],
                            bounds=(z_low, z_high), method="trf", x_scale="jac",
                            xtol=1e-12, ftol=1e-12, gtol=1e-10, max_nfev=max_nfev)
        converged += int(sol.status > 0)
        sse = float(sol.fun @ sol.fun)
        if sse < best[0]:
            best = (sse, full(sol.x))
    if best[1] is None:
        raise ValueError("no feasible starting point: check the performance values and load")
    return best[1], best[0], free, converged
