r"""Calvert et al. (1976) fitness-fatigue model with a delayed rise of fitness.

.. math::

    p(t) = p_0 + \sum_{i \le t-\ell} w_i \left[
        k_1 \left(e^{-(t-i)/\tau_1} - e^{-(t-i)/\tau_3}\right) - k_2 e^{-(t-i)/\tau_2}\right]

The fitness impulse response :math:`k_1(e^{-t/\tau_1} - e^{-t/\tau_3})` is zero at the
day of the load, rises with time constant :math:`\tau_3` and decays with
:math:`\tau_1 > \tau_3`; fitness peaks :math:`\frac{\tau_1\tau_3}{\tau_1-\tau_3}
\ln\frac{\tau_1}{\tau_3}` days after a load. Fatigue is Banister's. Three first-order
filters (:math:`g_1, g_3, h`), each :math:`x_t = x_{t-1} e^{-1/\tau} + w_t`;
fitness :math:`k_1 (g_{1,t} - g_{3,t})` (the day's own load cancels, so the day
convention changes fitness not at all), fatigue :math:`k_2 (h_t - \ell w_t)`.

Naming: this package keeps Banister's numbering (tau1 fitness decay, tau2 fatigue decay)
and calls the rise constant tau3; Calvert et al. number the rise tau2 and fatigue tau3.

Reference:
    Calvert TW, Banister EW, Savage MV, Bach T (1976). A systems model of the effects of
    training on physical performance. IEEE Trans Syst Man Cybern SMC-6(2):94-102,
    doi:10.1109/TSMC.1976.5409179.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from physiology.fitness_fatigue._common import (
    FitnessFatigue,
    LoadInput,
    baseline,
    fatigue_decay,
    fitness_decay,
    gain,
    simulate,
    time_constant,
)
from physiology.kernels import Kernel, ops
from physiology.params import ParamRecord

_RISE = "assumption: fitness rises over a few days after a load (Calvert et al. 1976)"


@dataclass(frozen=True)
class CalvertParams(ParamRecord):
    """Parameters of the Calvert fitness-delay model (module docstring)."""

    p0: float = baseline()
    k1: float = gain(1.0, "fitness gain k1")
    k2: float = gain(2.0, "fatigue gain k2")
    tau1: float = fitness_decay()
    tau2: float = fatigue_decay()
    tau3: float = time_constant(3.0, (0.1, 30.0), "fitness rise (delay) time constant",
                                source=_RISE)

    def _check(self) -> None:
        bad = ~(np.asarray(self.tau3) < np.asarray(self.tau1))
        if bad.any():
            raise ValueError(f"CalvertParams: tau3 = {np.asarray(self.tau3)[...]!s} d must be "
                             f"below tau1 = {np.asarray(self.tau1)[...]!s} d (fitness rises "
                             "faster than it decays; otherwise the fitness term is negative)")


Params = CalvertParams.kernel_params("lag", module=__name__)


class State(NamedTuple):
    """Impulse sums of the fitness decay (g1), fitness rise (g3) and fatigue (h), AU."""

    g1: float
    g3: float
    h: float


class Consts(NamedTuple):
    """Gains, daily decay factors :math:`e^{-1/\\tau_i}`, the lag."""

    p0: float
    k1: float
    k2: float
    d1: float
    d2: float
    d3: float
    lag: float


def prepare(p, s0):
    d1 = ops.exp(-1.0 / p.tau1)
    d2 = ops.exp(-1.0 / p.tau2)
    d3 = ops.exp(-1.0 / p.tau3)
    return Consts(p.p0, p.k1, p.k2, d1, d2, d3, p.lag), State(s0.g1, s0.g3, s0.h)


def step(s, u, c):
    w = u.load
    g1 = s.g1 * c.d1 + w
    g3 = s.g3 * c.d3 + w
    h = s.h * c.d2 + w
    fitness = c.k1 * (g1 - g3)
    fatigue = c.k2 * (h - c.lag * w)
    return State(g1, g3, h), FitnessFatigue(c.p0 + fitness - fatigue, fitness, fatigue)


KERNEL = Kernel(name="calvert", prepare=prepare, step=step, Params=Params, State=State,
                Inputs=LoadInput, Outputs=FitnessFatigue)


def calvert(load, params: CalvertParams | None = None, *, convention: str = "same-day",
            backend: str = "numba") -> FitnessFatigue:
    """Calvert et al. (1976) model; arguments and result as :func:`banister`."""
    out = simulate(KERNEL, CalvertParams, params, load, convention, backend)
    return FitnessFatigue(*out)
