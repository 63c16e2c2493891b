"""PNG fit report of one athlete: fit and draws, residuals, tau profiles, flags.

Four panels: the tests against the best fit with a 90 % band of the posterior draws'
performance; the out-of-sample forecasts; the profiles of tau1 and tau2 against their
threshold; and the parameters with their profile intervals and the identifiability flags.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import f as f_dist

from calibration._models import Problem, lag_of, model_spec


def draw_band(result, load, level: float = 0.9, max_draws: int = 100) -> np.ndarray:
    """Pointwise ``level`` band of the model performance over the draws, ``(2, T)``."""
    spec = model_spec(result.model)
    draws = result.draws[: max_draws]
    draws = draws[np.all(np.isfinite(draws), axis=1)]
    if not len(draws):
        return np.full((2, len(load)), np.nan)
    prob = Problem(spec, np.asarray(load, float), np.full(len(load), np.nan),
                   np.ones(len(load)), lag_of(result.convention))
    curves = np.array([prob.predict(th) for th in draws])
    a = 0.5 * (1 - level)
    return np.quantile(curves, [a, 1 - a], axis=0)


def fit_report(path, athlete: str, result, load, performance, *, oos=None,
               profiles: dict | None = None) -> Path:
    """Write the PNG report to ``path`` and return it."""
    path = Path(path)
    load = np.asarray(load, float)
    perf = np.asarray(performance, float)
    days = np.arange(len(load))
    fig, ax = plt.subplots(2, 2, figsize=(12, 8), constrained_layout=True)
    band = draw_band(result, load)
    a = ax[0, 0]
    a.fill_between(days, band[0], band[1], alpha=0.3, label="90 % of draws")
    a.plot(days, result.predicted, label="best fit")
    a.plot(days, perf, "o", color="k", label="tests")
    a.set(xlabel="day", ylabel="performance", title=f"{athlete}: {result.model} fit, "
          f"SSE {result.sse:.4g}, sigma {result.sigma:.3g}")
    a.legend(loc="best")
    a = ax[0, 1]
    if oos is not None and len(oos.days):
        a.plot(oos.days, oos.observed, "o", color="k", label="test")
        a.plot(oos.days, oos.forecast, "s", label=f"forecast (RMSE {oos.rmse:.3g})")
        a.legend(loc="best")
    a.set(xlabel="day", ylabel="performance", title="out of sample: next test from the "
          "tests before it")
    a = ax[1, 0]
    dof = result.n_tests - len(result.free)
    crit = f_dist.ppf(result.level, 1, dof) if dof > 0 else np.nan
    for name, prof in (profiles or {}).items() if dof > 0 else ():
        # the profile F statistic: (SSE_prof - SSE_min) / (SSE_min / (n - k))
        stat = (prof["sse"] - result.sse) / (result.sse / dof)
        a.plot(prof["grid"], stat, "o-", label=name)
    a.axhline(crit, color="grey", ls="--", label=f"{result.level:.0%} threshold F(1, {dof})")
    a.set(xscale="log", xlabel="time constant (d)", ylabel="(SSE_prof - SSE_min) / s^2",
          title="profile likelihood", ylim=(0, 3 * crit) if dof > 0 else None)
    if profiles:
        a.legend(loc="best")
    a = ax[1, 1]
    a.axis("off")
    lines = [f"{n} = {float(getattr(result.params, n)):.5g}  {result.level:.0%}: "
             f"[{result.interval(n)[0]:.4g}, {result.interval(n)[1]:.4g}]"
             for n in result.names]
    lines += ["", f"condition number {result.diagnostics.condition_number:.3g}",
              *result.diagnostics.flags]
    a.text(0, 1, "\n".join(lines), va="top", family="monospace", fontsize=8, wrap=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
