r"""Sine and cosine of one angle from arithmetic alone, so that a lane loop vectorises.

Without a vector math library (SVML is not available with this Numba build), LLVM calls
the C library's ``sin`` and ``cos`` once per lane, and a loop over trajectories whose
right-hand side needs them (Hannay 2019, every RK4 stage) stays scalar. :func:`sincos`
is a kernel helper (compiled by Numba, rebound by JAX like any kernel code) made of
multiplications, additions, a floor and selects only:

1. Reduction to :math:`r = x - k\pi/2`, :math:`k = \lfloor 2x/\pi + 1/2 \rfloor`, so
   :math:`|r| \le \pi/4`, by Cody and Waite's method: :math:`\pi/2 = P_1 + P_2 + P_3`
   with :math:`P_1, P_2` of 32 significant bits each, so :math:`kP_1` and :math:`kP_2` are
   exact for :math:`|k| < 2^{21}` (:math:`|x|` up to about 3e6 rad, eight centuries of an
   unwrapped circadian phase) and :math:`r = ((x - kP_1) - kP_2) - kP_3`.
2. The Taylor series of :math:`\sin r` to :math:`r^{19}` and of :math:`\cos r` to
   :math:`r^{20}` (Horner in :math:`r^2`): the first term left out is below
   :math:`(\pi/4)^{21}/21! < 10^{-21}`, far under the rounding of float64.
3. The quadrant :math:`k \bmod 4` picks :math:`(\pm\sin r, \pm\cos r)` by selects.

The result is within a few units in the last place of the correctly rounded values
(tests/test_lanes.py compares it with ``math.sin`` and ``math.cos``), not bit for bit the
C library's. The constants come from :math:`\pi` to 40 digits (:data:`_PI_DIGITS`).

Reference:
    Cody WJ, Waite W (1980). Software Manual for the Elementary Functions. Prentice-Hall,
    chapter 8 (additive range reduction in extra precision).
"""

from __future__ import annotations

import math
from fractions import Fraction

from physiology.kernels import ops
from physiology.kernels.helpers import helper

_PI_DIGITS = "3.141592653589793238462643383279502884197"


def _split(value: Fraction, bits: int) -> tuple[float, Fraction]:
    """``value`` truncated to ``bits`` significant bits (as a float), and the rest."""
    exponent = math.floor(math.log2(value)) - bits + 1
    head = Fraction(math.floor(value / Fraction(2) ** exponent)) * Fraction(2) ** exponent
    return float(head), value - head


_HALF_PI = Fraction(_PI_DIGITS) / 2
P1, _rest = _split(_HALF_PI, 32)
P2, _rest = _split(_rest, 32)
P3 = float(_rest)
TWO_OVER_PI = float(1 / _HALF_PI)
# 1/n! for the series, as float64 (rounded once from the exact rational)
S3, S5, S7, S9, S11, S13, S15, S17, S19 = (
    float(Fraction((-1) ** (n // 2), math.factorial(n))) for n in range(3, 20, 2))
C2, C4, C6, C8, C10, C12, C14, C16, C18, C20 = (
    float(Fraction((-1) ** (n // 2), math.factorial(n))) for n in range(2, 21, 2))


@helper
def sincos(x):
    """``(sin x, cos x)`` to a few ulp, from arithmetic only (module docstring)."""
    k = ops.floor(x * TWO_OVER_PI + 0.5)
    r = ((x - k * P1) - k * P2) - k * P3
    z = r * r
    s = S17 + z * S19  # Horner in z = r^2, innermost first
    for coef in (S15, S13, S11, S9, S7, S5, S3):
        s = coef + z * s
    s = r + r * z * s
    c = C18 + z * C20
    for coef in (C16, C14, C12, C10, C8, C6, C4, C2):
        c = coef + z * c
    c = 1.0 + z * c
    q = k - 4.0 * ops.floor(0.25 * k)  # the quadrant, 0 to 3
    sin = ops.where(q < 0.5, s, ops.where(q < 1.5, c, ops.where(q < 2.5, -s, -c)))
    cos = ops.where(q < 0.5, c, ops.where(q < 1.5, -s, ops.where(q < 2.5, -c, s)))
    return sin, cos
