"""Season outcomes per athlete and scenario point, from every draw of a chunk.

The variables, their units, meanings and reductions over draws are declared in
:data:`twin.model.variables.SUMMARY` (the table in ``docs/model.md`` is generated from it):
match-day performance over the matches an athlete was available for (quantiles over
draws), the probability of at least one injury, expected injuries, days lost and matches
played (means over draws), injury incidence per 1000 h of exposure, all, in matches and in
training (expected injuries over hours at risk, pooled over draws as epidemiology pools
over players; a match day has no training, so its injuries are match injuries) and the
expected hours of exposure, the worst circadian misalignment at a kickoff and the mean
sleep debt carried into match days (draw-free), and the medians over draws of the
season's highest tissue damage and highest ACWR, the latter split in two: in training, and
in the weeks after a return to play.

Why the split: while an athlete is out the chronic load decays, so the first weeks back
give ACWR spikes (1.8-1.9 in the demo sweep) that say nothing about the training plan;
draws without an injury peak near 1.3. A day counts as a return-to-play day when the
athlete lost time on any of the :data:`RETURN_WINDOW_D` days before it (the default
chronic window of the coupled EWMA, Williams et al. 2017), and as a training day when
available with no time loss in that window.

Each outcome that is a mean over draws has a companion ``<name>_se``, its Monte-Carlo
standard error over the ``N`` draws (NaN with fewer than two): the sample standard
deviation over draws over sqrt(N) for the expected counts, hours and days; sqrt(p (1 - p)
/ N) for the probability of an injury (the binomial standard error of a share of draws;
it is 0 where no draw differed, where the rule of three's 3 / N bounds the risk instead);
and for the incidences, ratios of sums pooled over draws, the large-sample standard error
of a ratio estimator, sqrt(sum_n (y_n - R x_n)^2 / (N - 1) / N) / mean(x) with y the
injuries and x the hours of draw n (Cochran WG, 1977, Sampling Techniques, 3rd ed.,
Wiley, eq. 6.9, without the finite-population correction).
"""

from __future__ import annotations

import numpy as np

from twin.engine.reduce import median_over_draws
from twin.engine.season_pass import season_pass
from twin.model.variables import SUMMARY

__all__ = ["RETURN_WINDOW_D", "SUMMARY", "return_to_play_days", "summarise"]

#: Days after time loss in which ACWR reports a return to play (module docstring).
RETURN_WINDOW_D = 28


def return_to_play_days(unavailable: np.ndarray, window: int = RETURN_WINDOW_D):
    """Boolean masks over the last axis (days): ``(training, returning)``. ``returning``:
    available, with time loss on one of the ``window`` days before; ``training``:
    available with none."""
    lost = np.cumsum(unavailable, axis=-1, dtype=np.int32)
    before = np.zeros_like(lost)  # time-loss days in [d - window, d - 1]
    before[..., 1:] = lost[..., :-1]
    if lost.shape[-1] > window + 1:
        before[..., window + 1:] -= lost[..., :-window - 1]
    recent = before > 0
    return ~unavailable & ~recent, ~unavailable & recent


def _median_of_peaks(peak: np.ndarray) -> np.ndarray:
    """Median over draws (axis 2) of per-draw peaks; draws with none (NaN) are left out,
    NaN where none is left."""
    seen = np.isfinite(peak).any(axis=2)
    out = np.full(seen.shape, np.nan)
    out[seen] = np.nanmedian(peak[seen], axis=-1)
    return out


def summarise(plan, out: np.ndarray, athletes: slice, points: slice) -> dict[str, np.ndarray]:
    """Summary arrays ``summary/<name>`` of a chunk, and the season outcomes in each draw
    ``draws/<name>`` (:data:`twin.model.variables.SEASON_DRAWS`); ``out`` is the day
    kernel's ``DayOutputs``, each ``(a, p, N, D)``.

    The sums, counts and peaks over the season's days of each draw come from one
    compiled pass (:func:`twin.engine.season_pass.season_pass`, the same numbers as the
    NumPy expressions over the whole chunk it replaced, bit for bit); what follows works
    on ``(a, p, N)`` arrays."""
    s = season_pass(out, plan.days.match[points], RETURN_WINDOW_D)
    n_played = s.n_played
    with np.errstate(invalid="ignore", divide="ignore"):
        per_draw = s.performance_played / n_played
    match_perf = np.moveaxis(np.nanquantile(np.where(n_played > 0, per_draw, np.nan),
                                            plan.quantiles, axis=2), 0, 2) \
        if np.any(n_played > 0) else np.full((*per_draw.shape[:2], plan.quantiles.size),
                                             np.nan)
    mis = np.abs(plan.misalignment[athletes, points])  # (a, p, D)
    on = plan.days.match[points][None]
    kick_mis = np.where(on, mis, -np.inf).max(axis=-1)
    debt = plan.sleep_debt[athletes, points]
    n_match = on.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        kick_debt = np.where(on, debt, 0.0).sum(axis=-1) / n_match
    injured = s.n_unavailable > 0
    injuries = {"": s.injuries, "_match": s.injuries_match,
                "_training": s.injuries_training}
    hours = {"": s.hours, "_match": s.hours_match, "_training": s.hours_training}
    with np.errstate(invalid="ignore", divide="ignore"):
        incidence = {k: 1000.0 * s.pooled[..., 2 * i] / s.pooled[..., 2 * i + 1]
                     for i, k in enumerate(injuries)}
    errors = {
        "injury_risk": _binomial_se(injured),
        "expected_injuries": _mean_se(s.injuries),
        **{f"incidence{k}": _ratio_se(injuries[k], hours[k]) for k in injuries},
        "exposure_hours": _mean_se(s.hours),
        "days_lost": _mean_se(s.n_unavailable),
        "matches_played": _mean_se(n_played),
    }
    return {**{f"summary/{n}_se": v for n, v in errors.items()},
        "summary/match_performance": match_perf,
        "summary/injury_risk": injured.mean(axis=2),
        "summary/expected_injuries": s.injuries.mean(axis=2),
        **{f"summary/incidence{k}": v for k, v in incidence.items()},
        "summary/exposure_hours": s.hours.mean(axis=2),
        "summary/days_lost": s.n_unavailable.mean(axis=2),
        "summary/matches_played": n_played.mean(axis=2),
        "summary/worst_misalignment": np.where(np.isfinite(kick_mis), kick_mis, np.nan),
        "summary/kickoff_sleep_debt": np.where(n_match > 0, kick_debt, np.nan),
        "summary/peak_acwr": _median_of_peaks(s.peak_acwr_training),
        "summary/peak_acwr_return": _median_of_peaks(s.peak_acwr_return),
        "summary/peak_tissue_damage": median_over_draws(s.peak_tissue, axis=2),
        # the same outcomes in each draw (variables.SEASON_DRAWS)
        "draws/match_performance": np.where(n_played > 0, per_draw, np.nan),
        "draws/injury_risk": injured.astype(np.float64),
        "draws/expected_injuries": s.injuries,
        "draws/exposure_hours": s.hours,
        "draws/days_lost": s.n_unavailable.astype(np.float64),
        "draws/matches_played": n_played.astype(np.float64),
        "draws/peak_acwr": s.peak_acwr_training,
        "draws/peak_acwr_return": s.peak_acwr_return,
        "draws/peak_tissue_damage": s.peak_tissue,
    }


def _mean_se(x: np.ndarray) -> np.ndarray:
    """Standard error of the mean over draws (axis 2) of ``x`` ``(a, p, N)``."""
    n = x.shape[2]
    if n < 2:
        return np.full(x.shape[:2], np.nan)
    return x.std(axis=2, ddof=1) / np.sqrt(n)


def _binomial_se(hit: np.ndarray) -> np.ndarray:
    """Binomial standard error of the share of draws (axis 2) where ``hit``."""
    n = hit.shape[2]
    if n < 2:
        return np.full(hit.shape[:2], np.nan)
    p = hit.mean(axis=2)
    return np.sqrt(p * (1.0 - p) / n)


def _ratio_se(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Standard error of 1000 sum(y) / sum(x) pooled over draws (axis 2), from each
    draw's injuries ``y`` and hours ``x`` ``(a, p, N)`` (module docstring: a ratio
    estimator)."""
    n = y.shape[2]
    if n < 2:
        return np.full(y.shape[:2], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = y.sum(axis=2) / x.sum(axis=2)
        resid = y - r[..., None] * x
        return 1000.0 * np.sqrt((resid ** 2).sum(axis=2) / (n - 1) / n) / x.mean(axis=2)
