r"""Hannay, Booth & Forger (2019) single-population macroscopic circadian model.

A mean-field (Kuramoto-type) reduction of a population of coupled clock cells: state
:math:`(R, \Psi, n)`, the collective amplitude, the collective phase (rad) and Process L
photoreceptor activation; time in hours, light L in lux.

.. math::

    \alpha(L) &= \alpha_0 \frac{L^p}{L^p + I_0}, \qquad
    \hat B = G (1 - n)\, \alpha(L), \qquad
    \frac{dn}{dt} = 60\,[\alpha(L)(1 - n) - \delta n] \\
    \frac{dR}{dt} &= -\gamma R + \frac{K}{2}\cos\beta_1\, R (1 - R^4)
        + \frac{A_1}{2}\hat B (1 - R^4)\cos(\Psi + \beta_{L1})
        + \frac{A_2}{2}\hat B R (1 - R^8)\cos(2\Psi + \beta_{L2}) \\
    \frac{d\Psi}{dt} &= \frac{2\pi}{\tau} + \frac{K}{2}\sin\beta_1 (1 + R^4) + \sigma \hat B
        - \frac{A_1}{2}\hat B\left(\frac{1}{R} + R^3\right)\sin(\Psi + \beta_{L1})
        - \frac{A_2}{2}\hat B (1 + R^8)\sin(2\Psi + \beta_{L2})

(:math:`I_0` is compared with :math:`L^p`.) The right-hand side evaluates one sine and one
cosine of :math:`\Psi` per call (:func:`physiology.kernels.sincos.sincos`, arithmetic
only, so a loop over trajectories vectorises; within a few ulp of the C library's): the
four harmonics follow by angle addition,
:math:`\cos(\Psi + \beta) = \cos\Psi\cos\beta - \sin\Psi\sin\beta` and
:math:`\sin(\Psi + \beta) = \sin\Psi\cos\beta + \cos\Psi\sin\beta`, with
:math:`\cos 2\Psi = (\cos\Psi - \sin\Psi)(\cos\Psi + \sin\Psi)`,
:math:`\sin 2\Psi = 2\sin\Psi\cos\Psi` and the constant phases' sines and cosines
prepared once (the same model; the rounding differs from four direct calls of the C
library by a few 1e-16 per evaluation, and a season's trajectory by about 1e-13).
Phase :math:`\Psi` wrapped to :math:`(-\pi, \pi]`, amplitude R; CBTmin where
:math:`\Psi \equiv \pi`, DLMO 7 h before it (:math:`\Psi \equiv 5\pi/12`), the conventions
of the model's authors' code.

Reference:
    Hannay KM, Booth V, Forger DB (2019). Macroscopic models for human circadian rhythms.
    J Biol Rhythms 34(6):658-671, doi:10.1177/0748730419878298.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from physiology.circadian._process_l import LightInput, dn_dt, photic_drive
from physiology.kernels import ode_kernel, ops
from physiology.kernels.sincos import sincos
from physiology.params import ParamRecord, params_from

_H19 = "Hannay et al. 2019 (single-population fit)"


_p = params_from(_H19)


@dataclass(frozen=True)
class Hannay19Params(ParamRecord):
    """Parameters of the Hannay 2019 single-population model (module docstring)."""

    tau: float = _p(23.84, "h", (23.0, 25.0), "intrinsic period tau", "(0, inf)")
    k_coupling: float = _p(0.06358, "1/h", (0.0, 0.5), "coupling strength K", "[0, inf)")
    gamma: float = _p(0.024, "1/h", (0.0, 0.2), "spread of cell frequencies gamma", "[0, inf)")
    beta1: float = _p(-0.09318, "rad", (-3.15, 3.15), "coupling phase offset beta_1")
    a1: float = _p(0.3855, "1/h", (0.0, 2.0), "first-harmonic light response A_1", "[0, inf)")
    beta_l1: float = _p(-0.0026, "rad", (-3.15, 3.15), "first-harmonic phase beta_L1")
    a2: float = _p(0.1977, "1/h", (0.0, 2.0), "second-harmonic light response A_2", "[0, inf)")
    beta_l2: float = _p(-0.957756, "rad", (-3.15, 3.15), "second-harmonic phase beta_L2")
    sigma: float = _p(0.0400692, "rad/h", (0.0, 0.5), "light effect on frequency sigma")
    g: float = _p(33.75, "1", (5.0, 60.0), "light drive gain G", "[0, inf)")
    alpha0: float = _p(0.05, "1/min", (0.01, 0.5), "photoreceptor activation rate alpha0",
                       "(0, inf)")
    delta: float = _p(0.0075, "1/min", (0.001, 0.05), "photoreceptor recovery rate delta",
                      "(0, inf)")
    p: float = _p(1.5, "1", (0.5, 3.0), "light sensitivity exponent p", "(0, inf)")
    i0: float = _p(9325.0, "lux^p", (100.0, 1e5), "half-saturation constant I0", "(0, inf)")


Params = Hannay19Params.kernel_params("dt", module=__name__)


class State(NamedTuple):
    r"""Collective amplitude R (1), collective phase :math:`\Psi` (rad, unwrapped) and
    activated photoreceptor fraction n (1)."""

    r: float
    psi: float
    n: float


Inputs = LightInput  # as the Kronauer models'


class Consts(NamedTuple):
    r"""What drive and rhs need: :math:`\omega = 2\pi/\tau` (rad/h), the coupling
    terms :math:`\tfrac{K}{2}\cos\beta_1` and :math:`\tfrac{K}{2}\sin\beta_1` (1/h),
    the halved light responses :math:`A_1/2`, :math:`A_2/2` (1/h) with the cosines and
    sines of their phases, Process L's constants and the step dt (h)."""

    omega: float  # rad/h
    kcos: float  # 1/h
    ksin: float  # 1/h
    gamma: float  # 1/h
    a1: float  # 1/h, A_1 / 2
    cos_bl1: float
    sin_bl1: float
    a2: float  # 1/h, A_2 / 2
    cos_bl2: float
    sin_bl2: float
    sigma: float  # rad/h
    g: float
    delta: float  # 1/min
    alpha0: float  # 1/min
    p_exp: float
    i0: float  # lux^p
    dt: float  # h


def prepare(p, s0):
    omega = 2.0 * ops.pi / p.tau
    consts = Consts(omega, 0.5 * p.k_coupling * ops.cos(p.beta1),
                    0.5 * p.k_coupling * ops.sin(p.beta1), p.gamma,
                    0.5 * p.a1, ops.cos(p.beta_l1), ops.sin(p.beta_l1),
                    0.5 * p.a2, ops.cos(p.beta_l2), ops.sin(p.beta_l2),
                    p.sigma, p.g, p.delta, p.alpha0, p.p, p.i0, p.dt)
    return consts, State(s0.r, s0.psi, s0.n)


def drive(u, c):
    lp = u.light**c.p_exp
    return c.alpha0 * lp / (lp + c.i0), c, c.dt


def rhs(s, alpha, c):
    r, psi, n = s.r, s.psi, s.n
    sin1, cos1 = sincos(psi)  # arithmetic only: vectorises across trajectories
    sin2, cos2 = 2.0 * sin1 * cos1, (cos1 - sin1) * (cos1 + sin1)  # of 2 psi
    cos_l1 = cos1 * c.cos_bl1 - sin1 * c.sin_bl1  # cos(psi + beta_L1)
    sin_l1 = sin1 * c.cos_bl1 + cos1 * c.sin_bl1
    cos_l2 = cos2 * c.cos_bl2 - sin2 * c.sin_bl2  # cos(2 psi + beta_L2)
    sin_l2 = sin2 * c.cos_bl2 + cos2 * c.sin_bl2
    bhat = photic_drive(alpha, n, c.g)
    r4 = r**4
    r8 = r4 * r4
    dr = (-c.gamma * r + c.kcos * r * (1.0 - r4) + c.a1 * bhat * (1.0 - r4) * cos_l1
          + c.a2 * bhat * r * (1.0 - r8) * cos_l2)
    dpsi = (c.omega + c.ksin * (1.0 + r4) + c.sigma * bhat
            - c.a1 * bhat * (1.0 / r + r**3) * sin_l1
            - c.a2 * bhat * (1.0 + r8) * sin_l2)
    return State(dr, dpsi, dn_dt(alpha, n, c.delta))


KERNEL = ode_kernel("hannay19", prepare, drive, rhs, Params=Params, State=State,
                    Inputs=Inputs)
