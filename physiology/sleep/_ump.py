r"""The Unified Model of Performance (UMP) of Rajdev et al. (2013) and Ramakrishnan et al.
(2016): PVT lapses under total sleep deprivation and chronic sleep restriction alike.

The two-process model's homeostat S rises in wake towards an upper asymptote U, as before,
but in sleep it falls towards a *lower asymptote* L that is itself slow and
history-dependent: L rises towards U during wake and falls towards -2U during sleep, with
a time constant of days. Sleep debt lives in L: after restricted nights S cannot recover
as far, and recovery takes several nights. Predicted performance (PVT lapses) adds the
circadian process C:

.. math::

    \text{wake: } \frac{dS}{dt} &= \frac{U - S}{\tau_w}, \qquad
        \frac{dL}{dt} = \frac{U - L}{\tau_{LA}} \\
    \text{sleep: } \frac{dS}{dt} &= \frac{L - S}{\tau_s}, \qquad
        \frac{dL}{dt} = \frac{-2U - L}{\tau_{LA}} \\
    C(t) &= \sum_{i=1}^{5} a_i \sin\!\big(2\pi i\,(t_b + \phi)/24\big), \qquad
    P = S + \kappa\, C

with the skewed harmonics :math:`a = (0.97, 0.22, 0.07, 0.03, 0.001)` of Daan et al.
(1984) (:data:`~physiology.sleep.C_HARMONICS`) and :math:`t_b` the body's circadian time
(h), so C follows the pacemaker after travel (the authors use the clock time of an
entrained person). P is the predicted number of PVT lapses: the model was developed on
lapse counts, and FIPS reports the sum itself as ``lapses``, with no further scale or
offset (the paper's text was not available here to confirm that). P is not clipped at 0.

Each grid step is integrated exactly (the state is constant over a step): in wake
:math:`S \to U + (S - U) e^{-\Delta/\tau_w}`, :math:`L \to U + (L - U) e^{-\Delta/\tau_{LA}}`;
in sleep :math:`L \to -2U + (L + 2U) e^{-\Delta/\tau_{LA}}` and

.. math::

    S \to -2U + (S + 2U)\,e^{-\Delta/\tau_s} + (L + 2U)\,
        \frac{\tau_{LA}}{\tau_{LA} - \tau_s}\big(e^{-\Delta/\tau_{LA}} - e^{-\Delta/\tau_s}\big)

(the linear ODE solved in closed form; :math:`\tau_{LA} > \tau_s` is required).

Properties worth knowing: the time average of L over a periodic schedule with W hours of
wake a day is exactly :math:`U (3W - 48)/24`, so 16 h awake / 8 h asleep is neutral and
every hour of extra daily wake adds :math:`U/8` to the long-run level; L forgets its past
with the single time constant :math:`\tau_{LA}` = 4.06 d whatever the schedule, so a debt
built over a week takes about 4 d (1/e) to 9 d (1/10) of normal sleep to fade. Under total
sleep deprivation L does not enter S (it only sets where sleep can take S), and the model
reduces to the two-process model, as the authors designed it.

Constants: the defaults of the FIPS implementation (``unified_make_pvec``), which gives
them as those of Ramakrishnan et al. (2016), developed on PVT lapses from 7 d of 3, 5, 7
and 9 h in bed (the design of Belenky et al. 2003): :math:`U = 24.12`,
:math:`\tau_w = 40` h, :math:`\tau_s = 1` h, :math:`\tau_{LA} = 4.06` d (97.44 h),
:math:`\kappa = 4.13`, :math:`\phi = 2.02` h, and the starting values S = L = 0. The
paper's own table was not available here, so these are documented as the FIPS defaults,
and the equations above are the ODEs whose closed-form solutions FIPS implements
(``unified_Sfun``, ``unified_Spfun``, ``unified_Lfun``, ``unified_Lpfun``), written out
and integrated here independently. FIPS writes the fifth harmonic as 0.0001; Daan et
al.'s 0.001 is used here (the difference is at most 0.004 lapses). With
:math:`\phi = 2.02` h, C (and so the circadian part of the lapses) peaks at 02:00 and is
lowest at 18:00 body time. Left out: the caffeine extension the same group later added
to the UMP (not needed here), and the sleep inertia term W that FIPS carries but does
not add to its lapses.

References:
    Rajdev P, Thorsley D, Rajaraman S, Rupp TL, Wesensten NJ, Balkin TJ, Reifman J
    (2013). A unified mathematical model to quantify performance impairment for both
    chronic sleep restriction and total sleep deprivation. J Theor Biol 331:66-77,
    doi:10.1016/j.jtbi.2013.04.013.
    Ramakrishnan S, Wesensten NJ, Balkin TJ, Reifman J (2016). A unified model of
    performance: validation of its predictions across different sleep/wake schedules.
    Sleep 39(1):249-262, doi:10.5665/sleep.5358.
    Wilson MK, Strickland L, Ballard T (2020). FIPS: an R package for biomathematical
    modelling of human fatigue related impairment. J Open Source Softw 5(51):2340.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from physiology import validate
from physiology.kernels import Kernel, ops, run
from physiology.params import ParamRecord, params_from
from physiology.sleep._two_process import process_c

_SRC = "Ramakrishnan et al. 2016, as the defaults of the FIPS implementation (unified_make_pvec)"

_p = params_from(_SRC)


@dataclass(frozen=True)
class UMPParams(ParamRecord):
    """Constants of the unified model of performance (module docstring)."""

    upper: float = _p(24.12, "1", (5.0, 60.0), "upper asymptote of S and L in wake U",
                      "(0, inf)")
    tau_w: float = _p(40.0, "h", (10.0, 80.0), "time constant of S in wake tau_w", "(0, inf)")
    tau_s: float = _p(1.0, "h", (0.25, 5.0), "time constant of S in sleep tau_s", "(0, inf)")
    tau_la: float = _p(97.44, "h", (24.0, 480.0),
                       "time constant of the lower asymptote L tau_LA (4.06 d)", "(0, inf)")
    kappa: float = _p(4.13, "1", (0.0, 10.0), "weight of the circadian process kappa",
                      "[0, inf)")
    phi: float = _p(2.02, "h", (-12.0, 12.0), "circadian phase phi (C = sum a_i sin(2 pi i "
                    "(t + phi)/24))")

    def _check(self) -> None:
        bad = ~(np.asarray(self.tau_s) < np.asarray(self.tau_la))
        if bad.any():
            raise ValueError(f"UMPParams: tau_s = {np.asarray(self.tau_s)[...]!s} h must be "
                             f"below tau_la = {np.asarray(self.tau_la)[...]!s} h (sleep "
                             "moves S faster than the lower asymptote)")


class UMPResult(NamedTuple):
    """Per grid step (end of step), each ``(*batch, T)``: the homeostat S, its lower
    asymptote L (carries the sleep debt), the circadian process C, and the predicted PVT
    lapses ``p = S + kappa C``."""

    s: np.ndarray
    l: np.ndarray
    c: np.ndarray
    p: np.ndarray


Params = UMPParams.kernel_params("dt", module=__name__)


class State(NamedTuple):
    """The homeostat S and its lower asymptote L (lapses)."""

    s: float
    l: float


class Consts(NamedTuple):
    r"""U, the per-step decay factors :math:`e^{-\Delta/\tau_w}`, :math:`e^{-\Delta/\tau_s}`,
    :math:`e^{-\Delta/\tau_{LA}}`, the sleep coupling
    :math:`\tau_{LA}/(\tau_{LA} - \tau_s)\,(e^{-\Delta/\tau_{LA}} - e^{-\Delta/\tau_s})`,
    and kappa (Process C comes in as an input)."""

    upper: float
    wake: float
    sleep: float
    lower: float
    coupling: float
    kappa: float


class Inputs(NamedTuple):
    process_c: float  # Process C at the step (1), :func:`physiology.sleep.process_c`
    asleep: float  # 0/1



def prepare(p, s0):
    wake = ops.exp(-p.dt / p.tau_w)
    sleep = ops.exp(-p.dt / p.tau_s)
    lower = ops.exp(-p.dt / p.tau_la)
    coupling = p.tau_la / (p.tau_la - p.tau_s) * (lower - sleep)
    consts = Consts(p.upper, wake, sleep, lower, coupling, p.kappa)
    return consts, State(s0.s, s0.l)


def step(s, u, c):
    asleep = u.asleep
    upper = c.upper
    floor = -2.0 * upper
    wake_s = upper + (s.s - upper) * c.wake
    wake_l = upper + (s.l - upper) * c.lower
    sleep_s = floor + (s.s - floor) * c.sleep + (s.l - floor) * c.coupling
    sleep_l = floor + (s.l - floor) * c.lower
    level = asleep * sleep_s + (1.0 - asleep) * wake_s
    lower = asleep * sleep_l + (1.0 - asleep) * wake_l
    proc_c = u.process_c
    return State(level, lower), UMPResult(level, lower, proc_c, level + c.kappa * proc_c)


KERNEL = Kernel(name="ump", prepare=prepare, step=step, Params=Params, State=State,
                Inputs=Inputs, Outputs=UMPResult)


def ump(body_hour, asleep, dt: float, *, params: UMPParams | None = None, s0=0.0, l0=0.0,
        backend: str = "numba") -> UMPResult:
    """Unified-model S, L, C and predicted PVT lapses along a sleep/wake series.

    Args:
        body_hour: the body's circadian time (h) at the end of each step, ``(*batch, T)``.
        asleep: 1 asleep, 0 awake during each step (for example from
            :func:`~physiology.sleep.two_process`), broadcastable.
        dt: grid step (h).
        params: a :class:`UMPParams`.
        s0, l0: S and L before the first step (FIPS starts both at 0, which is L's
            long-run level on 8 h of sleep a night); scalars or arrays over the batch, to
            continue from an earlier run's last step.
        backend: ``"numba"`` or ``"jax"``.
    """
    params = validate.record("params", params, UMPParams)
    hour = validate.clock_hours("body_hour", body_hour)
    sleep = validate.binary("asleep", asleep, hour.shape, "0 (awake) or 1 (asleep)")
    dt = float(validate.positive("dt", dt))
    s0 = validate.in_range("s0", s0, -np.inf, np.inf, "a finite level (lapses)")
    l0 = validate.in_range("l0", l0, -np.inf, np.inf, "a finite level (lapses)")
    # C(t) = sum a_i sin(2 pi i (t + phi) / 24): Daan et al.'s wave, the one
    # implementation of it, with its phase t0 = -phi.
    proc_c = process_c(hour, -float(params.phi))
    out, _ = run(KERNEL, (proc_c, sleep), (*params.values(), dt), (s0, l0), backend=backend)
    return UMPResult(*out)
