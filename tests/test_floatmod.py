"""floor_mod is Python's ``%`` for a positive modulus, bit for bit (its fast paths skip
``fmod``; a wrong sign, a lost ``-0.0`` or a rounding difference would show here)."""

import math

import hypothesis as hyp
import hypothesis.strategies as st
import numpy as np
from numba import njit

from physiology.kernels.floatmod import floor_mod


@njit
def _both(a, b):
    return floor_mod(a, b), a % b


EDGES = [0.0, -0.0, 24.0, -24.0, 12.0, -12.0, 48.0, 1e-320, -1e-320, 5e-324, -5e-324,
         math.nextafter(24.0, 0.0), math.nextafter(-24.0, 0.0), -1e-17, 1e-17,
         2 * math.pi, -2 * math.pi, math.inf, -math.inf, math.nan, 1e300, -1e300]


def _same(a: float, b: float) -> None:
    fast, ref = _both(a, b)
    assert np.float64(fast).tobytes() == np.float64(ref).tobytes(), (a, b, fast, ref)
    if math.isfinite(a):  # and both are Python's own float %
        assert np.float64(ref).tobytes() == np.float64(a % b).tobytes(), (a, b)


def test_floor_mod_at_the_edges():
    for b in (24.0, 2 * math.pi, 1.0):
        for a in EDGES:
            _same(a, b)


@hyp.given(st.floats(allow_nan=True, allow_infinity=True),
           st.sampled_from([24.0, 2 * math.pi, 0.1, 7.0]))
def test_floor_mod_is_python_modulo(a, b):
    _same(a, b)


@hyp.given(st.lists(st.floats(-48.0, 48.0), min_size=1, max_size=4),
           st.lists(st.floats(-48.0, 48.0), min_size=1, max_size=4),
           st.sampled_from([0.0, -1e-15, 23.0]))
def test_the_habitual_window_is_numpys_mod_on_both_paths(beds, wakes, shift):
    """scenarios._compile._in_window (a vectorised select where |local - bed| < 24, else
    floor_mod) against NumPy's expression, on local hours as compile_clock makes them
    (np.mod of season hours, which can give 24.0 itself) and beds in or out of [0, 24)."""
    from scenarios._compile import _in_window

    n = min(len(beds), len(wakes))
    bed, wake = np.array(beds[:n]), np.array(wakes[:n])
    local = np.mod(np.r_[np.arange(0.0, 48.0, 0.1), -1e-15, 24.0 - 1e-15] + shift, 24.0)
    out = np.empty((n, local.size), bool)
    _in_window(local, bed, wake, out)
    expect = np.mod(local - bed[:, None], 24.0) < np.mod(wake - bed, 24.0)[:, None]
    np.testing.assert_array_equal(out, expect)
