"""Match demand to W' depletion: the within-match model seen by the day step.

A match of ``minutes`` played at ``intensity`` (1 = a standard match per minute) becomes a
synthetic running trace (:func:`physiology.energetics.intermittent_match_power`, speed as
the power-like quantity with critical speed CS and D'): ``efforts_per_90 * intensity``
efforts per 90 min at ``effort_ratio`` CS, the rest at ``background_ratio`` CS. Its W'
balance (Skiba et al. 2015 differential form, which is consistent in any units, here m and
m/s) gives the depletion ``1 - min W'bal / D'``
(:func:`physiology.energetics.match_w_prime_features`).

The day step needs it for every (athlete, point, day): it is computed once per athlete on
a grid of minutes and intensities and interpolated bilinearly (grid steps of 10 min and
0.125 of intensity; depletion varies smoothly between them).
"""

from __future__ import annotations

import numpy as np

from physiology.energetics import intermittent_match_power, match_w_prime_features

MINUTES = np.arange(0.0, 130.0, 10.0)
INTENSITY = np.arange(0.0, 3.0 + 1e-9, 0.125)


def depletion_table(cs, d_prime, coupling) -> np.ndarray:
    """Depletion on the (MINUTES, INTENSITY) grid for each athlete, ``(A, M, I)``.

    Computed once per distinct (CS, D') pair (every athlete shares the priors' pair
    unless calibrated otherwise) and given to each athlete with it: the same numbers as
    one computation per athlete, which are independent series."""
    cs, d_prime = np.broadcast_arrays(np.atleast_1d(np.asarray(cs, float)),
                                      np.atleast_1d(np.asarray(d_prime, float)))
    pairs, which = np.unique(np.stack([cs, d_prime], axis=-1), axis=0, return_inverse=True)
    return _table(pairs[:, 0], pairs[:, 1], coupling)[which.ravel()]


def _table(cs: np.ndarray, d_prime: np.ndarray, coupling) -> np.ndarray:
    """:func:`depletion_table` for each (CS, D') pair given."""
    table = np.zeros((cs.size, MINUTES.size, INTENSITY.size))
    for m, minutes in enumerate(MINUTES[1:], start=1):
        traces, where = [], []
        for i, level in enumerate(INTENSITY):
            efforts = round(float(coupling.efforts_per_90) * level * minutes / 90.0)
            efforts = min(efforts, int(minutes * 60 // float(coupling.effort_s)))
            traces.append(intermittent_match_power(
                minutes, efforts, 1.0, effort_ratio=float(coupling.effort_ratio),
                effort_s=float(coupling.effort_s),
                background_ratio=float(coupling.background_ratio)))
            where.append(i)
        unit = np.stack(traces)  # (I, n) in units of CS
        speed = unit[None] * cs[:, None, None]
        feats = match_w_prime_features(speed, cs[:, None], d_prime[:, None],
                                       method="skiba-differential")
        table[:, m, where] = np.maximum(feats.depletion, 0.0)
    return table


def planned_depletion(table: np.ndarray, minutes: np.ndarray, intensity: np.ndarray
                      ) -> np.ndarray:
    """Bilinear interpolation of ``table`` (A, M, I) at (P, D) minutes and intensities,
    clipped to the grid; ``(A, P, D)``."""
    x = np.interp(minutes, MINUTES, np.arange(MINUTES.size))
    y = np.interp(intensity, INTENSITY, np.arange(INTENSITY.size))
    x0 = np.minimum(np.floor(x).astype(int), MINUTES.size - 2)
    y0 = np.minimum(np.floor(y).astype(int), INTENSITY.size - 2)
    fx, fy = x - x0, y - y0
    t = table
    out = ((1 - fx) * (1 - fy) * t[:, x0, y0] + fx * (1 - fy) * t[:, x0 + 1, y0]
           + (1 - fx) * fy * t[:, x0, y0 + 1] + fx * fy * t[:, x0 + 1, y0 + 1])
    return np.where(minutes > 0, out, 0.0)
