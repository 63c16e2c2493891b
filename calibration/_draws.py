r"""Posterior draws consistent with the profile: time constants from the profile
likelihood, baseline and gains from their exact conditional.

With Gaussian test errors, a flat prior on the baseline and gains inside their plausible
bounds, a log-uniform prior on the time constants inside theirs, and
:math:`p(\sigma) \propto 1/\sigma`, the posterior with :math:`\sigma` integrated out is
:math:`p(\beta, \tau \mid y) \propto \mathrm{SSE}(\beta, \tau)^{-n/2}` (Box & Tiao 1973,
section 2.7). It factors as

.. math::

    p(\beta \mid \tau, y) \propto \mathrm{SSE}(\beta, \tau)^{-n/2}\ \text{on the box},
    \qquad p(\tau \mid y) \propto S_u(\tau)^{-(n-p)/2}\, |Q(\tau)|^{-1/2}\,
    P_B(\tau),

with p the free linear parameters, :math:`S_u` the unconstrained projected SSE and
:math:`P_B` the conditional's mass inside the box. The conditional is a multivariate t with
n - p degrees of freedom, location the unconstrained solution and scale
:math:`S_u/(n-p)\,Q^{-1}`, truncated to the box; it is drawn exactly here. For the time
constants the factor :math:`|Q|^{-1/2} P_B` (the volume of the conditional) is dropped and
:math:`S_u` replaced by the projected SSE inside the box S: the draws follow the *profile
likelihood* :math:`S(\tau)^{-(n-p)/2}` (as in a linear model, where the two coincide),
so that their spread agrees with the profile intervals the fit reports. Along a ridge the
volume factor grows without bound as the fitness and fatigue responses become collinear
and the gains' bounds alone make it finite: the exact marginal would then be decided by
the plausible bounds (an assumption), not by the tests.

Sampling: time constants from the fine grid of :class:`calibration._surface.Surface`,
cells drawn by their weight and the point uniform inside the cell (log scale); the linear
parameters by Genz's separation of variables (Genz 1992): the scale mixture's
:math:`\chi^2` first, then each coordinate from its truncated normal given the ones before
it, :data:`CANDIDATES` candidates per draw resampled by their weights (the product of the
conditional masses).

References:
    Box GEP, Tiao GC (1973). Bayesian Inference in Statistical Analysis. Addison-Wesley.
    Genz A (1992). Numerical computation of multivariate normal probabilities. J Comput
    Graph Stat 1(2):141-149.
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_ndtr
from scipy.stats import truncnorm

from calibration._surface import Surface

#: Weighted candidates per returned draw of the linear parameters.
CANDIDATES = 16


def _log_mass(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log(Phi(b) - Phi(a)) for a <= b, accurate in both tails."""
    flip = a > 0
    lo, hi = np.where(flip, -b, a), np.where(flip, -a, b)
    la, lb = log_ndtr(lo), log_ndtr(hi)
    with np.errstate(divide="ignore"):
        return lb + np.log1p(-np.exp(np.minimum(la - lb, 0.0)))


def _truncated_t(q, c, yy, low, high, n, rng, m):
    """``m`` weighted candidates per problem from the truncated multivariate t.

    ``q`` ``(D, p, p)``, ``c`` ``(D, p)``, ``yy`` ``(D,)``: each problem's normal equations
    in its free linear coordinates. Returns ``(beta (D, m, p), log_w (D, m))``.
    """
    d, p = c.shape
    dof = n - p
    mu = np.linalg.solve(q, c[..., None])[..., 0]
    s_u = np.maximum(yy - np.sum(c * mu, axis=-1), 1e-300)
    cov = (s_u / dof)[:, None, None] * np.linalg.inv(q)
    cov = 0.5 * (cov + np.swapaxes(cov, -1, -2))
    jitter = 1e-12 * np.trace(cov, axis1=-2, axis2=-1)[:, None, None] * np.eye(p)
    chol = np.linalg.cholesky(cov + jitter)
    scale = np.sqrt(dof / rng.chisquare(dof, (d, m)))
    z = np.zeros((d, m, p))
    log_w = np.zeros((d, m))
    for i in range(p):
        shift = mu[:, None, i] + scale * np.einsum("dl,dml->dm", chol[:, i, :i], z[..., :i])
        sd = scale * chol[:, None, i, i]
        a, b = (low[i] - shift) / sd, (high[i] - shift) / sd
        log_w += _log_mass(a, b)
        ok = np.isfinite(a) | np.isfinite(b)
        a_c, b_c = np.clip(a, -40, 40), np.clip(b, -40, 40)
        same = b_c <= a_c
        draw = truncnorm.rvs(np.where(same, a_c - 1e-9, a_c), np.where(same, a_c, b_c),
                             random_state=rng)
        z[..., i] = np.where(ok, draw, 0.0)
    beta = mu[:, None, :] + scale[..., None] * np.einsum("dij,dmj->dmi", chol, z)
    return np.clip(beta, low, high), log_w


def profile_draws(surface: Surface, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """Posterior draws ``(n_draws, n_params)`` in the record's field order."""
    proj = surface.proj
    n, free_lin = proj.n, np.flatnonzero(proj.lin_free)
    p = len(free_lin)
    if surface.q:
        log_w = -0.5 * (n - p) * np.log(np.maximum(surface.cell_sse, 1e-300))
        w = np.exp(log_w - np.max(log_w))
        cell = rng.choice(len(w), size=n_draws, p=w / w.sum())
        z = np.log(surface.cells[cell][:, surface.free])
        z += (rng.random(z.shape) - 0.5) * surface.step
        low = np.log(proj.nl_low[surface.free])
        high = np.log(proj.nl_high[surface.free])
        tau = surface._tau(np.clip(z, low, high))
    else:
        tau = np.tile(surface.tau_hat, (n_draws, 1))
    q, c = proj.normal(tau)
    beta = np.tile(proj.low, (n_draws, 1))  # the held values where not free
    if p:
        held = np.where(proj.lin_free, 0.0, proj.low)
        # reduce to the free coordinates: c_f = c - Q x_held, yy_f = SSE(x_held)
        c_f = (c - q @ held)[:, free_lin]
        yy_f = proj.yy - 2.0 * (c @ held) + np.einsum("i,dij,j->d", held, q, held)
        q_f = q[:, free_lin][:, :, free_lin]
        cand, lw = _truncated_t(q_f, c_f, yy_f, proj.low[free_lin], proj.high[free_lin], n,
                                rng, CANDIDATES)
        wts = np.exp(lw - np.max(lw, axis=1, keepdims=True))
        wts = np.where(np.isfinite(wts), wts, 0.0)
        none = wts.sum(axis=1) == 0  # no mass found: the bounded solution stands in
        wts[none] = 1.0
        u = rng.random(n_draws)[:, None]
        pick = np.argmax(np.cumsum(wts / wts.sum(axis=1, keepdims=True), axis=1) >= u, axis=1)
        beta[:, free_lin] = cand[np.arange(n_draws), pick]
        if none.any():
            beta[none] = proj.solve(tau[none])[0]
    return proj.theta(tau, beta)
