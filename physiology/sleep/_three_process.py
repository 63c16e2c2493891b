r"""The three-process model of alertness (Akerstedt & Folkard), with sleep inertia.

Alertness is the sum of a homeostatic process S, a circadian process C, a 12-h component
U and sleep inertia W (arbitrary alertness units, higher = more alert); sleepiness on the
Karolinska Sleepiness Scale is a linear map of it:

.. math::

    \text{wake: } S(t + \Delta) &= l_a + (S(t) - l_a)\,e^{-d \Delta} \\
    \text{sleep: } \frac{dS}{dt} &= g\,(b_l - h_a) \ (S < b_l), \qquad
        \frac{dS}{dt} = -g\,(h_a - S) \ (S \ge b_l) \\
    C &= a_C \cos\!\big(2\pi (t_b - p)/24\big), \qquad
    U = U_m + U_a \cos\!\big(2\pi (t_b - p - 3)/12\big) \\
    W &= W_c\, e^{W_d\, t_{awake}} \ \text{(awake; 0 asleep)}, \qquad
    \text{KSS} = 10.6 - 0.6\,(S + C + U + W)

with :math:`g = \ln\big((h_a - 14)/(h_a - 7.96)\big)/8` (negative): recovery sleep rises
linearly until the "break" level :math:`b_l`, then approaches :math:`h_a` exponentially.
Each step is integrated exactly, including a crossing of :math:`b_l` inside a step; a
sleep that starts above :math:`b_l` continues exponentially from where it is. Time
:math:`t_b` is the body's circadian time (h), so C and U follow the pacemaker after travel
(the authors use the clock time of an entrained person).

Constants: the defaults of the FIPS implementation, which takes them from Ingre et al.
(2014): :math:`l_a = 2.4`, :math:`d = 0.0353` /h, :math:`h_a = 14.3`, :math:`b_l = 12.2`,
:math:`a_C = 2.5`, :math:`p = 16.8` h, :math:`U_m = -0.5`, :math:`U_a = 0.5`,
:math:`W_c = -5.72`, :math:`W_d = -1.51` /h, the KSS map 10.6 - 0.6 x. The 12-h component
postdates the 1997 model; the papers' own tables were not available here, so these are
documented as the FIPS defaults.

References:
    Akerstedt T, Folkard S (1997). The three-process model of alertness and its
    extension to performance, sleep latency, and sleep length. Chronobiol Int
    14(2):115-123.
    Akerstedt T, Folkard S, Portin C (2004). Predictions from the three-process model of
    alertness. Aviat Space Environ Med 75(3 Suppl):A75-A83.
    Ingre M, Van Leeuwen W, Klemets T et al. (2014). Validating and extending the
    three process model of alertness in airline operations. PLoS ONE 9(10):e108679.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from physiology import validate
from physiology.kernels import Kernel, ops, run
from physiology.params import ParamRecord, params_from

_SRC = "Ingre et al. 2014, as the defaults of the FIPS implementation"


_p = params_from(_SRC)


@dataclass(frozen=True)
class ThreeProcessParams(ParamRecord):
    """Constants of the three-process model (module docstring)."""

    la: float = _p(2.4, "1", (0.0, 6.0), "lower asymptote of S in wake l_a")
    d: float = _p(0.0353, "1/h", (0.005, 0.2), "decay rate of S in wake d", "(0, inf)")
    ha: float = _p(14.3, "1", (12.0, 18.0), "upper asymptote of S in sleep h_a")
    bl: float = _p(12.2, "1", (8.0, 14.0), "break level of recovery sleep b_l")
    c_amp: float = _p(2.5, "1", (0.0, 5.0), "amplitude of C a_C", "[0, inf)")
    peak_h: float = _p(16.8, "h", (12.0, 20.0), "body clock hour of the C peak p")
    u_mean: float = _p(-0.5, "1", (-2.0, 2.0), "mean of U U_m")
    u_amp: float = _p(0.5, "1", (0.0, 2.0), "amplitude of U U_a", "[0, inf)")
    w_c: float = _p(-5.72, "1", (-10.0, 0.0), "sleep inertia at waking W_c", "(-inf, 0]")
    w_d: float = _p(-1.51, "1/h", (-5.0, -0.1), "sleep inertia decay W_d", "(-inf, 0)")


class Alertness(NamedTuple):
    """Per grid step (end of step), each ``(*batch, T)``: the processes, their sum
    ``alertness = S + C + U + W`` and KSS sleepiness (1 extremely alert - 9 very sleepy)."""

    s: np.ndarray
    c: np.ndarray
    u: np.ndarray
    w: np.ndarray
    alertness: np.ndarray
    kss: np.ndarray


Params = ThreeProcessParams.kernel_params("dt", module=__name__)


class State(NamedTuple):
    """Process S (alertness units) and the hours awake since waking (h)."""

    s: float
    awake_h: float


class Consts(NamedTuple):
    r"""The record's constants, dt (h), and the sleep rate
    :math:`g = \ln((h_a - 14)/(h_a - 7.96))/8` (1/h, negative)."""

    la: float
    d: float  # 1/h
    ha: float
    bl: float
    c_amp: float
    peak_h: float  # h
    u_mean: float
    u_amp: float
    w_c: float
    w_d: float  # 1/h
    dt: float  # h
    g: float  # 1/h


class Inputs(NamedTuple):
    body_hour: float  # h
    asleep: float  # 0/1



def prepare(p, s0):
    g = ops.log((p.ha - 14.0) / (p.ha - 7.96)) / 8.0
    consts = Consts(p.la, p.d, p.ha, p.bl, p.c_amp, p.peak_h, p.u_mean, p.u_amp, p.w_c,
                    p.w_d, p.dt, g)
    return consts, State(s0.s, s0.awake_h)


def step(s, u, c):
    level = s.s
    asleep = u.asleep
    la, ha, bl, dt, g = c.la, c.ha, c.bl, c.dt, c.g
    wake = la + (level - la) * ops.exp(-c.d * dt)
    # Sleep: linear at slope g (bl - ha) > 0 below bl, exponential to ha above it; the
    # time spent reaching bl inside the step (0 if already above) is taken exactly.
    slope = g * (bl - ha)
    to_break = ops.minimum(ops.maximum((bl - level) / slope, 0.0), dt)
    start = ops.where(level < bl, ops.minimum(level + slope * dt, bl), level)
    sleep = ops.where(to_break < dt, ha - (ha - start) * ops.exp(g * (dt - to_break)), start)
    level = asleep * sleep + (1.0 - asleep) * wake
    awake_h = (1.0 - asleep) * (s.awake_h + dt)
    phase = 2.0 * ops.pi * (u.body_hour - c.peak_h)
    proc_c = c.c_amp * ops.cos(phase / 24.0)
    proc_u = c.u_mean + c.u_amp * ops.cos((phase - 6.0 * ops.pi) / 12.0)
    inertia = (1.0 - asleep) * c.w_c * ops.exp(c.w_d * awake_h)
    total = level + proc_c + proc_u + inertia
    return (State(level, awake_h),
            Alertness(level, proc_c, proc_u, inertia, total, 10.6 - 0.6 * total))


KERNEL = Kernel(name="three_process", prepare=prepare, step=step, Params=Params, State=State,
                Inputs=Inputs, Outputs=Alertness)


def alertness(body_hour, asleep, dt: float, *, params: ThreeProcessParams | None = None,
              s0: float = 7.96, awake0_h: float = 0.0, backend: str = "numba") -> Alertness:
    """Three-process alertness and KSS along a sleep/wake series.

    Args:
        body_hour: the body's circadian time (h) at each step, ``(*batch, T)``.
        asleep: 1 asleep, 0 awake during each step (for example from
            :func:`~physiology.sleep.two_process`), broadcastable.
        dt: grid step (h).
        params: a :class:`ThreeProcessParams`.
        s0: Process S before the first step (FIPS starts at 7.96).
        awake0_h: hours awake before the first step (for the inertia).
        backend: ``"numba"`` or ``"jax"``.
    """
    params = validate.record("params", params, ThreeProcessParams)
    hour = validate.clock_hours("body_hour", body_hour)
    sleep = validate.binary("asleep", asleep, hour.shape)
    dt = float(validate.positive("dt", dt))
    out, _ = run(KERNEL, (hour, sleep), (*params.values(), dt), (float(s0), float(awake0_h)),
                 backend=backend)
    return Alertness(*out)
