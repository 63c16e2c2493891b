r"""Banister two-component impulse-response (fitness-fatigue) model.

.. math::

    p(t) = p_0 + k_1 \sum_{i \le t - \ell} w_i\, e^{-(t-i)/\tau_1}
               - k_2 \sum_{i \le t - \ell} w_i\, e^{-(t-i)/\tau_2}

with daily load :math:`w_i`, and :math:`\ell = 0` (same-day convention: day t's load
counts in day t's performance, fitness and fatigue are 0 before day 0; the default, as in
Clarke & Skiba 2013) or :math:`\ell = 1` (next-day convention, as in Busso 2003 and
GoldenCheetah's Banister chart). Evaluated exactly by the recursion
:math:`g_t = g_{t-1} e^{-1/\tau_1} + w_t`, :math:`h_t = h_{t-1} e^{-1/\tau_2} + w_t`,
fitness :math:`k_1 (g_t - \ell w_t)`, fatigue :math:`k_2 (h_t - \ell w_t)`.

The impulse response :math:`k_1 e^{-t/\tau_1} - k_2 e^{-t/\tau_2}` turns positive after
:math:`t_n = \frac{\tau_1\tau_2}{\tau_1-\tau_2}\ln\frac{k_2}{k_1}` and peaks at
:math:`t_g = \frac{\tau_1\tau_2}{\tau_1-\tau_2}\ln\frac{k_2\tau_1}{k_1\tau_2}`
(:func:`banister_response_times`).

References:
    Banister EW, Calvert TW, Savage MV, Bach T (1975). A systems model of training for
    athletic performance. Aust J Sports Med 7:57-61.
    Clarke DC, Skiba PF (2013). Rationale and resources for teaching the mathematical
    modeling of athletic training and performance. Adv Physiol Educ 37:134-152,
    doi:10.1152/advan.00078.2011.
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
)
from physiology.kernels import Kernel, ops
from physiology.params import ParamRecord


@dataclass(frozen=True)
class BanisterParams(ParamRecord):
    """Parameters of the Banister model (see the module docstring for the equation)."""

    p0: float = baseline()
    k1: float = gain(1.0, "fitness gain k1")
    k2: float = gain(2.0, "fatigue gain k2")
    tau1: float = fitness_decay()
    tau2: float = fatigue_decay()


Params = BanisterParams.kernel_params("lag", module=__name__)


class State(NamedTuple):
    """Impulse sums :math:`g_t`, :math:`h_t` (AU)."""

    g: float
    h: float


class Consts(NamedTuple):
    """What the step needs: gains, daily decay factors :math:`e^{-1/\\tau}`, the lag."""

    p0: float
    k1: float
    k2: float
    d1: float
    d2: float
    lag: float


def prepare(p, s0):
    return (Consts(p.p0, p.k1, p.k2, ops.exp(-1.0 / p.tau1), ops.exp(-1.0 / p.tau2), p.lag),
            State(s0.g, s0.h))


def step(s, u, c):
    w = u.load
    g = s.g * c.d1 + w
    h = s.h * c.d2 + w
    fitness = c.k1 * (g - c.lag * w)
    fatigue = c.k2 * (h - c.lag * w)
    return State(g, h), FitnessFatigue(c.p0 + fitness - fatigue, fitness, fatigue)


KERNEL = Kernel(name="banister", prepare=prepare, step=step, Params=Params, State=State,
                Inputs=LoadInput, Outputs=FitnessFatigue)


def banister(load, params: BanisterParams | None = None, *, convention: str = "same-day",
             backend: str = "numba") -> FitnessFatigue:
    """Banister model response to a daily load.

    Args:
        load: daily training load (AU), shape ``(*batch, T)``, finite and >= 0.
        params: a :class:`BanisterParams`; array-valued fields broadcast against the
            batch dimensions of ``load`` (many parameter sets in one call). Default: the
            record's defaults.
        convention: ``"same-day"`` (default) or ``"next-day"``.
        backend: ``"numba"`` or ``"jax"``.

    Returns:
        :class:`FitnessFatigue` with arrays of shape ``(*batch, T)``.

    Raises:
        ValueError: negative or non-finite load (naming the index), unknown convention.
    """
    out = simulate(KERNEL, BanisterParams, params, load, convention, backend)
    return FitnessFatigue(*out)


def banister_response_times(params: BanisterParams) -> tuple[np.ndarray, np.ndarray]:
    """Days after a single load at which its net effect turns positive and peaks.

    Returns ``(t_n, t_g)`` in days (continuous-time impulse response; see the module
    docstring). NaN where the event does not exist: ``t_n`` needs ``k2 > k1 > 0`` and
    ``tau1 > tau2`` (otherwise the response never starts negative); ``t_g`` needs
    ``k2 tau1 > k1 tau2 > 0`` and ``tau1 > tau2`` (the response rises at first, so it has
    an interior maximum).
    """
    k1, k2, tau1, tau2 = (np.asarray(v, float) for v in
                          (params.k1, params.k2, params.tau1, params.tau2))
    slower = (tau1 > tau2) & (k1 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = tau1 * tau2 / (tau1 - tau2)
        t_n = np.where(slower & (k2 > k1), scale * np.log(k2 / k1), np.nan)
        t_g = np.where(slower & (k2 * tau1 > k1 * tau2),
                       scale * np.log(k2 * tau1 / (k1 * tau2)), np.nan)
    return t_n, t_g
