"""Quantiles over the draw axis: the reduction that turns draws into the cube.

``np.quantile`` partitions every (athlete, point, day) column separately; a full
``np.sort`` along the draw axis (NumPy's vectorised sort) followed by NumPy's default
"linear" interpolation (Hyndman & Fan 1996 type 7) at the same order statistics for every
column is several times faster for columns of about 100 draws. Tests compare it with
``np.quantile``.
"""

from __future__ import annotations

import numpy as np


def quantiles_over_draws(x: np.ndarray, q, axis: int) -> np.ndarray:
    """Quantiles ``q`` of ``x`` along ``axis``; the result has the quantiles on that axis
    (type 7 interpolation, as ``np.quantile``; NaN sorts last, so ``x`` should be
    finite)."""
    ordered = np.sort(np.asarray(x, float), axis=axis)
    n = ordered.shape[axis]
    out = []
    for level in np.asarray(q, float):
        pos = level * (n - 1)
        lo = int(np.floor(pos))
        hi = min(lo + 1, n - 1)
        a = np.take(ordered, lo, axis=axis)
        b = np.take(ordered, hi, axis=axis)
        out.append(a + (b - a) * (pos - lo))
    return np.stack(out, axis=axis)
