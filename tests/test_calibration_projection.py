"""The exact bounded linear solves of variable projection, against SciPy and dense scans."""

import numpy as np
import pytest
from scipy.optimize import lsq_linear

from calibration._projection import box_lstsq, linear_profile_intervals

LOW = np.array([-0.5, 0.0, -2.0])
HIGH = np.array([3.0, 1.5, 0.5])


@pytest.fixture(scope="module")
def problems():
    """200 random 20 x 3 problems whose bounds bind; the first 40 nearly collinear (the
    fitness and fatigue responses of tau1 ~ tau2)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((200, 20, 3)) * [1.0, 3.0, 0.5]
    a[:40, :, 2] = -a[:40, :, 1] + 1e-3 * rng.standard_normal((40, 20))
    y = 2.0 * rng.standard_normal((200, 20)) + a @ [1.0, 2.0, -1.0]
    return a, y


def _normal(a, y):
    return a.T @ a, a.T @ y, float(y @ y)


def test_face_enumeration_is_the_bounded_least_squares_minimum(problems):
    worst = 0.0
    for a, y in zip(*problems, strict=True):
        q, c, yy = _normal(a, y)
        x, s = box_lstsq(q[None], c[None], yy, LOW, HIGH)
        ref = lsq_linear(a, y, bounds=(LOW, HIGH), method="bvls", tol=1e-13)
        s_ref = float(np.sum((a @ ref.x - y) ** 2))
        assert np.all((x[0] >= LOW) & (x[0] <= HIGH))
        worst = max(worst, (s[0] - s_ref) / s_ref)
    # Never worse than BVLS beyond round-off (both reach the exact minimum; 1e-10
    # relative allows the normal equations' cancellation on the collinear problems).
    assert worst < 1e-10


@pytest.mark.parametrize("j", [0, 1, 2])
def test_profile_interval_matches_a_dense_scan(problems, j):
    a_all, y_all = problems
    for b in range(0, 200, 20):
        q, c, yy = _normal(a_all[b], y_all[b])
        _, s = box_lstsq(q[None], c[None], yy, LOW, HIGH)
        thr = 1.3 * s[0]
        lo, hi = linear_profile_intervals(q[None], c[None], yy, LOW, HIGH, j, thr)
        # dense scan: the bounded minimum with coordinate j held at each of 4001 values
        v = np.linspace(LOW[j], HIGH[j], 4001)
        low, high = np.tile(LOW, (len(v), 1)), np.tile(HIGH, (len(v), 1))
        low[:, j] = high[:, j] = v
        prof = box_lstsq(np.repeat(q[None], len(v), 0), np.repeat(c[None], len(v), 0), yy,
                         low, high)[1]
        inside = v[prof <= thr]
        step = v[1] - v[0]
        assert lo[0] == pytest.approx(inside.min(), abs=step)
        assert hi[0] == pytest.approx(inside.max(), abs=step)


def test_a_held_coordinate_stays_held():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((15, 3))
    y = rng.standard_normal(15)
    q, c, yy = _normal(a, y)
    low, high = LOW.copy(), HIGH.copy()
    low[1] = high[1] = 0.7
    x, s = box_lstsq(q[None], c[None], yy, low, high)
    assert x[0, 1] == 0.7
    ref = lsq_linear(a[:, [0, 2]], y - 0.7 * a[:, 1], bounds=(LOW[[0, 2]], HIGH[[0, 2]]),
                     method="bvls", tol=1e-13)
    assert s[0] == pytest.approx(np.sum((a[:, [0, 2]] @ ref.x + 0.7 * a[:, 1] - y) ** 2),
                                 rel=1e-10)
