r"""Out-of-sample check: expanding-window forecasts of each athlete's next test.

For every test j after the first ``min_tests``, the model is fitted to the tests before
it (loads up to and including the day of test j are known: they are the training record)
and test j is forecast; the error is ``forecast - observed`` (Hyndman & Athanasopoulos
2021, sec. 5.10, "evaluation on a rolling forecasting origin"). Reported beside the
in-sample residual SD, it shows how much of the fit is real.

Reference:
    Hyndman RJ, Athanasopoulos G (2021). Forecasting: principles and practice, 3rd ed.
    OTexts. https://otexts.com/fpp3/
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from calibration.fitness_fatigue import fit


class OutOfSample(NamedTuple):
    """``days`` of the forecast tests, ``forecast`` and ``observed`` values,
    ``error`` (forecast - observed) and ``rmse`` over them (NaN with none)."""

    days: np.ndarray
    forecast: np.ndarray
    observed: np.ndarray
    error: np.ndarray
    rmse: float


def expanding_window(load, performance, *, model: str = "banister", fixed=None,
                     min_tests: int | None = None, convention: str = "same-day",
                     **fit_kwargs) -> OutOfSample:
    """Forecast each test from a fit to the tests before it (module docstring).

    ``min_tests``: tests in the first window (default: free parameters + 1).
    """
    load = np.asarray(load, dtype=float)
    perf = np.asarray(performance, dtype=float)
    days = np.flatnonzero(np.isfinite(perf))
    n_free = (5 if model == "banister" else 6) - len(fixed or {})
    start = max(min_tests if min_tests is not None else n_free + 1, n_free)
    out_days, fc = [], []
    for j in range(start, len(days)):
        d = days[j]
        past = np.where(np.arange(d + 1) < d, perf[: d + 1], np.nan)
        res = fit(model, load[: d + 1], past, fixed, convention=convention, n_draws=1,
                  uncertainty="none",
                  **fit_kwargs)
        out_days.append(d)
        fc.append(res.predicted[d])
    out_days = np.array(out_days, dtype=int)
    fc = np.array(fc, dtype=float)
    obs = perf[out_days]
    err = fc - obs
    rmse = float(np.sqrt(np.mean(err**2))) if err.size else float("nan")
    return OutOfSample(out_days, fc, obs, err, rmse)
