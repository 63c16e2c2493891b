r"""The projected SSE surface over the time constants: best fit and profile intervals.

With the baseline and gains solved exactly (:mod:`calibration._projection`), the fit is a
search over the time constants only (two for Banister, three for Busso 2003):

1. *Coarse grid*: a log-spaced grid over the record's plausible bounds of every free time
   constant (:data:`COARSE` points per axis).
2. *Fine grid*: the same over the box holding every coarse cell inside the joint
   :data:`ZOOM_LEVEL` likelihood region, one coarse cell wider each side
   (:data:`FINE` points per axis), zoomed again while that region spans fewer than
   :data:`MIN_CELLS` cells (so cells are small against the posterior's width).
3. *Refinement*: a pattern search on shrinking local grids (:func:`zoom_min`) from the
   best fine cell, to about 1e-5 of a cell (the projected SSE is continuous and piecewise
   smooth, with kinks where a bound becomes active).

Profile-likelihood intervals (Venzon & Moolgavkar 1988; Bates & Watts 1988, ch. 6), for
Gaussian test errors of unknown variance: a value of a parameter is inside the interval at
``level`` when the profile SSE, the best SSE with that parameter held there, satisfies

.. math::

    S_{prof} \le S_{min}\,\Big(1 + \frac{F_{1,\,n-k}(\text{level})}{n - k}\Big),

the profile t-statistic of Bates & Watts against its t distribution (exact for a linear
model). For a time constant the profile is the minimum over the other time constants
(the fine grid, then a golden-section refinement inside each grid cell); for a baseline or
gain it is the union over time constants of the closed-form sets of
:func:`calibration._projection.linear_profile_intervals`, with the extreme cells refined by
the same pattern search. An interval that reaches a plausible bound says the tests do not bound the
parameter on that side; it is reported so, never narrowed.

References:
    Venzon DJ, Moolgavkar SH (1988). A method for computing profile-likelihood-based
    confidence intervals. Appl Stat 37(1):87-94.
    Bates DM, Watts DG (1988). Nonlinear Regression Analysis and Its Applications. Wiley.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import f as f_dist

from calibration._projection import Projection, linear_profile_intervals

#: Grid points per free time constant (coarse over the bounds, fine over the zoom box),
#: by the number of free time constants.
COARSE = {1: 200, 2: 40, 3: 12}
FINE = {1: 400, 2: 48, 3: 16}
#: The fine grid covers the joint likelihood region at this level; where that region
#: spans fewer than MIN_CELLS fine cells along an axis (a well-determined athlete) the
#: grid zooms again onto it, up to REZOOM times.
ZOOM_LEVEL = 0.9999
MIN_CELLS = 8
REZOOM = 2
#: Golden-section steps refining a time-constant profile inside one fine cell.
GOLDEN_STEPS = 16


def threshold(s_min: float, dof: int, level: float, q: int = 1) -> float:
    """Largest SSE inside the likelihood region of ``q`` parameters at ``level``."""
    return s_min * (1.0 + q * f_dist.ppf(level, q, dof) / dof)


def _log_axes(low, high, n):
    return [np.linspace(np.log(lo), np.log(hi), n) for lo, hi in zip(low, high, strict=True)]


def _mesh(axes):
    return np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], axis=-1)


#: Pattern-search refinement: points per axis of each local grid, shrink per round, rounds.
ZOOM_POINTS, ZOOM_SHRINK, ZOOM_ROUNDS = 5, 2.5, 14


def zoom_min(f, z0: np.ndarray, half: np.ndarray, low: np.ndarray, high: np.ndarray):
    """Minimise ``f`` (batched: ``(B, q) -> (B,)``) near ``z0`` inside ``[low, high]``.

    A pattern search on shrinking local grids (:data:`ZOOM_POINTS` per axis, half-width
    ``half`` divided by :data:`ZOOM_SHRINK` each of :data:`ZOOM_ROUNDS` rounds, to about
    1e-5 of the starting cell): one batched evaluation per round, robust to the kinks of
    the projected SSE where a bound becomes active. Returns ``(z, f(z))``.
    """
    z = np.asarray(z0, dtype=float)
    best = float(f(z[None, :])[0])
    offsets = _mesh([np.linspace(-1.0, 1.0, ZOOM_POINTS)] * len(z))
    h = np.asarray(half, dtype=float)
    for _ in range(ZOOM_ROUNDS):
        pts = np.clip(z + offsets * h, low, high)
        vals = f(pts)
        i = int(np.argmin(vals))
        if vals[i] < best:
            z, best = pts[i], float(vals[i])
        h = h / ZOOM_SHRINK
    return z, best


class Surface:
    """Projected SSE over the free time constants of one athlete's problem."""

    def __init__(self, proj: Projection, k: int):
        self.proj = proj
        self.dof = proj.n - k
        self.free = np.flatnonzero(proj.nl_free)
        self.q = len(self.free)
        if self.q == 0:
            tau = proj.nl_fixed[None, :]
            beta, s = proj.solve(tau)
            self.cells, self.cell_sse = tau, s
            self.axes, self.step = [], np.zeros(0)
            self.tau_hat, self.beta_hat, self.s_min = tau[0], beta[0], float(s[0])
            self.converged = 1
            return
        lo, hi = proj.nl_low[self.free], proj.nl_high[self.free]
        coarse = _log_axes(lo, hi, COARSE[self.q])
        _, s1 = proj.solve(self._tau(_mesh(coarse)))
        width = np.array([a[1] - a[0] for a in coarse])
        pts, sse = _mesh(coarse), s1
        for _ in range(1 + REZOOM):
            # the box of the joint ZOOM_LEVEL region, one cell wider each side
            inside = pts[sse <= threshold(float(np.min(sse)), max(self.dof, 1), ZOOM_LEVEL,
                                          self.q)]
            z_lo = np.maximum(inside.min(axis=0) - width, np.log(lo))
            z_hi = np.minimum(inside.max(axis=0) + width, np.log(hi))
            self.axes = [np.linspace(a, b, FINE[self.q])
                         for a, b in zip(z_lo, z_hi, strict=True)]
            self.step = np.array([a[1] - a[0] for a in self.axes])
            self.cells = self._tau(_mesh(self.axes))
            _, self.cell_sse = proj.solve(self.cells)
            pts, sse, width = np.log(self.cells[:, self.free]), self.cell_sse, self.step
            region = pts[sse <= threshold(float(np.min(sse)), max(self.dof, 1), ZOOM_LEVEL,
                                          self.q)]
            if np.all(np.ptp(region, axis=0) >= MIN_CELLS * self.step):
                break  # the region spans enough fine cells: resolution is adequate
        self._refine(np.log(self.cells[np.argmin(self.cell_sse), self.free]))

    def _tau(self, z_free: np.ndarray) -> np.ndarray:
        """Full time-constant vectors from log values of the free ones."""
        tau = np.tile(self.proj.nl_fixed, (len(z_free), 1))
        tau[:, self.free] = np.exp(z_free)
        return tau

    def sse(self, z_free: np.ndarray) -> np.ndarray:
        return self.proj.solve(self._tau(np.atleast_2d(z_free)))[1]

    def _refine(self, z0: np.ndarray) -> None:
        low, high = np.log(self.proj.nl_low[self.free]), np.log(self.proj.nl_high[self.free])
        z, _ = zoom_min(self.sse, z0, self.step, low, high)
        self.converged = 1
        tau = self._tau(z[None, :])
        beta, s = self.proj.solve(tau)
        self.tau_hat, self.beta_hat, self.s_min = tau[0], beta[0], float(s[0])

    # -- profiles -----------------------------------------------------------------------

    def tau_profile(self, axis: int, z_values: np.ndarray) -> np.ndarray:
        """Profile SSE of free time constant ``axis`` (index into the free ones) at the log
        values ``z_values``: the minimum over the other free time constants (a grid, then
        golden section inside the best cell, coordinate by coordinate)."""
        z_values = np.asarray(z_values, dtype=float)
        if self.q == 1:
            return self.sse(z_values[:, None])
        others = [a for a in range(self.q) if a != axis]
        grid = _mesh([self.axes[a] for a in others])
        full = np.empty((len(z_values) * len(grid), self.q))
        full[:, axis] = np.repeat(z_values, len(grid))
        full[:, others] = np.tile(grid, (len(z_values), 1))
        s = self.sse(full).reshape(len(z_values), len(grid))
        z = np.empty((len(z_values), self.q))
        z[:, axis] = z_values
        z[:, others] = grid[np.argmin(s, axis=1)]
        return self._golden(z, np.min(s, axis=1), others)

    def _axis_profile(self, axis: int) -> tuple[np.ndarray, np.ndarray]:
        """The profile on the fine grid's own values of ``axis`` (the grid's SSE reused),
        with the estimate's value added (where the profile is the minimum)."""
        z_hat = np.log(self.tau_hat[self.free[axis]])
        values = self.axes[axis]
        if self.q == 1:
            s = self.cell_sse.copy()
        else:
            others = [a for a in range(self.q) if a != axis]
            mesh = np.log(self.cells[:, self.free])
            shaped = np.moveaxis(self.cell_sse.reshape([len(a) for a in self.axes]), axis, 0)
            shaped = shaped.reshape(len(values), -1)
            pts = np.moveaxis(mesh.reshape([len(a) for a in self.axes] + [self.q]), axis, 0)
            pts = pts.reshape(len(values), -1, self.q)
            best = np.argmin(shaped, axis=1)
            z = pts[np.arange(len(values)), best]
            s = self._golden(z, shaped[np.arange(len(values)), best], others)
        z_all = np.r_[values, z_hat]
        s_all = np.r_[s, self.s_min]
        order = np.argsort(z_all)
        return z_all[order], s_all[order]

    def _golden(self, z: np.ndarray, best: np.ndarray, others: list[int]) -> np.ndarray:
        """Refine ``best`` = SSE at rows ``z`` by golden section on each of ``others``
        inside one fine cell either side (coordinate cycles)."""
        low, high = np.log(self.proj.nl_low[self.free]), np.log(self.proj.nl_high[self.free])
        golden = 0.5 * (np.sqrt(5.0) - 1.0)
        for _ in range(len(others)):  # coordinate cycles
            for a in others:
                lo = np.maximum(z[:, a] - self.step[a], low[a])
                hi = np.minimum(z[:, a] + self.step[a], high[a])
                for _ in range(GOLDEN_STEPS):
                    m1, m2 = hi - golden * (hi - lo), lo + golden * (hi - lo)
                    t1, t2 = z.copy(), z.copy()
                    t1[:, a], t2[:, a] = m1, m2
                    s12 = self.sse(np.vstack([t1, t2]))
                    left = s12[: len(z)] < s12[len(z):]
                    hi, lo = np.where(left, m2, hi), np.where(left, lo, m1)
                t = z.copy()
                t[:, a] = 0.5 * (lo + hi)
                s_t = self.sse(t)
                better = s_t < best
                z[better], best = t[better], np.where(better, s_t, best)
        return best

    def tau_interval(self, axis: int, thr: float) -> tuple[float, float]:
        """Profile interval of free time constant ``axis`` (days), where profile SSE <=
        ``thr``; crossings interpolated linearly in log time."""
        if self.q == 0:
            raise ValueError("no free time constant")
        z_hat = np.log(self.tau_hat[self.free[axis]])
        z, s = self._axis_profile(axis)
        inside = np.flatnonzero(s <= thr)
        if not inside.size:
            return float(np.exp(z_hat)), float(np.exp(z_hat))
        i, j = inside[0], inside[-1]
        # the signed root of the profile, sign(z - z_hat) sqrt(S - S_min), is linear in z
        # for a quadratic profile (the profile t of Bates & Watts): interpolate it
        root = np.sign(z - z_hat) * np.sqrt(np.maximum(s - self.s_min, 0.0))
        r_thr = np.sqrt(max(thr - self.s_min, 0.0))

        def cross(a, b, target):  # z where the signed root meets target, from a to b
            if root[b] == root[a]:
                return z[a]
            return z[a] + (target - root[a]) * (z[b] - z[a]) / (root[b] - root[a])

        lo = z[i] if i == 0 else cross(i - 1, i, -r_thr)
        hi = z[j] if j == len(z) - 1 else cross(j, j + 1, r_thr)
        return float(np.exp(lo)), float(np.exp(hi))

    def linear_interval(self, j: int, thr: float) -> tuple[float, float]:
        """Profile interval of linear parameter ``j`` (0: baseline, 1, 2: gains)."""
        proj = self.proj
        cand = np.vstack([self.cells[self.cell_sse <= thr], self.tau_hat])
        q, c = proj.normal(cand)
        lo, hi = linear_profile_intervals(q, c, proj.yy, proj.low, proj.high, j, thr)
        ends = []
        low, high = np.log(proj.nl_low[self.free]), np.log(proj.nl_high[self.free])
        for side, vals in ((1.0, lo), (-1.0, hi)):
            best = int(np.argmin(side * vals))
            end = float(vals[best])
            at_bound = end == (proj.low[j] if side > 0 else proj.high[j])
            if self.q and np.isfinite(end) and not at_bound:
                def objective(z, side=side, end=end):
                    qq, cc = proj.normal(self._tau(z))
                    a, b = linear_profile_intervals(qq, cc, proj.yy, proj.low, proj.high,
                                                    j, thr)
                    v = side * (a if side > 0 else b)
                    return np.where(np.isfinite(v), v, side * end + abs(end) + 1.0)

                _, val = zoom_min(objective, np.log(cand[best, self.free]), self.step,
                                  low, high)
                end = side * min(side * end, val)
            ends.append(end)
        # the estimate is inside by definition (round-off of the quadratic form at an
        # exact fit, S_min ~ 0, can leave every face just above the threshold)
        est = float(self.beta_hat[j])
        return min(ends[0], est), max(ends[1], est)
