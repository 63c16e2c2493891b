r"""Posterior approximation of a least-squares fit: Laplace draws and identifiability.

With Gaussian test errors of unknown variance :math:`\sigma^2` and a flat prior inside the
record's plausible bounds, the log posterior near the best fit :math:`\hat z` (search
coordinates: time constants on a log scale, the rest natural) is approximated by its
second-order expansion (the Laplace approximation; Tierney & Kadane 1986):

.. math::

    \Sigma_z = 2\hat\sigma^2 H^{-1}, \qquad H = \nabla_z^2\, \mathrm{SSE}(\hat z),
    \qquad \hat\sigma^2 = \mathrm{SSE}(\hat z)/(n - k),

with H the exact Hessian from JAX. Because :math:`\sigma^2` is estimated from n - k
residual degrees of freedom, draws are multivariate Student-t with n - k degrees of
freedom (the exact marginal posterior of a linear model under the reference prior,
Box & Tiao 1973, section 2.7), then mapped back to natural units and truncated to the
bounds by rejection. Where H is not positive definite (the fit sits on a ridge or a
bound) the Gauss-Newton matrix :math:`2 J^T J` stands in and the result is flagged.

The Laplace form is checked against the exact posterior by importance weights (as in
sampling-importance-resampling, Rubin 1988): :data:`POOL` proposals per draw are weighted
by the exact posterior, :math:`\mathrm{SSE}(\theta)^{-n/2}` (flat prior, :math:`\sigma`
integrated out) times the Jacobian of the log scale, over the Student-t proposal density.
Their effective sample size (ESS) measures how far the Laplace form is from the exact
posterior and is flagged below :data:`ESS_FLAG`. It is a diagnostic, not the draws: where Laplace is
structurally poor (Hessian not positive definite, or the fit on a ridge) a handful of
resampled points cannot stand for the posterior either, and
:func:`calibration.fit_banister` draws by parametric bootstrap instead; elsewhere the
Laplace draws are kept (their coverage is the measured one, benchmarks/RESULTS.md).

Diagnostics: parameter correlations and the condition number of H (scaled to unit
diagonal), and (:func:`calibration.profile_likelihood`) the profile of a parameter.

References:
    Rubin DB (1988). Using the SIR algorithm to simulate posterior distributions. In
    Bayesian Statistics 3, Oxford University Press, 395-402.
    Tierney L, Kadane JB (1986). Accurate approximations for posterior moments and
    marginal densities. J Am Stat Assoc 81(393):82-86.
    Box GEP, Tiao GC (1973). Bayesian Inference in Statistical Analysis. Addison-Wesley.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

#: Flag thresholds (assumption: conventional rules of thumb). |correlation| above
#: CORR_FLAG, scaled condition number above COND_FLAG, or a relative posterior SD above
#: REL_SD_FLAG marks a parameter or a fit as poorly identified.
CORR_FLAG = 0.95
COND_FLAG = 1e6
REL_SD_FLAG = 0.5
#: Laplace proposals per returned draw for the importance check; an effective sample
#: size below ESS_FLAG of the proposals flags the Laplace approximation as poor.
POOL = 10
ESS_FLAG = 0.02


@dataclass(frozen=True)
class Diagnostics:
    """Identifiability of one fit.

    ``correlation``: posterior correlations of the free parameters (search coordinates);
    ``condition_number``: of the Hessian scaled to unit diagonal; ``rel_sd``: posterior SD
    relative to the estimate, per free parameter (from the draws); ``ess``: importance
    effective sample size fraction of the Laplace proposals; ``flags``: readable
    warnings, empty when nothing is wrong.
    """

    free: tuple[str, ...]
    correlation: np.ndarray
    condition_number: float
    rel_sd: dict[str, float]
    hessian_pd: bool
    ess: float = float("nan")
    flags: tuple[str, ...] = field(default=())


def stream(seed: int, key: str) -> np.random.Generator:
    """A counter-based (Philox) generator keyed by ``(seed, key)``: an athlete's draws do
    not depend on which other athletes are calibrated with it (DESIGN.md principle 5)."""
    word = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little")
    return np.random.Generator(np.random.Philox(np.random.SeedSequence([seed, word])))


def _inverse_pd(h: np.ndarray) -> tuple[np.ndarray, bool]:
    """Inverse of a symmetric matrix, and whether it was positive definite."""
    h = 0.5 * (h + h.T)
    vals, vecs = np.linalg.eigh(h)
    if vals.size and vals.min() > 1e-12 * max(vals.max(), 1e-300):
        return (vecs / vals) @ vecs.T, True
    return np.full_like(h, np.nan), False


def laplace_draws(z_hat: np.ndarray, hess_sse: np.ndarray, gauss_newton: np.ndarray,
                  sse: float, n: int, to_theta, low: np.ndarray, high: np.ndarray,
                  n_draws: int, rng: np.random.Generator):
    """Student-t Laplace proposals of the free search coordinates, in natural units.

    Returns ``(theta (m, k), log_q (m,), cov_z (k, k), hessian_pd)``: ``m`` proposals
    inside the bounds with their log proposal density in z (up to a constant); NaN when
    there are no residual degrees of freedom or no usable curvature.
    """
    k = z_hat.size
    dof = n - k
    cov_h, pd = _inverse_pd(hess_sse)
    cov = cov_h if pd else _inverse_pd(gauss_newton)[0]
    if dof <= 0 or not np.all(np.isfinite(cov)):
        return np.full((n_draws, k), np.nan), np.zeros(n_draws), np.full((k, k), np.nan), pd
    cov = 2.0 * (sse / dof) * cov
    chol = np.linalg.cholesky(cov + 1e-15 * np.diag(np.diag(cov)))
    want = POOL * n_draws
    thetas, logq = [], []
    got = 0
    for _ in range(50):  # rejection: truncation to the plausible bounds
        g = rng.standard_normal((2 * want, k))
        scale = np.sqrt(dof / rng.chisquare(dof, (2 * want, 1)))
        theta = to_theta(z_hat + scale * g @ chol.T)
        ok = np.all((theta >= low) & (theta <= high), axis=1)
        # multivariate t log density: -(dof + k)/2 log(1 + |L^-1 dz|^2 / dof)
        maha = np.sum((scale * g) ** 2, axis=1)
        thetas.append(theta[ok])
        logq.append(-0.5 * (dof + k) * np.log1p(maha[ok] / dof))
        got += int(ok.sum())
        if got >= want:
            break
    theta, logq = np.vstack(thetas)[:want], np.concatenate(logq)[:want]
    if len(theta) < n_draws:  # mass almost all outside the bounds: pad at the estimate
        pad = n_draws - len(theta)
        theta = np.vstack([theta, np.tile(np.clip(to_theta(z_hat), low, high), (pad, 1))])
        logq = np.r_[logq, np.zeros(pad)]
    return theta, logq, cov, pd


def importance_resample(log_target: np.ndarray, log_q: np.ndarray, n_draws: int,
                        rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Sampling-importance-resampling (Rubin 1988): indices of ``n_draws`` proposals
    resampled with weights target/proposal, and the effective sample size fraction
    ``(sum w)^2 / (m sum w^2)`` (1 when the Laplace proposal is exact)."""
    lw = log_target - log_q
    lw = np.where(np.isfinite(lw), lw, -np.inf)
    w = np.exp(lw - np.max(lw))
    w /= w.sum()
    ess = float(1.0 / np.sum(w**2) / len(w))
    return rng.choice(len(w), size=n_draws, replace=True, p=w), ess


def diagnose(names: tuple[str, ...], theta_hat: np.ndarray, cov: np.ndarray,
             hess_sse: np.ndarray, hessian_pd: bool, draws: np.ndarray,
             extra_flags: tuple[str, ...] = (), ess: float = float("nan")) -> Diagnostics:
    """Correlations, condition number and per-parameter flags of one fit."""
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / np.outer(sd, sd)
        d = np.sqrt(np.abs(np.diag(hess_sse)))
        scaled = hess_sse / np.outer(d, d)
    finite = np.all(np.isfinite(scaled)) and scaled.size
    cond = float(np.linalg.cond(scaled)) if finite else float("inf")
    rel = {}
    for j, name in enumerate(names):
        col = draws[:, j]
        rel[name] = (float(np.std(col) / abs(theta_hat[j])) if np.all(np.isfinite(col))
                     and theta_hat[j] != 0 else float("nan"))
    flags = list(extra_flags)
    if not hessian_pd:
        flags.append("Hessian not positive definite at the fit (ridge or bound): Laplace "
                     "is poor, see the profile likelihood")
    if ess < ESS_FLAG:
        flags.append(f"importance ESS {ess:.2g} of the Laplace proposals: the posterior is "
                     "far from Gaussian")
    if cond > COND_FLAG:
        flags.append(f"condition number {cond:.3g} > {COND_FLAG:g}: parameters trade off")
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if abs(corr[i, j]) > CORR_FLAG:
                flags.append(f"corr({names[i]}, {names[j]}) = {corr[i, j]:+.3f}")
    for name, r in rel.items():
        if not np.isfinite(r) or r > REL_SD_FLAG:
            flags.append(f"{name} poorly identified (posterior SD {r:.2g} of the estimate)")
    return Diagnostics(names, corr, cond, rel, hessian_pd, ess, tuple(flags))
