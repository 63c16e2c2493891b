"""The summary's season statistics of every draw, in one compiled pass over a chunk.

:func:`twin.engine.summary.summarise` needs, for each (athlete, point, draw), a few sums,
counts and maxima over the season's days of the day kernel's outputs, and for each
(athlete, point) six sums pooled over draws and days. Computed with NumPy they took
about twenty full-size temporaries per chunk (masks, ``np.where`` copies, a cumulative
sum); :func:`season_pass` reads each output once, in parallel (``prange``) over the
(athlete, point) cells, and returns only the small per-draw arrays.

Bit for bit the NumPy expressions they replace: the counts are integers, maxima do not
depend on order, and the sums repeat NumPy's own summation order. ``x.sum(axis=-1)``
over a row of ``D`` contiguous values, and ``x.sum(axis=(2, 3))`` over a C-ordered
``(N, D)`` block (the iterator joins the two axes into one of ``N D`` values), are both
NumPy's pairwise summation (``pairwise_sum`` in NumPy's ``loops_utils.h.src``) added to
the reduction's identity 0.0: below 8 values one after another; up to 128, eight
running sums over the values ``8 i + r``, combined as ``((s0 + s1) + (s2 + s3)) +
((s4 + s5) + (s6 + s7))``, then the remainder one by one; above 128, the two halves
(the first a multiple of 8 long) summed so and added. :func:`pairwise_sum` does the same.
Masked sums (``np.where(on, x, 0.0)``) are summed over the same positions with 0.0 where
the mask is off, as NumPy's fresh array holds.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

__all__ = ["SeasonStats", "pairwise_sum", "season_pass"]


class SeasonStats(NamedTuple):
    """Per draw ``(a, p, N)``: counts (int64) and sums/maxima over the season's days
    (float64); pooled over draws and days ``(a, p)``: the injury and hour sums."""

    n_played: np.ndarray  # matches available for
    n_unavailable: np.ndarray  # days with time loss
    performance_played: np.ndarray  # sum of performance over the matches played
    injuries: np.ndarray  # sum of the daily injury probability: every day
    hours: np.ndarray  # sum of exposure hours: every day
    injuries_match: np.ndarray  # on match days
    hours_match: np.ndarray
    injuries_training: np.ndarray  # on the other days
    hours_training: np.ndarray
    peak_acwr_training: np.ndarray  # highest finite ACWR on training days, NaN if none
    peak_acwr_return: np.ndarray  # in the return-to-play window, NaN if none
    peak_tissue: np.ndarray  # highest tissue damage (NaN if one is NaN, as np.max)
    pooled: np.ndarray  # (a, p, 6): injuries, hours; match; training (sums over N, D)


@njit(cache=True)
def pairwise_sum(x, start, n):
    """NumPy's pairwise sum of ``x[start:start + n]`` (1-D), plus 0.0 (module docstring)."""
    return 0.0 + _pairwise(x, start, n, np.empty((_DEPTH, 3), np.int64), np.empty(_DEPTH))


#: Frames of the pairwise recursion: each halves ``n``, so 64 hold any array.
_DEPTH = 64


@njit(cache=True)
def _pairwise(x, start, n, frames, lefts):
    """The pairwise sum of ``x[start:start + n]``: the recursion of NumPy's
    ``pairwise_sum`` run with an explicit stack (``frames``: start, length, stage;
    ``lefts``: each frame's left half's sum), since Numba's cache mishandles recursive
    functions."""
    if n <= 128:
        return _block(x, start, n)
    top = 0
    frames[0, 0], frames[0, 1], frames[0, 2] = start, n, 0
    ret = 0.0
    while True:
        first, length, stage = frames[top, 0], frames[top, 1], frames[top, 2]
        half = length // 2
        half -= half % 8
        if length <= 128:
            ret = _block(x, first, length)
            top -= 1
        elif stage == 0:  # sum the first half
            frames[top, 2] = 1
            top += 1
            frames[top, 0], frames[top, 1], frames[top, 2] = first, half, 0
            continue
        elif stage == 1:  # keep it, sum the second half
            lefts[top] = ret
            frames[top, 2] = 2
            top += 1
            frames[top, 0], frames[top, 1], frames[top, 2] = first + half, length - half, 0
            continue
        else:
            ret = lefts[top] + ret
            top -= 1
        if top < 0:
            return ret


@njit(cache=True)
def _block(x, start, n):
    """Pairwise summation's base cases, ``n <= 128`` (module docstring)."""
    if n < 8:
        s = 0.0
        for i in range(start, start + n):
            s += x[i]
        return s
    s0, s1, s2, s3 = x[start], x[start + 1], x[start + 2], x[start + 3]
    s4, s5, s6, s7 = x[start + 4], x[start + 5], x[start + 6], x[start + 7]
    end8 = start + n - n % 8
    i = start + 8
    while i < end8:
        s0 += x[i]
        s1 += x[i + 1]
        s2 += x[i + 2]
        s3 += x[i + 3]
        s4 += x[i + 4]
        s5 += x[i + 5]
        s6 += x[i + 6]
        s7 += x[i + 7]
        i += 8
    s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    while i < start + n:
        s += x[i]
        i += 1
    return s


def season_pass(out, match: np.ndarray, window: int) -> SeasonStats:
    """The season statistics of a chunk's day-kernel outputs ``out`` (``DayOutputs``,
    each ``(a, p, N, D)``); ``match``: ``(p, D)`` match days; ``window``: the
    return-to-play window in days (:func:`twin.engine.summary.return_to_play_days`)."""
    arrays = [np.asarray(getattr(out, n), np.float64) for n in
              ("available", "performance", "acwr", "tissue_damage", "injury_probability",
               "exposure_h")]
    n_a, n_p, n_n, _ = arrays[0].shape
    counts = np.empty((2, n_a, n_p, n_n), np.int64)
    sums = np.empty((10, n_a, n_p, n_n))
    pooled = np.empty((n_a, n_p, 6))
    _season_cells(*arrays, np.ascontiguousarray(match, np.bool_), int(window), counts,
                  sums, pooled)
    return SeasonStats(*counts, *sums, pooled)


@njit(parallel=True, cache=True, nogil=True)
def _season_cells(available, performance, acwr, tissue, prob, hours, match, window,
                  counts, sums, pooled):
    n_a, n_p, n_n, n_d = available.shape
    for cell in prange(n_a * n_p):
        ia = cell // n_p
        ip = cell % n_p
        flat = np.empty((6, n_n * n_d))  # injuries, hours: every day, match, training
        played = np.empty(n_d)
        lost = np.zeros(n_d, np.int64)
        frames = np.empty((_DEPTH, 3), np.int64)
        lefts = np.empty(_DEPTH)
        for n in range(n_n):
            n_played = 0
            n_lost = 0
            recent = 0  # time-loss days among the `window` days before d
            peak_t = -np.inf
            peak_r = -np.inf
            peak_tissue = -np.inf
            tissue_nan = False
            row = n * n_d
            for d in range(n_d):
                if d > window:
                    recent -= lost[d - window - 1]
                on = match[ip, d]
                av = available[ia, ip, n, d]
                if av > 0.5 and on:
                    n_played += 1
                    played[d] = performance[ia, ip, n, d]
                else:
                    played[d] = 0.0
                out_today = av < 0.5
                lost[d] = 1 if out_today else 0
                n_lost += lost[d]
                a = acwr[ia, ip, n, d]
                if not out_today and np.isfinite(a):
                    if recent == 0:
                        peak_t = max(peak_t, a)
                    else:
                        peak_r = max(peak_r, a)
                t = tissue[ia, ip, n, d]
                if t != t:
                    tissue_nan = True
                else:
                    peak_tissue = max(peak_tissue, t)
                pr = prob[ia, ip, n, d]
                h = hours[ia, ip, n, d]
                flat[0, row + d] = pr
                flat[1, row + d] = h
                flat[2, row + d] = pr if on else 0.0
                flat[3, row + d] = h if on else 0.0
                flat[4, row + d] = 0.0 if on else pr
                flat[5, row + d] = 0.0 if on else h
                recent += lost[d]
            counts[0, ia, ip, n] = n_played
            counts[1, ia, ip, n] = n_lost
            sums[0, ia, ip, n] = 0.0 + _pairwise(played, 0, n_d, frames, lefts)
            for k in range(6):
                sums[1 + k, ia, ip, n] = 0.0 + _pairwise(flat[k], row, n_d, frames, lefts)
            sums[7, ia, ip, n] = peak_t if np.isfinite(peak_t) else np.nan
            sums[8, ia, ip, n] = peak_r if np.isfinite(peak_r) else np.nan
            sums[9, ia, ip, n] = np.nan if tissue_nan else peak_tissue
        for k in range(6):
            pooled[ia, ip, k] = 0.0 + _pairwise(flat[k], 0, n_n * n_d, frames, lefts)
