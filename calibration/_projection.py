r"""Variable projection: the baseline and gains solved exactly for given time constants.

Both fitness-fatigue models are linear in :math:`\beta = (p_0, k_1, k_2)` (Busso:
:math:`k_3` for :math:`k_2`) once the time constants :math:`\tau` are fixed,
:math:`p_t = X_t(\tau)\beta` with :math:`X_t = (1, F_t(\tau), -G_t(\tau))` the basis
responses of the model's own kernel (:func:`calibration._models.basis`). The weighted SSE
is a convex quadratic in :math:`\beta`,

.. math::

    \mathrm{SSE}(\beta, \tau) = \beta^T Q \beta - 2 c^T \beta + y^T W y, \qquad
    Q = X^T W X, \quad c = X^T W y,

and the *projected* SSE :math:`S(\tau) = \min_{\beta \in B} \mathrm{SSE}(\beta, \tau)`
over the box B of the record's plausible bounds is found exactly, not iteratively, by
enumerating the faces of the box (each coordinate free, at its lower or at its upper bound:
:math:`3^3 = 27` faces). On each face the minimiser solves the reduced normal equations;
because the objective is convex, the best face whose solution lies in the box is the global
minimum (the active-set characterisation of bounded least squares, Lawson & Hanson 1974,
ch. 23). The faces are solved in a compiled loop, by Cramer's rule on Jacobi-scaled
3 x 3 systems (faces whose reduced system is singular to 1e-13 are dropped:
the same minimum is reached on a face with one more bound active).

The same faces give the profile of one linear parameter in closed form: with
:math:`\beta_j = v` fixed, each face's minimiser of the others is affine in v and its SSE a
convex quadratic in v (:func:`linear_profile_intervals`).

References:
    Golub GH, Pereyra V (1973). SIAM J Numer Anal 10(2):413-432.
    Lawson CL, Hanson RJ (1974). Solving Least Squares Problems. Prentice-Hall.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from calibration._models import ModelSpec, basis

#: A face is dropped when the determinant of its Jacobi-scaled system is below this.
SINGULAR = 1e-13
#: States of a coordinate on a face.
FREE, LOW, HIGH = 0, 1, 2


@njit(cache=True, error_model="numpy")
def _face_solution(q, c, low, high, states, x, m, rhs, d, inv):
    """Minimiser of the quadratic on one face, written into ``x``; False if singular.

    ``states[i]``: FREE, LOW or HIGH; ``m``, ``rhs``, ``d``, ``inv``: work arrays. The
    reduced normal equations of the free coordinates (the bound ones moved to the
    right-hand side) are Jacobi-scaled and solved by Cramer's rule; the face is singular
    when the scaled determinant is below :data:`SINGULAR`.
    """
    m[:, :] = 0.0
    for i in range(3):
        x[i] = low[i] if states[i] == LOW else (high[i] if states[i] == HIGH else 0.0)
    for i in range(3):
        if states[i] != FREE:
            m[i, i] = 1.0
            rhs[i] = x[i]
            continue
        rhs[i] = c[i]
        for k in range(3):
            if states[k] == FREE:
                m[i, k] = q[i, k]
            else:
                rhs[i] -= q[i, k] * x[k]
    for i in range(3):
        d[i] = np.sqrt(abs(m[i, i])) if m[i, i] != 0.0 else 1.0
    for i in range(3):
        rhs[i] /= d[i]
        for k in range(3):
            m[i, k] /= d[i] * d[k]
    c0 = m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]
    c1 = m[1, 2] * m[2, 0] - m[1, 0] * m[2, 2]
    c2 = m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]
    det = m[0, 0] * c0 + m[0, 1] * c1 + m[0, 2] * c2
    if abs(det) <= SINGULAR:
        return False
    # inverse = adjugate / det
    inv[0, 0], inv[1, 0], inv[2, 0] = c0, c1, c2
    inv[0, 1] = m[0, 2] * m[2, 1] - m[0, 1] * m[2, 2]
    inv[1, 1] = m[0, 0] * m[2, 2] - m[0, 2] * m[2, 0]
    inv[2, 1] = m[0, 1] * m[2, 0] - m[0, 0] * m[2, 1]
    inv[0, 2] = m[0, 1] * m[1, 2] - m[0, 2] * m[1, 1]
    inv[1, 2] = m[0, 2] * m[1, 0] - m[0, 0] * m[1, 2]
    inv[2, 2] = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]
    for i in range(3):
        x[i] = (inv[i, 0] * rhs[0] + inv[i, 1] * rhs[1] + inv[i, 2] * rhs[2]) / det / d[i]
    return True


@njit(cache=True, error_model="numpy")
def _sse(q, c, yy, x):
    val = yy
    for i in range(3):
        val -= 2.0 * c[i] * x[i]
        for k in range(3):
            val += x[i] * q[i, k] * x[k]
    return max(val, 0.0)


@njit(cache=True, error_model="numpy")
def _box_lstsq(q, c, yy, low, high, x_out, s_out):
    states = np.empty(3, dtype=np.int64)
    x = np.empty(3)
    m, rhs, d, inv = np.empty((3, 3)), np.empty(3), np.empty(3), np.empty((3, 3))
    for b in range(q.shape[0]):
        best = np.inf
        for f in range(27):
            states[0], states[1], states[2] = f % 3, (f // 3) % 3, f // 9
            if not _face_solution(q[b], c[b], low[b], high[b], states, x, m, rhs, d, inv):
                continue
            feasible = True
            for i in range(3):
                tol = 1e-9 * max(high[b, i] - low[b, i], 1e-300)
                if x[i] < low[b, i] - tol or x[i] > high[b, i] + tol:
                    feasible = False
                x[i] = min(max(x[i], low[b, i]), high[b, i])
            if not feasible:
                continue
            s = _sse(q[b], c[b], yy, x)
            if s < best:
                best = s
                x_out[b, :] = x
            if f == 0:  # the unconstrained minimiser is inside the box: the minimum
                break
        s_out[b] = best


@njit(cache=True, error_model="numpy")
def _linear_profile(q, c, yy, low, high, j, threshold, lo_out, hi_out):
    states = np.empty(3, dtype=np.int64)
    x0 = np.empty(3)
    x1 = np.empty(3)
    at = np.empty(3)
    m, rhs, d, inv = np.empty((3, 3)), np.empty(3), np.empty(3), np.empty((3, 3))
    for b in range(q.shape[0]):
        lo_b, hi_b = np.inf, -np.inf
        for f in range(9):
            k = f
            for i in range(3):
                if i == j:
                    states[i] = LOW
                else:
                    states[i] = k % 3
                    k //= 3
            at[:] = low[b, :]
            at[j] = 0.0
            if not _face_solution(q[b], c[b], at, high[b], states, x0, m, rhs, d, inv):
                continue
            at[j] = 1.0
            _face_solution(q[b], c[b], at, high[b], states, x1, m, rhs, d, inv)
            # x(v) = x0 + v g; SSE(x(v)) = h0 + bq v + cq v^2
            h0 = _sse(q[b], c[b], yy, x0) - threshold[b]
            bq, cq, scale = 0.0, 0.0, 0.0
            v_lo, v_hi = low[b, j], high[b, j]
            for i in range(3):
                g_i = x1[i] - x0[i]
                scale += g_i * g_i * q[b, i, i]
                bq -= 2.0 * c[b, i] * g_i
                for r in range(3):
                    bq += 2.0 * g_i * q[b, i, r] * x0[r]
                    cq += g_i * q[b, i, r] * (x1[r] - x0[r])
                if states[i] == FREE and i != j:
                    if g_i > 0:
                        v_lo = max(v_lo, (low[b, i] - x0[i]) / g_i)
                        v_hi = min(v_hi, (high[b, i] - x0[i]) / g_i)
                    elif g_i < 0:
                        v_lo = max(v_lo, (high[b, i] - x0[i]) / g_i)
                        v_hi = min(v_hi, (low[b, i] - x0[i]) / g_i)
                    elif x0[i] < low[b, i] or x0[i] > high[b, i]:
                        v_lo, v_hi = np.inf, -np.inf
            if cq > 1e-12 * scale:
                disc = bq * bq - 4.0 * cq * h0
                if disc < 0:
                    continue
                root = np.sqrt(disc)
                v_lo = max(v_lo, (-bq - root) / (2.0 * cq))
                v_hi = min(v_hi, (-bq + root) / (2.0 * cq))
            elif bq > 0:
                v_hi = min(v_hi, -h0 / bq)
            elif bq < 0:
                v_lo = max(v_lo, -h0 / bq)
            elif h0 > 0:
                continue
            if v_lo <= v_hi:
                lo_b = min(lo_b, v_lo)
                hi_b = max(hi_b, v_hi)
        lo_out[b], hi_out[b] = lo_b, hi_b


def _batch(q, c, low, high):
    # writable contiguous copies: one compiled signature for every caller
    q = np.array(q, dtype=float).reshape(-1, 3, 3)
    c = np.array(c, dtype=float).reshape(-1, 3)
    low = np.array(np.broadcast_to(low, c.shape), dtype=float)
    high = np.array(np.broadcast_to(high, c.shape), dtype=float)
    return q, c, low, high


def box_lstsq(q, c, yy: float, low, high):
    """Exact minimum of ``SSE(x) = x^T Q x - 2 c^T x + yy`` over ``low <= x <= high``.

    ``q`` ``(B, 3, 3)``, ``c`` ``(B, 3)``, bounds broadcastable to ``(B, 3)`` (a coordinate
    with ``low == high`` is held there). Returns ``(x (B, 3), sse (B,))``.
    """
    q, c, low, high = _batch(q, c, low, high)
    x = np.full(c.shape, np.nan)
    s = np.empty(len(c))
    _box_lstsq(q, c, float(yy), low, high, x, s)
    return x, s


def linear_profile_intervals(q, c, yy: float, low, high, j: int, threshold):
    r"""Where the profile SSE of linear parameter ``j`` is at most ``threshold``.

    For each batch element (one set of time constants) returns ``(lo, hi)``: the set
    :math:`\{v : \min_{\beta \in B, \beta_j = v} \mathrm{SSE} \le \text{threshold}\}`,
    an interval because the profile of a convex quadratic over a box is convex (empty:
    ``lo > hi``). On each face of the other coordinates their minimiser is affine in v and
    the SSE a convex quadratic in v: the set is the union over faces of the v where that
    face's minimiser is inside the box and its SSE below the threshold.
    """
    q, c, low, high = _batch(q, c, low, high)
    thr = np.array(np.broadcast_to(threshold, len(c)), dtype=float)
    lo, hi = np.empty(len(c)), np.empty(len(c))
    _linear_profile(q, c, float(yy), low, high, int(j), thr, lo, hi)
    return lo, hi


class Projection:
    """One athlete's projected least-squares problem.

    ``fixed``: field values held (linear ones through their bounds, time constants as
    given). :meth:`normal` builds the normal equations for a batch of time constants;
    :meth:`solve` the exact projected SSE and linear parameters.
    """

    def __init__(self, spec: ModelSpec, load: np.ndarray, perf: np.ndarray,
                 weights: np.ndarray, lag: float, fixed: dict[str, float]):
        self.spec, self.lag = spec, float(lag)
        self.load = np.asarray(load, dtype=float)
        self.tests = np.flatnonzero(np.isfinite(perf) & (weights > 0))
        self.y = perf[self.tests]
        self.w = weights[self.tests]
        self.yy = float(np.sum(self.w * self.y**2))
        low, high = spec.bounds()
        self.lin = [spec.names.index(n) for n in spec.linear]
        self.nl = [spec.names.index(n) for n in spec.nonlinear]
        self.low, self.high = low[self.lin].copy(), high[self.lin].copy()
        for i, n in enumerate(spec.linear):
            if n in fixed:
                self.low[i] = self.high[i] = fixed[n]
        self.lin_free = np.array([n not in fixed for n in spec.linear])
        self.nl_free = np.array([n not in fixed for n in spec.nonlinear])
        self.nl_low, self.nl_high = low[self.nl], high[self.nl]
        self.nl_fixed = np.array([fixed.get(n, np.nan) for n in spec.nonlinear])

    @property
    def n(self) -> int:
        return len(self.tests)

    def normal(self, tau: np.ndarray):
        """``(Q (B, 3, 3), c (B, 3))`` for time constants ``tau`` ``(B, n_nonlinear)``."""
        f, g = basis(self.spec, self.load, tau, self.lag)
        x = np.stack([np.ones_like(f[:, self.tests]), f[:, self.tests], -g[:, self.tests]],
                     axis=-1)
        xw = x * self.w[:, None]
        return np.einsum("bni,bnj->bij", xw, x), np.einsum("bni,n->bi", xw, self.y)

    def solve(self, tau: np.ndarray):
        """Exact projected fit: ``(beta (B, 3), S (B,))`` for ``tau`` ``(B, n_nonlinear)``."""
        q, c = self.normal(tau)
        return box_lstsq(q, c, self.yy, self.low, self.high)

    def theta(self, tau: np.ndarray, beta: np.ndarray) -> np.ndarray:
        """Full parameter vectors in the record's field order, ``(B, n_params)``."""
        out = np.empty((len(tau), len(self.spec.names)))
        out[:, self.nl] = tau
        out[:, self.lin] = beta
        return out
