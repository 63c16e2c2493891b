r"""Checking a club's injury hazard on its own log: discrimination, calibration, a plot.

Evaluation (:func:`evaluate_injury_model`, typically on held-out seasons; the hazard from
:func:`calibration.injury.fit_injury_model` or any :class:`physiology.injury.HazardParams`),
over the athlete-days with exposure, with :math:`H_d = \sum_{i \in d}\mu_i` the day's expected
injuries and :math:`p_d = 1 - e^{-H_d}`: the AUC (C-index of a binary outcome: the
Mann-Whitney probability that an injured day has the higher :math:`p_d`; Hanley & McNeil
1982); the calibration slope :math:`b` of the Poisson GLM
:math:`\log E y_d = a + b \log H_d` (Cox 1958; 1 when the spread of risks is right, below
1 when the fit overstates it); calibration-in-the-large, observed over expected
:math:`\sum y_d / \sum H_d` and the intercept of :math:`\log E y_d = a + \log H_d`
(its logarithm; Van Calster et al. 2016); the Brier score of :math:`p_d` against
:math:`[y_d > 0]` (Brier 1950); and observed against predicted by decile of :math:`p_d`.

References:
    Hanley JA, McNeil BJ (1982). The meaning and use of the area under a receiver operating
    characteristic (ROC) curve. Radiology 143:29-36.
    Cox DR (1958). Two further applications of a model for binary regression. Biometrika
    45:562-565.
    Van Calster B et al. (2016). A calibration hierarchy for risk models was defined: from
    utopia to empirical data. J Clin Epidemiol 74:167-176.
    Brier GW (1950). Verification of forecasts expressed in terms of probability. Monthly
    Weather Review 78:1-3.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import beta as beta_dist
from scipy.stats import mannwhitneyu

from calibration.injury import FITTED, InjuryFit, _exog, _features_off, _window, injury_design
from physiology.injury import HazardParams


@dataclass(frozen=True)
class InjuryEvaluation:
    """Discrimination and calibration of a hazard on a log (:func:`evaluate_injury_model`).

    Over ``days`` athlete-days with exposure (``injured_days`` of them with an injury):
    ``auc``; ``calibration_slope`` and its standard error; ``observed_expected`` and
    ``citl_intercept`` (calibration-in-the-large); ``brier``; ``injuries`` observed and
    ``expected``; ``deciles``: per decile of predicted probability, its ``days``, mean
    ``predicted`` probability, ``observed`` fraction of days injured with a 90 %
    Clopper-Pearson interval (``observed_low``, ``observed_high``), ``expected`` and
    observed ``injuries``. NaN where the log holds no injury (or no uninjured day).
    """

    auc: float
    calibration_slope: float
    calibration_slope_se: float
    observed_expected: float
    citl_intercept: float
    brier: float
    days: int
    injured_days: int
    injuries: int
    expected: float
    deciles: pd.DataFrame


def evaluate_injury_model(params_or_fit: HazardParams | InjuryFit, exposure: pd.DataFrame,
                          injuries: pd.DataFrame, *, athletes: Iterable[str] | None = None,
                          start=None, end=None) -> InjuryEvaluation:
    """Score a hazard's predictions on a log, typically of held-out seasons.

    Args:
        params_or_fit: a :class:`HazardParams` (optional features off) or an
            :class:`InjuryFit` (its :meth:`~InjuryFit.params`).
        exposure, injuries, athletes: the logs (:func:`injury_design`).
        start, end: first and last dates (inclusive) of the days scored (default: all);
            the covariates use the whole log, so earlier injuries still set the return
            window of the first days scored.

    Raises:
        DataError: bad logs. ValueError: fewer than 10 athlete-days with exposure.
    """
    params = _features_off("params_or_fit", params_or_fit.params() if isinstance(
        params_or_fit, InjuryFit) else params_or_fit)
    design = _window(injury_design(exposure, injuries, hazard=params, athletes=athletes),
                     start, end)
    theta = np.log([getattr(params, f) for f in FITTED])
    mu = design["hours"].to_numpy() * np.exp(_exog(design) @ theta)
    per_day = design.assign(mu=mu).groupby(["athlete_id", "date"], sort=True)[
        ["mu", "injuries"]].sum()
    h, y = per_day["mu"].to_numpy(), per_day["injuries"].to_numpy(float)
    if len(h) < 10:
        raise ValueError(f"evaluate_injury_model: {len(h)} athlete-days with exposure; "
                         "expected at least 10")
    p, hit = -np.expm1(-h), y > 0
    nan = float("nan")
    auc = (float(mannwhitneyu(p[hit], p[~hit]).statistic) / (hit.sum() * (~hit).sum())
           if hit.any() and not hit.all() else nan)
    slope = slope_se = citl = nan
    if y.sum() > 0:
        fit = sm.GLM(y, sm.add_constant(np.log(h), has_constant="add"),
                     family=sm.families.Poisson()).fit()
        slope, slope_se = float(fit.params[1]), float(fit.bse[1])
        citl = float(sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Poisson(),
                            offset=np.log(h)).fit().params[0])
    rows = []
    for k, idx in enumerate(np.array_split(np.argsort(p, kind="stable"), 10)):
        n, events = len(idx), int(hit[idx].sum())
        low = beta_dist.ppf(0.05, events, n - events + 1) if events else 0.0
        high = beta_dist.ppf(0.95, events + 1, n - events) if events < n else 1.0
        rows.append({"decile": k + 1, "days": n, "predicted": float(p[idx].mean()),
                     "observed": events / n, "observed_low": float(low),
                     "observed_high": float(high), "expected": float(h[idx].sum()),
                     "injuries": int(y[idx].sum())})
    return InjuryEvaluation(auc=auc, calibration_slope=slope, calibration_slope_se=slope_se,
                            observed_expected=float(y.sum() / h.sum()), citl_intercept=citl,
                            brier=float(np.mean((p - hit) ** 2)), days=len(h),
                            injured_days=int(hit.sum()), injuries=int(y.sum()),
                            expected=float(h.sum()), deciles=pd.DataFrame(rows))


def calibration_plot(path, evaluation: InjuryEvaluation, *,
                     title: str = "Injury hazard: observed against predicted") -> Path:
    """Write a PNG of observed against predicted injury probability by risk decile.

    Each point is a decile of athlete-days by predicted probability, with the 90 %
    Clopper-Pearson interval of its observed fraction; the identity line is perfect
    calibration. Uses Matplotlib's Agg canvas directly (no global backend is set).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = Path(path)
    d = evaluation.deciles
    fig = Figure(figsize=(6.5, 5.5), constrained_layout=True)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    top = 1.1 * float(max(d["predicted"].max(), d["observed_high"].max(), 1e-6))
    ax.plot([0, top], [0, top], color="grey", ls="--", label="identity (calibrated)")
    ax.errorbar(d["predicted"], d["observed"],
                yerr=[d["observed"] - d["observed_low"], d["observed_high"] - d["observed"]],
                fmt="o", capsize=3, label="risk decile (90 % interval)")
    ax.set(xlim=(0, top), ylim=(0, top), title=title,
           xlabel="predicted injury probability per athlete-day (1)",
           ylabel="observed fraction of athlete-days with an injury (1)")
    e = evaluation
    ax.text(0.02, 0.98, f"{e.days} athlete-days, {e.injuries} injuries "
            f"({e.expected:.1f} expected)\nAUC {e.auc:.3f}; calibration slope "
            f"{e.calibration_slope:.2f} (SE {e.calibration_slope_se:.2f})\nobserved/expected "
            f"{e.observed_expected:.2f}; Brier {e.brier:.4f}", transform=ax.transAxes,
            va="top", fontsize=8, family="monospace")
    ax.legend(loc="lower right")
    fig.savefig(path, dpi=80)
    return path
