"""Synthetic athletes for calibration tests and benchmarks: known parameters, noisy tests.

Loads: a season of daily sessions (gamma-distributed, rest days at random), tests every
7-14 days (realistic density for a maximal test), Gaussian test noise. The truth is drawn
inside the Banister record's bounds, with tau1 > tau2 as in published fits.
"""

from __future__ import annotations

import numpy as np

from physiology.fitness_fatigue import BanisterParams, banister


def athlete(rng: np.random.Generator, n_days: int = 240, noise_sd: float = 2.0):
    """One synthetic athlete: ``(load, tests, truth)``; tests NaN on untested days."""
    load = rng.gamma(3.0, 30.0, n_days) * (rng.random(n_days) > 0.25)
    truth = BanisterParams(p0=rng.uniform(200, 350), k1=rng.uniform(0.1, 0.3),
                           k2=rng.uniform(0.3, 0.6), tau1=rng.uniform(30, 50),
                           tau2=rng.uniform(5, 15))
    perf = banister(load, truth).performance
    tests = np.full(n_days, np.nan)
    day = int(rng.integers(7, 14))
    while day < n_days:
        tests[day] = perf[day] + noise_sd * rng.standard_normal()
        day += int(rng.integers(7, 15))
    return load, tests, truth
