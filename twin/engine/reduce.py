"""Reductions over the draw axis, compiled: quantiles, median and mean of every cell.

A chunk's daily outputs are ``(a, p, N, D)`` arrays; each (athlete, point, day) cell is
reduced over its ``N`` draws. The kernels read the draws with their strides (no
transposed copy of the block) and run in parallel (``prange``) over tiles of up to
:data:`TILE` neighbouring cells (the days of one athlete and point).

Order statistics come from a sorting network applied to a tile at once, the cells as
SIMD lanes: Batcher's odd-even merge sort (Batcher 1968, "Sorting networks and their
applications", AFIPS SJCC 32:307; Knuth, TAOCP vol. 3, 5.3.4), each comparator a
``min``/``max`` of two rows of the tile, pruned to the comparators that the wanted order
statistics depend on. A network sorts, so the values at the wanted positions are the
order statistics ``np.sort`` gives; of equal values (0.0 and -0.0 compare equal) either
may land at a position, which changes no result below (``-0.0 + 0.0`` is ``+0.0``).
With more than :data:`MAX_NETWORK` draws a reduction sorts with NumPy instead.

Quantiles (Hyndman & Fan 1996 type 7, NumPy's default ``method="linear"``): level ``q``
sits at position ``pos = q (N - 1)`` of the sorted draws, ``lo = floor(pos)``,
``hi = min(lo + 1, N - 1)``, and the value is ``a + (b - a) (pos - lo)`` with ``a``,
``b`` the order statistics ``lo`` and ``hi``: the positions and weights are computed in
NumPy as the sort-based implementation before did, and the interpolation is the same
float64 arithmetic, so the result is that implementation's bit for bit. (NumPy 2's own
``np.quantile`` switches to ``b - (b - a) (1 - t)`` for weights ``t >= 0.5``, which can
differ from it in the last bit.)

NaN: as before (``np.sort`` orders NaN last), a cell with a NaN draw is sorted in full
with NaN last and read at the same positions, so levels above the finite draws are NaN
and those below are not; outputs should be finite (the day kernel's are). The median is
``np.median``'s: the middle order statistic (odd ``N``: ``(0 + a) / 1``) or the mean of
the two middle ones (even: ``((0 + a) + b) / 2``), NaN where a draw is NaN. The mean adds
the draws in order from 0.0 and divides by ``N``: how ``np.mean`` sums over an axis that
is not the innermost (one draw after another, no pairwise summation), so it too is bit
for bit ``np.mean``'s.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import njit, prange

__all__ = ["MAX_NETWORK", "TILE", "mean_over_draws", "median_over_draws",
           "quantiles_over_draws", "sorting_network"]

#: Most draws reduced by a sorting network (about N log2(N)^2 / 4 comparators).
MAX_NETWORK = 256
#: Cells (days) of one athlete and point sorted together, as the lanes of each comparator.
TILE = 128


def quantiles_over_draws(x: np.ndarray, q, axis: int) -> np.ndarray:
    """Quantiles ``q`` of ``x`` along ``axis``; the result has the quantiles on that axis
    (type 7 interpolation, ``a + (b - a) (pos - lo)``; NaN sorts last, so ``x`` should
    be finite: module docstring)."""
    q = np.atleast_1d(np.asarray(q, float))
    x3, shape, axis = _as_cells(x, axis)
    n = x3.shape[1]
    pos = q * (n - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    frac = pos - lo
    if n > MAX_NETWORK:
        ordered = np.sort(x3, axis=1)
        a, b = ordered[:, lo], ordered[:, hi]
        out = a + (b - a) * frac[:, None]
    else:
        out = np.empty((x3.shape[0], q.size, x3.shape[2]))
        wanted = tuple(int(k) for k in np.union1d(lo, hi))
        _network_cells(x3, sorting_network(n, wanted), lo, hi, frac, False, out)
    return out.reshape((*shape[:axis], q.size, *shape[axis + 1:]))


def median_over_draws(x: np.ndarray, axis: int) -> np.ndarray:
    """Median of ``x`` along ``axis`` (which is removed), bit for bit ``np.median``'s,
    NaN included (module docstring)."""
    x3, shape, axis = _as_cells(x, axis)
    n = x3.shape[1]
    if n > MAX_NETWORK:
        return np.median(x, axis=axis)
    lo = np.array([(n - 1) // 2])
    hi = np.array([n // 2])
    out = np.empty((x3.shape[0], 1, x3.shape[2]))
    _network_cells(x3, sorting_network(n, (int(lo[0]), int(hi[0]))), lo, hi, np.zeros(1),
                   True, out)
    return out.reshape((*shape[:axis], *shape[axis + 1:]))


def mean_over_draws(x: np.ndarray, axis: int) -> np.ndarray:
    """Mean of ``x`` along ``axis`` (which is removed), bit for bit ``np.mean``'s: compiled
    where the draws are not NumPy's innermost axis (module docstring), else ``np.mean``."""
    x3, shape, axis = _as_cells(x, axis)
    if x3.shape[2] == 1 or abs(x3.strides[1]) <= abs(x3.strides[2]):
        # NumPy walks the draws innermost here, with pairwise summation
        return np.mean(x, axis=axis)
    out = np.empty((x3.shape[0], x3.shape[2]))
    _mean_cells(x3, out)
    return out.reshape((*shape[:axis], *shape[axis + 1:]))


def _as_cells(x: np.ndarray, axis: int):
    """``x`` as float64 ``(outer, N, inner)`` (a view where the strides allow), its
    shape and ``axis`` counted from 0; ``N`` is the length of ``axis``."""
    x = np.asarray(x, np.float64)
    axis = axis % x.ndim
    shape = x.shape
    if shape[axis] == 0:
        raise ValueError("a reduction over draws needs at least one draw")
    outer = int(np.prod(shape[:axis], dtype=np.int64))
    inner = int(np.prod(shape[axis + 1:], dtype=np.int64))
    return x.reshape(outer, shape[axis], inner), shape, axis


@functools.cache
def sorting_network(n: int, wanted: tuple[int, ...] | None = None) -> np.ndarray:
    """Comparators ``(i, j)``, ``i < j``, of Batcher's odd-even merge sort of ``n``
    values (``min`` to ``i``, ``max`` to ``j``; the iterative form for any ``n``), keeping
    only those that the positions ``wanted`` (default all) depend on: walking back from
    the end, a comparator counts if it writes a position still needed, and then both of
    its inputs are needed."""
    comps = []
    p = 1
    while p < n:
        k = p
        while k >= 1:
            for j in range(k % p, n - k, 2 * k):
                for i in range(min(k, n - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        comps.append((i + j, i + j + k))
            k //= 2
        p *= 2
    need = set(range(n) if wanted is None else wanted)
    kept = []
    for i, j in reversed(comps):
        if i in need or j in need:
            kept.append((i, j))
            need.update((i, j))
    out = np.array(kept[::-1], np.int64).reshape(-1, 2)
    out.flags.writeable = False
    return out


@njit(cache=True)
def _compare(low, high, w):
    """One comparator on ``w`` lanes: ``low`` gets the smaller, ``high`` the larger."""
    for t in range(w):
        a = low[t]
        b = high[t]
        low[t] = min(a, b)
        high[t] = max(a, b)


@njit(parallel=True, cache=True, nogil=True)
def _network_cells(x, comps, lo, hi, frac, median, out):
    """``out[c, m, i]``: from order statistics ``lo[m]``, ``hi[m]`` of ``x[c, :, i]``,
    the type 7 quantile (weight ``frac[m]``) or, with ``median``, ``np.median``'s mean.
    A cell whose draws are all equal (a rest day's minutes, a day without a match's W')
    skips the network: every order statistic is its first draw, put through the same
    arithmetic; the other cells are moved together and sorted as fewer lanes."""
    n_outer, n, n_inner = x.shape
    tile = min(TILE, n_inner)
    n_tiles = (n_inner + tile - 1) // tile
    for task in prange(n_outer * n_tiles):
        c = task // n_tiles
        d0 = (task % n_tiles) * tile
        w = min(tile, n_inner - d0)
        buf = np.empty((n, tile))
        first = x[c, 0, d0:d0 + w]
        # per-cell flags as bytes, so the copy of the draws vectorises
        differs = np.zeros(tile, np.uint8)
        nan = np.zeros(tile, np.uint8)
        for j in range(n):
            row = x[c, j, d0:d0 + w]
            dst = buf[j]
            for t in range(w):
                v = row[t]
                dst[t] = v
                nan[t] |= v != v
                differs[t] |= v != first[t]
        has_nan = False
        for t in range(w):
            has_nan |= nan[t] != 0
        lane = np.empty(tile, np.int64)  # the network lane of each cell, -1 if constant
        if has_nan:  # NaN last, as np.sort: each cell sorted on its own
            column = np.empty(n)
            for t in range(w):
                lane[t] = t
                for j in range(n):
                    column[j] = buf[j, t]
                column.sort()
                for j in range(n):
                    buf[j, t] = column[j]
        else:
            source = np.empty(tile, np.int64)
            k = 0
            for t in range(w):
                if differs[t]:
                    lane[t] = k
                    source[k] = t
                    k += 1
                else:
                    lane[t] = -1
            if k < w:  # the varying cells' draws to the first k lanes, row by row
                for j in range(n):
                    dst = buf[j]
                    for s in range(k):
                        dst[s] = dst[source[s]]  # source[s] >= s: in place, forward
            if k:
                for m in range(comps.shape[0]):
                    _compare(buf[comps[m, 0]], buf[comps[m, 1]], k)
        for m in range(lo.size):
            for t in range(w):
                if lane[t] < 0:
                    a = first[t]
                    b = first[t]
                else:
                    a = buf[lo[m], lane[t]]
                    b = buf[hi[m], lane[t]]
                if not median:
                    out[c, m, d0 + t] = a + (b - a) * frac[m]
                elif lane[t] >= 0 and buf[n - 1, lane[t]] != buf[n - 1, lane[t]]:
                    out[c, m, d0 + t] = np.nan  # a NaN draw (sorted last)
                elif n % 2:
                    out[c, m, d0 + t] = (0.0 + a) / 1.0
                else:
                    out[c, m, d0 + t] = (0.0 + a + b) / 2.0


@njit(parallel=True, cache=True, nogil=True)
def _mean_cells(x, out):
    n_outer, n, n_inner = x.shape
    for c in prange(n_outer):
        for i in range(n_inner):
            out[c, i] = 0.0
        for j in range(n):
            for i in range(n_inner):
                out[c, i] += x[c, j, i]
        for i in range(n_inner):
            out[c, i] /= n
