r"""Sleep on the body clock: the two-process model and the unified model of performance
coupled into one compiled kernel.

The twin's sub-daily sleep part (:mod:`twin.model.clock`) runs, on the 0.1-h grid of
each (athlete, itinerary), Daan, Beersma & Borbely's two-process model with Process C on
the body clock inside the sleep opportunity (:func:`physiology.sleep.two_process`), then
the unified model of performance on that sleep (:func:`physiology.sleep.ump`), whose
homeostat S gives the day's sleep impairment. Both models read Process C at the body
clock hour :math:`b` (two-process with phase :math:`t_0`, the unified model with
:math:`-\phi`). Here one step does both, each model's own ``prepare`` and ``step``
declared as helpers, and Process C is evaluated inside the step
(:func:`physiology.sleep.circadian_wave`), so no Process C series is materialised and
the grid is walked once:

.. math::

    a_t = \mathrm{TP}(S_t, a_{t-1};\ C(b_t - t_0), o_t), \qquad
    (S^{U}_{t+1}, L_{t+1}) = \mathrm{UMP}(S^{U}_t, L_t;\ C(b_t + \phi), a_t)

with :math:`o_t` the sleep opportunity and :math:`a_t` asleep (0/1) during step
:math:`t`. The result is the same as running the two public functions one after the
other (tested to rounding).
"""

from __future__ import annotations

from typing import NamedTuple

from physiology.kernels import Kernel, helper
from physiology.sleep import TwoProcessParams, UMPParams, circadian_wave
from physiology.sleep._two_process import KERNEL as TWO
from physiology.sleep._ump import KERNEL as UMP

__all__ = ["SLEEP_KERNEL", "SleepInputs", "SleepOutputs", "SleepParams", "SleepState",
           "sleep_params", "sleep_state"]

_two_prepare = helper(TWO.prepare)
_two_step = helper(TWO.step)
_ump_prepare = helper(UMP.prepare)
_ump_step = helper(UMP.step)
TwoInputs = TWO.Inputs
UmpInputs = UMP.Inputs


class SleepParams(NamedTuple):
    """Each model's own kernel parameters (grid step ``dt`` in both)."""

    two: TWO.Params
    ump: UMP.Params


class SleepState(NamedTuple):
    """Process S and the sleep state; the unified model's S and L."""

    two: TWO.State
    ump: UMP.State


class SleepConsts(NamedTuple):
    """Each model's prepared constants and the two phases of Process C (h)."""

    two: tuple
    ump: tuple
    t0_two: float
    t0_ump: float


class SleepInputs(NamedTuple):
    body_hour: float  # h, the body clock at the step
    opportunity: float  # 0/1


class SleepOutputs(NamedTuple):
    asleep: float  # 0/1 during the step
    homeostat: float  # lapses, the unified model's S at the end of the step


def prepare(p, s0):
    c_two, s_two = _two_prepare(p.two, s0.two)
    c_ump, s_ump = _ump_prepare(p.ump, s0.ump)
    return (SleepConsts(c_two, c_ump, p.two.t0, -p.ump.phi), SleepState(s_two, s_ump))


def step(s, u, c):
    two, slept = _two_step(s.two, TwoInputs(circadian_wave(u.body_hour, c.t0_two),
                                            u.opportunity), c.two)
    ump, perf = _ump_step(s.ump, UmpInputs(circadian_wave(u.body_hour, c.t0_ump),
                                           slept.asleep), c.ump)
    return SleepState(two, ump), SleepOutputs(slept.asleep, perf.s)


SLEEP_KERNEL = Kernel(name="sleep_on_body_clock", prepare=prepare, step=step,
                      Params=SleepParams, State=SleepState, Inputs=SleepInputs,
                      Outputs=SleepOutputs)


def sleep_params(dt: float, two: TwoProcessParams | None = None,
                 ump: UMPParams | None = None) -> SleepParams:
    """The kernel's parameters from the two models' records (default their defaults);
    sleep spontaneous at the thresholds within the opportunity (not forced)."""
    two = TwoProcessParams() if two is None else two
    ump = UMPParams() if ump is None else ump
    return SleepParams(TWO.Params(*two.values(), dt, 0.0), UMP.Params(*ump.values(), dt))


def sleep_state(s0, asleep0, ump_s0, ump_l0) -> SleepState:
    """The kernel's state from Process S and the sleep state (0/1) and the unified
    model's S and L (scalars or arrays over the batch)."""
    return SleepState(TWO.State(s0, asleep0), UMP.State(ump_s0, ump_l0))
