r"""A match's demand on W': daily features for the twin from a match description or trace.

The twin's day-step models see a match only through named daily features (DESIGN.md
principle 3). From a power trace (or any power-like trace with its critical value: speed
with critical speed and D' works the same way), :func:`match_w_prime_features` runs
:func:`~physiology.energetics.w_prime_balance` and reports:

- ``min_balance_j``: the lowest W' balance of the match (J);
- ``depletion``: :math:`1 - \min W'_{bal} / W'`, the deepest fraction of W' used (1;
  above 1 when the balance went negative, the model's prediction of exhaustion);
- ``time_below_25pct_s``: time spent with less than 25 % of W' left (s).

Without a trace, :func:`intermittent_match_power` builds one from what match reports
give: minutes played, the number of high-intensity efforts, their intensity (as a
multiple of CP) and duration, and the background intensity between them (a fraction of
CP). Efforts are spread evenly over the minutes played; this is a labelled assumption
(real matches cluster efforts), and the features of a real trace replace it when one
exists.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from physiology import validate
from physiology.energetics._wbal import w_prime_balance


class MatchWPrime(NamedTuple):
    """W' features of a match, each of the batch shape."""

    min_balance_j: np.ndarray
    depletion: np.ndarray
    time_below_25pct_s: np.ndarray


def match_w_prime_features(power, cp, w_prime, dt: float = 1.0, *,
                           method: str = "skiba-integral", backend: str = "numba"
                           ) -> MatchWPrime:
    """W' features of a match from its power trace ``(*batch, n)``; see the module docstring."""
    balance = w_prime_balance(power, cp, w_prime, method, dt, backend=backend)
    w_prime = np.asarray(w_prime, float)
    lowest = balance.min(axis=-1)
    below = (balance < 0.25 * w_prime[..., None]).sum(axis=-1) * float(dt)
    return MatchWPrime(lowest, 1.0 - lowest / w_prime, below)


def intermittent_match_power(minutes: float, efforts: int, cp: float, *,
                             effort_ratio: float = 1.5, effort_s: float = 10.0,
                             background_ratio: float = 0.5, dt: float = 1.0) -> np.ndarray:
    """A synthetic power trace (W) for a match described by its efforts.

    Args:
        minutes: minutes played (> 0).
        efforts: number of high-intensity efforts (>= 0), spread evenly.
        cp: critical power (W), > 0.
        effort_ratio: effort power as a multiple of CP (> 1; assumption 1.5).
        effort_s: duration of one effort (s, > 0; assumption 10 s).
        background_ratio: power between efforts as a fraction of CP (in [0, 1); assumption
            0.5, low-intensity running and standing).
        dt: sample interval (s).

    Returns:
        1-D array of ``round(minutes * 60 / dt)`` samples.

    Raises:
        ValueError: naming the argument, for values outside the ranges above or efforts
            that do not fit in the minutes played.
    """
    minutes = float(validate.positive("minutes", minutes))
    cp = float(validate.positive("cp", cp))
    dt = float(validate.positive("dt", dt))
    effort_s = float(validate.positive("effort_s", effort_s))
    validate.in_range("effort_ratio", effort_ratio, 1.0 + 1e-12, np.inf, "a multiple of CP > 1")
    validate.in_range("background_ratio", background_ratio, 0.0, 1.0 - 1e-12,
                       "a fraction of CP in [0, 1)")
    if int(efforts) != efforts or efforts < 0:
        raise ValueError(f"efforts = {efforts!r}: expected a whole number >= 0")
    n = round(minutes * 60.0 / dt)
    per_effort = max(round(effort_s / dt), 1)
    if efforts * per_effort > n:
        raise ValueError(f"efforts = {efforts} of {effort_s} s do not fit in {minutes} min")
    trace = np.full(n, background_ratio * cp)
    if efforts:
        starts = (np.arange(efforts) + 0.5) * (n / efforts) - per_effort / 2
        starts = np.clip(np.round(starts).astype(int), 0, n - per_effort)
        for s in starts:
            trace[s:s + per_effort] = effort_ratio * cp
    return trace
