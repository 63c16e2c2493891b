r"""Public fits of the fitness-fatigue models: :func:`fit_banister`, :func:`fit_busso`.

Each returns a :class:`FitResult`: the best parameters as the model's own record, the SSE,
profile-likelihood intervals, posterior draws (draws x parameters) consistent with them,
and identifiability diagnostics. Method:

- :mod:`calibration._projection`: for given time constants the baseline and gains are
  solved exactly inside their plausible bounds (variable projection, Golub & Pereyra 1973;
  the bounded linear problem by its faces);
- :mod:`calibration._surface`: the best time constants by a coarse and a fine log grid and
  a Nelder-Mead refinement of the projected SSE; profile-likelihood intervals with exact
  inner solves (closed form for the baseline and gains);
- :mod:`calibration._draws`: time constants drawn from the profile likelihood, baseline
  and gains from their exact truncated-t conditional.

A parameter the tests do not bound (the Clarke & Skiba 2013 cyclist's gains) is reported
with its interval reaching the plausible bound and flagged, not given a narrow interval.
:func:`profile_likelihood` returns the profile curve of one parameter.

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

from calibration._diagnostics import Diagnostics, diagnose, stream
from calibration._draws import profile_draws
from calibration._models import ModelSpec, Problem, lag_of, model_spec
from calibration._projection import Projection, box_lstsq
from calibration._surface import Surface, threshold
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
        converged: 1 when the refinement of the time constants met its tolerances.
        diagnostics: :class:`calibration.Diagnostics`.
        convention: the day convention used.
        level: the level of ``intervals``; ``intervals``: the profile-likelihood interval
            of every free parameter (natural units); one reaching a plausible bound means
            the tests do not bound the parameter there (``diagnostics.unidentified``).
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
    level: float
    intervals: dict[str, tuple[float, float]]

    def interval(self, name: str) -> tuple[float, float]:
        """The profile-likelihood interval of one parameter at :attr:`level` (a fixed
        parameter's is its value; NaN where there are none: no residual degrees of freedom,
        or ``uncertainty="none"``)."""
        if name not in self.names:
            raise ValueError(f"name={name!r}: expected one of {self.names}")
        if name in self.free and name not in self.intervals:
            return float("nan"), float("nan")
        if name not in self.intervals:
            v = float(getattr(self.params, name))
            return v, v
        return self.intervals[name]

    def draws_interval(self, name: str, level: float = 0.9) -> tuple[float, float]:
        """Equal-tailed interval of one parameter over the posterior draws."""
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


def _intervals(spec: ModelSpec, surface: Surface, proj: Projection, thr: float,
               free: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    out = {}
    for name in free:
        if name in spec.linear:
            out[name] = surface.linear_interval(spec.linear.index(name), thr)
        else:
            axis = list(surface.free).index(spec.nonlinear.index(name))
            out[name] = surface.tau_interval(axis, thr)
    return out


#: An interval end within this fraction of the plausible range of a bound reaches it (on
#: a log scale for positive fields: the gains and time constants).
BOUND_REACH = 0.01


def _reaches_bound(interval, low: float, high: float) -> bool:
    """Whether a profile interval reaches a plausible bound (:data:`BOUND_REACH`)."""
    f = np.log if low > 0 else (lambda v: v)
    tol = BOUND_REACH * (f(high) - f(low))
    return bool(f(interval[0]) - f(low) <= tol or f(high) - f(interval[1]) <= tol)


def _condition(problem: Problem, theta: np.ndarray, free: np.ndarray,
               is_log: np.ndarray) -> np.ndarray:
    """Gauss-Newton matrix J^T W J in the search coordinates (exact JAX Jacobian)."""
    _, jac = problem.residual_and_jacobian(theta)
    jz = (jac * np.where(is_log, theta, 1.0))[:, free]
    return jz.T @ jz


def fit(model: str, load, performance, fixed=None, *, weights=None,
        convention: str = "same-day", n_draws: int = 200, seed: int = 0,
        key: str = "athlete", level: float = 0.9, uncertainty: str = "profile") -> FitResult:
    """Fit ``model`` (``"banister"`` or ``"busso"``); see :func:`fit_banister`.

    ``uncertainty``: ``"profile"`` (profile intervals and draws) or ``"none"`` (no
    intervals, draws repeat the estimate; for inner refits such as out-of-sample windows).
    """
    if uncertainty not in ("profile", "none"):
        raise ValueError(f"uncertainty={uncertainty!r}: expected profile or none")
    if not 0.0 < float(level) < 1.0:
        raise ValueError(f"level={level!r}: expected a probability in (0, 1)")
    spec = model_spec(model)
    load, perf, w = _inputs(load, performance, weights)
    fixed = _check_fixed(spec, fixed)
    k = len(spec.names) - len(fixed)
    n = int(np.sum(np.isfinite(perf) & (w > 0)))
    if n < k:
        raise ValueError(f"performance: {n} weighted test(s) for {k} free parameter(s) of "
                         f"{spec.record.__name__}; fix some (fixed=...) or add tests")
    lag = lag_of(convention)
    proj = Projection(spec, load, perf, w, lag, fixed)
    surface = Surface(proj, k)
    theta = proj.theta(surface.tau_hat[None, :], surface.beta_hat[None, :])[0]
    for name, v in fixed.items():  # exactly as given
        theta[spec.names.index(name)] = v
    sse = surface.s_min
    free_mask = np.array([nm not in fixed for nm in spec.names])
    names_free = tuple(nm for nm in spec.names if nm not in fixed)
    low, high = spec.bounds()
    if uncertainty == "none" or n == k:
        draws = np.tile(theta, (n_draws, 1))
        intervals = {}
    else:
        thr = threshold(sse, n - k, level)
        intervals = _intervals(spec, surface, proj, thr, names_free)
        draws = profile_draws(surface, n_draws, stream(seed, f"{model}:{key}"))
        for name, v in fixed.items():
            draws[:, spec.names.index(name)] = v
    unidentified = tuple(nm for nm, iv in intervals.items()
                         if _reaches_bound(iv, low[spec.names.index(nm)],
                                           high[spec.names.index(nm)]))
    at_bound = [nm for nm, t, lo, hi in zip(spec.names, theta, low, high, strict=True)
                if nm not in fixed and (np.isclose(t, lo, rtol=1e-6) or
                                        np.isclose(t, hi, rtol=1e-6))]
    extra = tuple(f"{nm} at its plausible bound" for nm in at_bound)
    extra += tuple(f"{nm} not bounded by the tests: its {level:.0%} profile interval "
                   f"[{intervals[nm][0]:.4g}, {intervals[nm][1]:.4g}] reaches a plausible "
                   "bound" for nm in unidentified)
    if n == k:
        extra += ("no residual degrees of freedom: no intervals",)
    is_log = np.array([nm in spec.log_fields for nm in spec.names])
    problem = Problem(spec, load, perf, w, lag)
    gn = _condition(problem, theta, free_mask, is_log)
    diag = diagnose(names_free, theta[free_mask], draws[:, free_mask], gn,
                    is_log[free_mask], unidentified, extra)
    sigma = float(np.sqrt(sse / (n - k))) if n > k else float("nan")
    record = spec.record(**{nm: float(v) for nm, v in zip(spec.names, theta, strict=True)})
    return FitResult(model, record, sse, draws, spec.names, names_free, n, sigma,
                     problem.predict(theta), surface.converged, diag, convention,
                     float(level), intervals)


def fit_banister(load, performance, fixed=None, *, weights=None,
                 convention: str = "same-day", n_draws: int = 200, seed: int = 0,
                 key: str = "athlete", level: float = 0.9,
                 uncertainty: str = "profile") -> FitResult:
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
        level: level of the profile-likelihood intervals (``.intervals``).
        uncertainty: ``"profile"`` (intervals and draws, module docstring) or ``"none"``.

    Returns:
        :class:`FitResult` with ``.params`` a :class:`BanisterParams`, ``.sse``,
        ``.intervals``, ``.draws``.

    Raises:
        ValueError: bad load, shapes, weights, fixed values or level; fewer tests than
            free parameters.
    """
    return fit("banister", load, performance, fixed, weights=weights, convention=convention,
               n_draws=n_draws, seed=seed, key=key, level=level, uncertainty=uncertainty)


def fit_busso(load, performance, fixed=None, **kwargs) -> FitResult:
    """Fit the Busso (2003) variable dose-response model; arguments as
    :func:`fit_banister` (``.params`` is a :class:`BussoParams`)."""
    return fit("busso", load, performance, fixed, **kwargs)


def profile_likelihood(result: FitResult, load, performance, name: str, *, n_grid: int = 21,
                       level: float | None = None, weights=None) -> dict:
    r"""Profile of one free parameter: the best SSE with it held at each grid value.

    The grid: ``n_grid`` values across the record's plausible bounds (log-spaced for a
    time constant) and the estimate. The interval at ``level`` (default: the fit's) is the
    exact one of :attr:`FitResult.intervals` (profile SSE at most
    :math:`S_{min}(1 + F_{1,n-k}/(n-k))`); ``bounded`` says whether it stops short of
    both plausible bounds.

    Returns ``{"grid", "sse", "threshold", "interval", "bounded"}``.
    """
    if name not in result.free:
        raise ValueError(f"name={name!r}: expected a free parameter of the fit "
                         f"{result.free}")
    if result.n_tests <= len(result.free):
        raise ValueError(f"name={name!r}: no profile: {result.n_tests} test(s) for "
                         f"{len(result.free)} free parameter(s) leave no residual degrees "
                         "of freedom")
    spec = model_spec(result.model)
    load, perf, w = _inputs(load, performance, weights)
    fixed = {nm: float(getattr(result.params, nm)) for nm in result.names
             if nm not in result.free}
    proj = Projection(spec, load, perf, w, lag_of(result.convention), fixed)
    k = len(result.free)
    surface = Surface(proj, k)
    level = result.level if level is None else float(level)
    thr = threshold(surface.s_min, result.n_tests - k, level)
    low, high = spec.bounds()
    i = spec.names.index(name)
    est = float(getattr(result.params, name))
    if name in spec.log_fields:
        grid = np.unique(np.r_[np.geomspace(low[i], high[i], n_grid), est])
        axis = list(surface.free).index(spec.nonlinear.index(name))
        sse = surface.tau_profile(axis, np.log(grid))
        interval = surface.tau_interval(axis, thr)
    else:
        grid = np.unique(np.r_[np.linspace(low[i], high[i], n_grid), est])
        j = spec.linear.index(name)
        q, c = proj.normal(surface.cells)
        sse = np.empty(len(grid))
        for g, v in enumerate(grid):
            lo, hi = proj.low.copy(), proj.high.copy()
            lo[j] = hi[j] = v
            sse[g] = np.min(box_lstsq(q, c, proj.yy, lo, hi)[1])
        interval = surface.linear_interval(j, thr)
    bounded = bool(interval[0] > low[i] * (1 + 1e-9) and interval[1] < high[i] * (1 - 1e-9))
    return {"grid": grid, "sse": sse, "threshold": thr, "interval": interval,
            "bounded": bounded}
