r"""Sleep need from wearable sleep records: the mean sleep on free days.

On days without an alarm (``free_day``) sleep ends when the sleeper has had enough, so
the free-day sleep duration :math:`SD_f` is the usual field estimate of sleep need
(Roenneberg et al. 2003, 2012, whose chronotype correction :math:`\mathrm{MSF_{sc}}`
assumes it); the estimate here is the mean over at least :data:`MIN_FREE_DAYS` free days,
with draws of that mean by the bootstrap over those days. Free-day sleep also repays the
week's debt, so it overstates the need of a chronically restricted athlete somewhat (an
assumption of the method: Kitamura et al. 2016, Sci Rep 6:35812, found an optimal sleep
duration of 8.41 h against a habitual 7.44 h only after nine nights of extended sleep).
With fewer free days the draws come from the population (Sargent et al. 2021: elite
athletes' self-assessed need 8.3 +- 0.9 h).

References:
    Roenneberg T, Wirz-Justice A, Merrow M (2003). Life between clocks. J Biol Rhythms
    18(1):80-90.
    Sargent C, Lastella M, Halson SL, Roach GD (2021). How much sleep does an elite athlete
    need? Int J Sports Physiol Perform 16(12):1746-1757.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calibration.records import SleepNeedParams

MIN_FREE_DAYS = 3
POPULATION_SD_H = 0.9  # Sargent et al. 2021


@dataclass(frozen=True)
class SleepNeedFit:
    """``point`` and ``draws`` of ``need_h``; the free days used; ``source``."""

    point: dict[str, float]
    draws: dict[str, np.ndarray]
    free_days: int
    source: str


def fit_sleep_need(onset_h=(), offset_h=(), free_day=(), *, n_draws: int = 200,
                   rng: np.random.Generator | None = None) -> SleepNeedFit:
    """Sleep need (h) of one athlete (module docstring).

    Args:
        onset_h, offset_h: local clock hours of the sleep ending on each day (onset may be
            the previous evening); days without both are skipped.
        free_day: bool per day (no alarm).
        n_draws: draws to return.
    """
    rng = rng or np.random.default_rng(0)
    spec = SleepNeedParams.spec()["need_h"]
    on, off = np.asarray(onset_h, float), np.asarray(offset_h, float)
    free = np.asarray(free_day, bool)
    ok = np.isfinite(on) & np.isfinite(off) & free if on.size else np.zeros(0, bool)
    dur = ((off - on) % 24.0)[ok] if on.size else np.zeros(0)
    if dur.size >= MIN_FREE_DAYS:
        centre = float(dur.mean())
        draws = rng.choice(dur, size=(n_draws, dur.size)).mean(axis=1)
        source = f"mean sleep on {dur.size} free days"
    else:
        centre = spec.default
        draws = centre + POPULATION_SD_H * rng.standard_normal(n_draws)
        source = "population prior (Sargent et al. 2021)"
    lo, hi = spec.bounds
    return SleepNeedFit({"need_h": float(np.clip(centre, lo, hi))},
                        {"need_h": np.clip(draws, lo, hi)}, int(dur.size), source)
