"""The lane layout of the Numba loop (physiology/kernels/lanes.py) and its arithmetic sine.

The lane layout (ODE kernels) runs each trajectory's scalar step with the same float
operations in the same order as the per-trajectory layout, so the two must agree bit for
bit, at batch
sizes that fill no block, part of one, and several with a padded tail. ``sincos`` is
compared with the C library's ``math.sin`` and ``math.cos``; the Hannay 2019 right-hand
side, rewritten by angle addition, with its equations written out directly.
"""

import math

import numpy as np
import pytest

from physiology.circadian import MODELS
from physiology.fitness_fatigue._banister import KERNEL as BANISTER
from physiology.kernels import numba_backend
from physiology.kernels.lanes import LANES
from physiology.kernels.numba_backend import run_numba

SIZES = (1, 5, LANES + 3, 2 * LANES + 1)


def _both(kernel, u, p, s0):
    return (run_numba(kernel, u, p, s0, layout="trajectory"),
            run_numba(kernel, u, p, s0, layout="lanes"))


@pytest.mark.parametrize("model", ["forger99", "hannay19"])
@pytest.mark.parametrize("n_b", SIZES)
def test_lanes_equal_the_per_trajectory_loop_for_an_ode_kernel(model, n_b):
    """Light that changes every few steps and repeats (the drive is reused between
    changes), each trajectory with its own period and phase."""
    spec = MODELS[model]
    rng = np.random.default_rng(n_b)
    light = np.repeat(rng.choice([0.0, 50.0, 300.0, 1e4], (n_b, 30)), 4, axis=1)[None]
    values = np.array([*spec.params().values(), 0.1])
    p = np.repeat(values[:, None], n_b, axis=1)
    p[0] += np.linspace(-0.3, 0.3, n_b)
    s0 = np.array(spec.start)[:, None] + rng.uniform(-0.05, 0.05, (3, n_b))
    (out, end), (lane_out, lane_end) = _both(spec.kernel, light, p, s0)
    np.testing.assert_array_equal(lane_out, out)
    np.testing.assert_array_equal(lane_end, end)


def test_the_layout_chosen_by_batch_size_and_kind():
    """ODE kernels take the lanes from half a block of trajectories; step kernels keep
    the per-trajectory loop (numba_backend's docstring)."""
    forger = MODELS["forger99"].kernel
    assert numba_backend.layout_for(forger, LANES // 2 - 1) == "trajectory"
    assert numba_backend.layout_for(forger, LANES // 2) == "lanes"
    assert numba_backend.layout_for(BANISTER, 10 * LANES) == "trajectory"
    assert numba_backend._driver(BANISTER, "lanes") is None


def test_sincos_is_within_two_ulp_of_the_c_library():
    """Observed on 2e5 angles up to 4 000 rad (a decade of unwrapped phase) and the
    multiples of pi/4: at most 2 ulp for the sine, 1 for the cosine."""
    from numba import njit

    from physiology.kernels.sincos import sincos

    @njit
    def both(xs):
        s, c = np.empty_like(xs), np.empty_like(xs)
        for i in range(xs.size):
            s[i], c[i] = sincos(xs[i])
        return s, c

    rng = np.random.default_rng(0)
    xs = np.r_[rng.uniform(-4000, 4000, 100_000), rng.uniform(-7, 7, 100_000),
               np.arange(-40, 41) * math.pi / 4]
    s, c = both(xs)
    for got, want in ((s, np.sin(xs)), (c, np.cos(xs))):
        ulp = np.spacing(np.abs(want))
        assert np.max(np.abs(got - want) / np.maximum(ulp, 2.0**-1074)) <= 2.0


def test_hannay_rhs_equals_its_direct_form():
    """The angle-addition form against the four harmonics called directly (the module
    docstring's equations), to 1e-14 relative: rounding only."""
    from physiology.circadian import _hannay19 as h
    from physiology.circadian._process_l import dn_dt
    from physiology.kernels import python_version

    p = h.Hannay19Params()
    c, _ = h.prepare(h.Params(*p.values(), 0.1), h.State(0.8, 0.0, 0.5))
    rhs = python_version(h.rhs)
    for r, psi, n, alpha in [(0.82, 1.79, 0.52, 0.0), (0.6, -2.5, 0.1, 0.03),
                             (0.95, 1234.5, 0.8, 0.001)]:
        b = p.g * alpha * (1 - n)
        a1, a2 = p.a1 / 2, p.a2 / 2
        dr = (-p.gamma * r + c.kcos * r * (1 - r**4)
              + a1 * b * (1 - r**4) * math.cos(psi + p.beta_l1)
              + a2 * b * r * (1 - r**8) * math.cos(2 * psi + p.beta_l2))
        dpsi = (c.omega + c.ksin * (1 + r**4) + p.sigma * b
                - a1 * b * (1 / r + r**3) * math.sin(psi + p.beta_l1)
                - a2 * b * (1 + r**8) * math.sin(2 * psi + p.beta_l2))
        got = rhs(h.State(r, psi, n), alpha, c)
        np.testing.assert_allclose(got, (dr, dpsi, dn_dt.py_func(alpha, n, p.delta)),
                                   rtol=1e-14, atol=1e-16)
