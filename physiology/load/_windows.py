"""Trailing-window statistics, written once for ``numpy`` and ``jax.numpy``.

Window sums add shifted slices one by one (no cumulative-sum differences), so a window
of zeros sums to exactly zero and both backends add in the same order.
"""

from __future__ import annotations


def window_sum(xp, x, w: int):
    """Sums of ``x[..., t-w+1 : t+1]`` for ``t = w-1 .. T-1`` (length ``T-w+1``)."""
    n = x.shape[-1] - w + 1
    total = x[..., 0:n]
    for j in range(1, w):
        total = total + x[..., j:j + n]
    return total


def window_mean_cv(xp, x, w: int, ddof: int):
    """Trailing mean and coefficient of variation (SD / mean; divisor ``w - ddof``).

    Deviations are taken relative to the window mean before squaring, so tiny loads do
    not underflow (XLA flushes subnormals to zero, NumPy does not). A CV below 1e-12 is
    the rounding of identical loads and returns as 0; a window of zeros gives NaN.
    """
    n = x.shape[-1] - w + 1
    mean = window_sum(xp, x, w) / w
    safe = xp.where(mean > 0, mean, 1.0)
    dev2 = (x[..., 0:n] / safe - 1.0) ** 2
    for j in range(1, w):
        dev2 = dev2 + (x[..., j:j + n] / safe - 1.0) ** 2
    cv = xp.sqrt(dev2 / (w - ddof))
    return mean, xp.where(mean > 0, xp.where(cv > 1e-12, cv, 0.0), xp.nan)


def pad_front(xp, x, n: int):
    """Prepend ``n`` NaN days on the last axis."""
    pad = xp.full((*x.shape[:-1], n), xp.nan)
    return xp.concatenate([pad, x], axis=-1)


def safe_ratio(xp, num, den):
    """``num / den`` where ``den > 0``, NaN elsewhere, without a division warning."""
    ok = den > 0
    return xp.where(ok, num / xp.where(ok, den, 1.0), xp.nan)
