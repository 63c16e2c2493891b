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


def window_mean_sd(xp, x, w: int, ddof: int):
    """Trailing mean and standard deviation (two-pass, divisor ``w - ddof``).

    An SD below 1e-12 of the mean is the rounding of identical loads and returns as 0.
    """
    n = x.shape[-1] - w + 1
    mean = window_sum(xp, x, w) / w
    dev2 = (x[..., 0:n] - mean) ** 2
    for j in range(1, w):
        dev2 = dev2 + (x[..., j:j + n] - mean) ** 2
    sd = xp.sqrt(dev2 / (w - ddof))
    return mean, xp.where(sd > 1e-12 * mean, sd, 0.0)


def pad_front(xp, x, n: int):
    """Prepend ``n`` NaN days on the last axis."""
    pad = xp.full((*x.shape[:-1], n), xp.nan)
    return xp.concatenate([pad, x], axis=-1)


def safe_ratio(xp, num, den):
    """``num / den`` where ``den > 0``, NaN elsewhere, without a division warning."""
    ok = den > 0
    return xp.where(ok, num / xp.where(ok, den, 1.0), xp.nan)
