r"""Busso (2003) variable dose-response model: fatigue gain driven by recent load.

.. math::

    p(t) = p_0 + k_1 \sum_{i \le t-\ell} w_i e^{-(t-i)/\tau_1}
               - \sum_{i \le t-\ell} k_2(i)\, w_i\, e^{-(t-i)/\tau_2},
    \qquad k_2(i) = k_3 \sum_{j \le i} w_j e^{-(i-j)/\tau_3}

The fatigue gain :math:`k_2(i)` is the output of a third first-order filter of the load
(gain :math:`k_3`, time constant :math:`\tau_3`), fixed when session i happens and
including that day's load. With :math:`\ell = 1` (``convention="next-day"``) this is
Busso's published form (performance on day n sees loads up to n-1); the default
``"same-day"`` (:math:`\ell = 0`) matches this package's Banister default. Recursion:
:math:`f_t = f_{t-1} e^{-1/\tau_3} + w_t`, :math:`k_2(t) = k_3 f_t`,
:math:`g_t = g_{t-1} e^{-1/\tau_1} + w_t`, :math:`h_t = h_{t-1} e^{-1/\tau_2} + k_2(t) w_t`;
fitness :math:`k_1 (g_t - \ell w_t)`, fatigue :math:`h_t - \ell k_2(t) w_t`.

Reference:
    Busso T (2003). Variable dose-response relationship between exercise training and
    performance. Med Sci Sports Exerc 35(7):1188-1195,
    doi:10.1249/01.MSS.0000074465.13621.37.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from physiology.fitness_fatigue._common import (
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

_K3 = ("assumption: k2(t) reaches the Banister k2 = 2 under a steady 100 AU/d load "
       "with tau3 = 4 d (k3 * 100 / (1 - exp(-1/4)) = 2.000); calibrate per athlete")
_TAU3 = "assumption: a few days (illustrative); calibrate per athlete"


@dataclass(frozen=True)
class BussoParams(ParamRecord):
    """Parameters of the Busso variable dose-response model (module docstring)."""

    p0: float = baseline()
    k1: float = gain(1.0, "fitness gain k1")
    k3: float = gain(0.004424, "gain of the load filter that sets the fatigue gain k2",
                     units="performance units/AU^2", bounds=(1e-8, 1.0), source=_K3)
    tau1: float = fitness_decay()
    tau2: float = fatigue_decay()
    tau3: float = time_constant(4.0, (0.2, 30.0), "time constant of the k2 filter",
                                source=_TAU3)


class BussoResult(NamedTuple):
    """Daily response (``(*batch, T)`` each); ``k2`` is the day's fatigue gain.
    Also the kernel's ``Outputs`` (one day's floats inside the kernel)."""

    performance: np.ndarray
    fitness: np.ndarray
    fatigue: np.ndarray
    k2: np.ndarray


Params = BussoParams.kernel_params("lag", module=__name__)


class State(NamedTuple):
    """Impulse sums: fitness :math:`g_t`, fatigue :math:`h_t` (with the variable gain),
    and the load filter :math:`f_t` that sets :math:`k_2(t) = k_3 f_t`."""

    g: float
    h: float
    f: float


class Consts(NamedTuple):
    """Gains, daily decay factors :math:`e^{-1/\\tau_i}`, the lag."""

    p0: float
    k1: float
    k3: float
    d1: float
    d2: float
    d3: float
    lag: float


def prepare(p, s0):
    d1 = ops.exp(-1.0 / p.tau1)
    d2 = ops.exp(-1.0 / p.tau2)
    d3 = ops.exp(-1.0 / p.tau3)
    return Consts(p.p0, p.k1, p.k3, d1, d2, d3, p.lag), State(s0.g, s0.h, s0.f)


def step(s, u, c):
    w = u.load
    f = s.f * c.d3 + w
    k2 = c.k3 * f
    g = s.g * c.d1 + w
    h = s.h * c.d2 + k2 * w
    fitness = c.k1 * (g - c.lag * w)
    fatigue = h - c.lag * k2 * w
    return State(g, h, f), BussoResult(c.p0 + fitness - fatigue, fitness, fatigue, k2)


KERNEL = Kernel(name="busso", prepare=prepare, step=step, Params=Params, State=State,
                Inputs=LoadInput, Outputs=BussoResult)


def busso(load, params: BussoParams | None = None, *, convention: str = "same-day",
          backend: str = "numba") -> BussoResult:
    """Busso (2003) variable dose-response model.

    Args:
        load: daily training load (AU), shape ``(*batch, T)``, finite and >= 0.
        params: a :class:`BussoParams` (array fields broadcast over the batch).
        convention: ``"same-day"`` (default) or ``"next-day"`` (Busso's published form).
        backend: ``"numba"`` or ``"jax"``.

    Returns:
        :class:`BussoResult`.
    """
    return BussoResult(*simulate(KERNEL, BussoParams, params, load, convention, backend))
