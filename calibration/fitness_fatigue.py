r"""Public fits of the fitness-fatigue models: :func:`fit_banister`, :func:`fit_busso`.

Each returns a :class:`FitResult`: the best parameters as the model's own record, the SSE,
Laplace posterior draws (draws x parameters) and identifiability diagnostics. Method:
:mod:`calibration._fit` (multi-start, bounded trust-region least squares with exact JAX
Jacobians) and :mod:`calibration._laplace` (Student-t Laplace draws from the exact JAX
Hessian; the importance ESS against the exact posterior says whether they can be
trusted, and where Laplace is poor a parametric bootstrap gives the draws).
:func:`profile_likelihood` profiles one parameter, the other check where Laplace is poor
(the Clarke & Skiba 2013 cyclist's time constants).

Example
-------
>>> from calibration import fit_banister, example_athlete
>>> d = example_athlete()
>>> fit = fit_banister(d["load_au"], d["test_power_w"], fixed={"tau1": 35.821,
...                                                             "tau2": 21.340})
>>> round(float(fit.params.p0), 1)
261.9
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2

from calibration._fit import _transform, least_squares_fit
from calibration._laplace import (
    Diagnostics,
    diagnose,
    importance_resample,
    laplace_draws,
    stream,
)
from calibration._models import ModelSpec, Problem, lag_of, model_spec
from physiology import validate
from physiology.params import ParamRecord


@dataclass(frozen=True)
class FitResult:
    """A fitted fitness-fatigue model.

    Attributes:
        model: ``"banister"`` or ``"busso"``.
        params: the best fit as the model's parameter record.
        sse: weighted sum of squared test residuals at the fit (performance units^2).
        draws: posterior draws, shape ``(n_draws, n_params)``, columns in ``names`` order
            (fixed parameters are constant columns).
        names: the record's field names; ``free``: those fitted.
        n_tests: tests used; ``sigma``: residual SD, sqrt(SSE / (n - k)).
        predicted: model performance on every day of the record.
        converged: how many multi-start refinements met the tolerances (0 means the best
            fit sits on a slowly falling ridge, as with the Clarke & Skiba cyclist).
        diagnostics: :class:`calibration.Diagnostics`.
        convention: the day convention used.
    """

    model: str
    params: ParamRecord
    sse: float
    draws: np.ndarray
    names: tuple[str, ...]
    free: tuple[str, ...]
    n_tests: int
    sigma: float
    predicted: np.ndarray
    converged: int
    diagnostics: Diagnostics
    convention: str

    def interval(self, name: str, level: float = 0.9) -> tuple[float, float]:
        """Equal-tailed posterior interval of one parameter from the draws."""
        col = self.draws[:, self.names.index(name)]
        a = 0.5 * (1.0 - level)
        return float(np.quantile(col, a)), float(np.quantile(col, 1.0 - a))


def _inputs(load, performance, weights):
    load = validate.series("load", load)
    if load.ndim != 1:
        raise ValueError(f"load: expected one athlete's daily series (T,), got {load.shape}")
    perf = np.asarray(performance, dtype=float)
    if perf.shape != load.shape:
        raise ValueError(f"performance: expected shape {load.shape} like load (NaN on days "
                         f"without a test), got {perf.shape}")
    if np.isinf(perf).any():
        raise ValueError(f"performance[{int(np.flatnonzero(np.isinf(perf))[0])}]: infinite")
    w = np.ones_like(load) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != load.shape or np.any(~np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"weights: expected finite non-negative values of shape {load.shape}")
    return load, perf, w


def _check_fixed(spec: ModelSpec, fixed) -> dict[str, float]:
    fixed = dict(fixed or {})
    low, high = spec.bounds()
    for name, value in fixed.items():
        if name not in spec.names:
            raise ValueError(f"fixed[{name!r}]: not a {spec.record.__name__} field "
                             f"{spec.names}")
        i = spec.names.index(name)
        if not low[i] <= float(value) <= high[i]:
            raise ValueError(f"fixed[{name!r}] = {value}: outside the plausible bounds "
                             f"[{low[i]:g}, {high[i]:g}] of {spec.record.__name__}")
        fixed[name] = float(value)
    return fixed


#: Refits of the parametric bootstrap where Laplace is poor (draws resample them).
N_BOOT = 40


def _bootstrap(model, load, perf, w, fixed, theta, sse, n, k, convention, problem,
               n_draws, rng):
    """Parametric bootstrap (Efron & Tibshirani 1993, ch. 6): refit :data:`N_BOOT` sets
    of tests simulated from the fit plus Gaussian noise of the residual SD, and resample
    ``n_draws`` from the refits. For fits where the Laplace form is poor (ridges)."""
    sd = np.sqrt(sse / (n - k)) / np.sqrt(np.where(w > 0, w, 1.0))
    fitted = problem.predict(theta)
    tests = np.isfinite(perf)
    refits = []
    for _ in range(N_BOOT):
        sim = np.where(tests, fitted + sd * rng.standard_normal(len(perf)), np.nan)
        r = fit(model, load, sim, fixed, weights=w, convention=convention, n_draws=1,
                n_starts=2, max_nfev=30, uncertainty="none")
        refits.append([float(getattr(r.params, nm)) for nm in r.names])
    refits = np.array(refits)
    return refits[rng.integers(0, N_BOOT, n_draws)]


def fit(model: str, load, performance, fixed=None, *, weights=None,
        convention: str = "same-day", n_draws: int = 200, seed: int = 0,
        key: str = "athlete", n_starts: int = 3, max_nfev: int = 50,
        uncertainty: str = "auto") -> FitResult:
    """Fit ``model`` (``"banister"`` or ``"busso"``); see :func:`fit_banister`.

    ``uncertainty``: ``"auto"`` (Laplace; a parametric bootstrap where Laplace is poor),
    ``"laplace"``, ``"bootstrap"`` or ``"none"`` (draws repeat the estimate; for inner
    refits such as profiles and out-of-sample windows).
    """
    if uncertainty not in ("auto", "laplace", "bootstrap", "none"):
        raise ValueError(f"uncertainty={uncertainty!r}: expected auto, laplace, bootstrap "
                         "or none")
    spec = model_spec(model)
    load, perf, w = _inputs(load, performance, weights)
    fixed = _check_fixed(spec, fixed)
    problem = Problem(spec, load, perf, w, lag_of(convention))
    k = len(spec.names) - len(fixed)
    n = int(np.sum(np.isfinite(perf) & (w > 0)))
    if n < k:
        raise ValueError(f"performance: {n} weighted test(s) for {k} free parameter(s) of "
                         f"{spec.record.__name__}; fix some (fixed=...) or add tests")
    theta, sse, free, converged = least_squares_fit(spec, problem, w, fixed,
                                                    n_starts=n_starts, max_nfev=max_nfev)
    is_log, to_z, to_theta = _transform(spec)
    dtheta_dz = np.where(is_log, theta, 1.0)
    r, jac = problem.residual_and_jacobian(theta)
    grad_sse = 2.0 * jac.T @ r
    # Hessian in z: chain rule through theta = exp(z) for the log fields.
    hess = (problem.sse_hessian(theta) * np.outer(dtheta_dz, dtheta_dz)
            + np.diag(np.where(is_log, grad_sse * theta, 0.0)))[np.ix_(free, free)]
    jz = (jac * dtheta_dz)[:, free]
    low, high = spec.bounds()

    def free_to_theta(zf):
        z = np.broadcast_to(to_z(theta), (*zf.shape[:-1], len(theta))).copy()
        z[..., free] = zf
        return to_theta(z)[..., free]

    rng = stream(seed, f"{model}:{key}")
    pool, log_q, cov, pd = laplace_draws(to_z(theta)[free], hess, 2.0 * jz.T @ jz, sse, n,
                                         free_to_theta, low[free], high[free], n_draws, rng)
    proposals = np.tile(theta, (len(pool), 1))
    proposals[:, free] = pool
    ess = float("nan")
    if np.all(np.isfinite(pool)):
        # exact log posterior: -(n/2) log SSE, plus log |d theta / d z| of the log fields
        resid = problem.predict_batch(proposals)[:, problem.tests] - problem.y[problem.tests]
        sse_pool = np.sum(w[problem.tests] * resid**2, axis=1)
        log_target = -0.5 * n * np.log(sse_pool) + np.sum(
            np.log(pool[:, is_log[free]]), axis=1)
        ess = importance_resample(log_target, log_q, n_draws, rng)[1]
    draws = proposals[:n_draws]
    poor = not pd or converged == 0  # structural: a ridge or no curvature
    method = "laplace"
    if uncertainty == "none":
        draws = np.tile(theta, (n_draws, 1))
        method = "none"
    elif uncertainty == "bootstrap" or (uncertainty == "auto" and poor and n > k):
        draws = _bootstrap(model, load, perf, w, fixed, theta, sse, n, k, convention,
                           problem, n_draws, rng)
        method = "bootstrap"
    free_draws = draws[:, free]
    names_free = tuple(np.array(spec.names)[free])
    at_bound = [nm for nm, t, lo, hi in zip(spec.names, theta, low, high, strict=True)
                if nm not in fixed and (np.isclose(t, lo, rtol=1e-6) or
                                        np.isclose(t, hi, rtol=1e-6))]
    extra = tuple(f"{nm} at its plausible bound" for nm in at_bound)
    if converged == 0:
        extra += ("no start converged within max_nfev: the SSE falls slowly along a ridge",)
    if method == "bootstrap":
        extra += ("draws from a parametric bootstrap (Laplace poor)",)
    diag = diagnose(names_free, theta[free], cov, hess, pd, free_draws, extra, ess)
    sigma = float(np.sqrt(sse / (n - k))) if n > k else float("nan")
    record = spec.record(**{n: float(v) for n, v in zip(spec.names, theta, strict=True)})
    return FitResult(model, record, sse, draws, spec.names, names_free, n, sigma,
                     problem.predict(theta), converged, diag, convention)


def fit_banister(load, performance, fixed=None, *, weights=None,
                 convention: str = "same-day", n_draws: int = 200, seed: int = 0,
                 key: str = "athlete", n_starts: int = 3, max_nfev: int = 50,
                 uncertainty: str = "auto") -> FitResult:
    """Fit the Banister model to one athlete's load and tests.

    Args:
        load: daily training load (AU), shape ``(T,)``, finite and >= 0.
        performance: test results (performance units) on the same days, NaN on days
            without a test.
        fixed: field values to hold, e.g. ``{"tau1": 42.0, "tau2": 7.0}`` (inside the
            record's bounds).
        weights: per-day weights of the squared residuals (default 1).
        convention: ``"same-day"`` (Clarke & Skiba 2013) or ``"next-day"`` (Busso 2003,
            GoldenCheetah).
        n_draws: posterior draws to return; seed, key: key of the counter-based stream
            (the same (seed, key) gives the same draws).
        n_starts, max_nfev: refinements started, and residual evaluations each may use.
        uncertainty: ``"auto"`` (Laplace draws; a parametric bootstrap of 40 refits where
            Laplace is structurally poor: Hessian not positive definite, or the fit on a
            ridge where no refinement converged), ``"laplace"``, ``"bootstrap"`` or
            ``"none"``. A low importance ESS is flagged in the diagnostics either way.

    Returns:
        :class:`FitResult` with ``.params`` a :class:`BanisterParams`, ``.sse``, ``.draws``.

    Raises:
        ValueError: bad load, shapes, weights or fixed values; fewer tests than free
            parameters.
    """
    return fit("banister", load, performance, fixed, weights=weights, convention=convention,
               n_draws=n_draws, seed=seed, key=key, n_starts=n_starts, max_nfev=max_nfev,
               uncertainty=uncertainty)


def fit_busso(load, performance, fixed=None, **kwargs) -> FitResult:
    """Fit the Busso (2003) variable dose-response model; arguments as
    :func:`fit_banister` (``.params`` is a :class:`BussoParams`)."""
    return fit("busso", load, performance, fixed, **kwargs)


def profile_likelihood(result: FitResult, load, performance, name: str, *, n_grid: int = 21,
                       level: float = 0.9, weights=None) -> dict[str, np.ndarray | tuple]:
    r"""Profile of one parameter: the best SSE with it held at each grid value.

    The likelihood-ratio interval (Venzon & Moolgavkar 1988) at ``level`` is the set where
    :math:`n \ln(\mathrm{SSE}_{prof}/\mathrm{SSE}_{min}) \le \chi^2_{1,level}`. An interval
    that reaches a bound of the grid (the record's plausible bounds) says the data do not
    bound the parameter.

    Returns ``{"grid", "sse", "interval", "bounded"}``.
    """
    spec = model_spec(result.model)
    low, high = spec.bounds()
    i = spec.names.index(name)
    if name in spec.log_fields:
        grid = np.geomspace(low[i], high[i], n_grid)
    else:
        grid = np.linspace(low[i], high[i], n_grid)
    grid = np.unique(np.r_[grid, getattr(result.params, name)])
    base = {n: float(getattr(result.params, n)) for n in result.names
            if n not in result.free}
    sse = np.array([fit(result.model, load, performance, {**base, name: float(g)},
                        weights=weights, convention=result.convention, n_draws=1,
                        uncertainty="none").sse
                    for g in grid])
    best = min(float(np.min(sse)), result.sse)
    inside = result.n_tests * np.log(sse / best) <= chi2.ppf(level, 1)
    interval = (float(grid[inside].min()), float(grid[inside].max()))
    bounded = bool(not inside[0] and not inside[-1])
    return {"grid": grid, "sse": sse, "interval": interval, "bounded": bounded}
