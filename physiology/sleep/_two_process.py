r"""The two-process model of sleep regulation (Daan, Beersma & Borbely 1984).

Homeostatic Process S rises during wake and falls during sleep, exponentially:

.. math::

    \text{wake: } \frac{dS}{dt} = \frac{1 - S}{\tau_r}, \qquad
    \text{sleep: } \frac{dS}{dt} = -\frac{S}{\tau_d}

(integrated exactly over each grid step). Sleep starts when S reaches the upper threshold
:math:`H(t) = H_0 + a\,C(t)` and ends when it falls to the lower threshold
:math:`L(t) = L_0 + a\,C(t)`, where Process C is the skewed circadian wave

.. math::

    C = 0.97 \sin\omega t' + 0.22 \sin 2\omega t' + 0.07 \sin 3\omega t'
        + 0.03 \sin 4\omega t' + 0.001 \sin 5\omega t', \quad
    \omega = 2\pi / 24\ \text{h}, \quad t' = t_{body} - t_0

Here :math:`t_{body}` is the body's circadian time in hours (the home clock hour at which
the entrained body has its current phase, :meth:`~physiology.circadian.HomeClock.hour_of`),
so Process C follows the pacemaker across time zones instead of the wall clock.

Sleep is either spontaneous (at the thresholds, within the sleep opportunity) or forced
by the schedule (asleep exactly when the opportunity says so: bedtimes, flights).

Reference:
    Daan S, Beersma DG, Borbely AA (1984). Timing of human sleep: recovery process gated
    by a circadian pacemaker. Am J Physiol 246(2):R161-R183,
    doi:10.1152/ajpregu.1984.246.2.R161.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numba import njit

from physiology import validate
from physiology.kernels import Kernel, helper, ops, run
from physiology.params import ParamRecord, param

_DBB = "Daan, Beersma & Borbely 1984"
#: Harmonic amplitudes of Process C (Daan et al. 1984).
C_HARMONICS = (0.97, 0.22, 0.07, 0.03, 0.001)
_A1, _A2, _A3, _A4, _A5 = C_HARMONICS  # by name in kernel code


@dataclass(frozen=True)
class TwoProcessParams(ParamRecord):
    """Parameters of the two-process model (module docstring)."""

    tau_r: float = param(18.2, units="h", bounds=(10.0, 30.0), domain="(0, inf)",
                         source=_DBB, description="rise time constant of S in wake")
    tau_d: float = param(4.2, units="h", bounds=(2.0, 8.0), domain="(0, inf)", source=_DBB,
                         description="decay time constant of S in sleep")
    h0: float = param(0.67, units="1", bounds=(0.4, 0.9), domain="(-inf, inf)", source=_DBB,
                      description="mean upper threshold H0")
    l0: float = param(0.17, units="1", bounds=(0.0, 0.4), domain="(-inf, inf)", source=_DBB,
                      description="mean lower threshold L0")
    a: float = param(0.12, units="1", bounds=(0.0, 0.3), domain="[0, inf)", source=_DBB,
                     description="amplitude of the circadian modulation a")
    t0: float = param(8.6, units="h", bounds=(0.0, 24.0), domain="(-inf, inf)", source=_DBB,
                      description="phase of Process C t0 (body clock hours)")


@helper
def circadian_wave(body_hour, t0):
    r"""Process C at one body clock hour (the skewed sine of the module docstring), as
    kernel code: the one implementation, compiled into kernels and behind
    :func:`process_c`.

    The harmonics come from one sine and one cosine by the multiple-angle recurrence
    :math:`\sin (k+1)w = 2\cos w \sin kw - \sin (k-1)w` (exact up to rounding, about
    1e-15), not from five sines."""
    w = 2.0 * ops.pi / 24.0 * (body_hour - t0)
    two_cos = 2.0 * ops.cos(w)
    s1 = ops.sin(w)
    s2 = two_cos * s1
    s3 = two_cos * s2 - s1
    s4 = two_cos * s3 - s2
    s5 = two_cos * s4 - s3
    return _A1 * s1 + _A2 * s2 + _A3 * s3 + _A4 * s4 + _A5 * s5


@njit(cache=True, error_model="numpy")
def _waves(hour, t0, out):  # pragma: no cover - compiled
    for i in range(hour.size):
        out[i] = circadian_wave(hour[i], t0[i])


def process_c(body_hour, t0=8.6) -> np.ndarray:
    """Process C at body clock hours (:func:`circadian_wave` element-wise); ``t0``
    broadcast against ``body_hour``."""
    hour, phase0 = np.broadcast_arrays(np.asarray(body_hour, float), np.asarray(t0, float))
    out = np.empty(hour.size)
    _waves(np.ascontiguousarray(hour).ravel(), np.ascontiguousarray(phase0).ravel(), out)
    return out.reshape(hour.shape)


class SleepResult(NamedTuple):
    """At the end of each grid step, each ``(*batch, T)``: Process S, asleep (0/1), and
    the thresholds H and L in force."""

    s: np.ndarray
    asleep: np.ndarray
    upper: np.ndarray
    lower: np.ndarray


Params = TwoProcessParams.kernel_params("dt", "forced", module=__name__)


class State(NamedTuple):
    """Process S (1) and the sleep state (0 awake, 1 asleep)."""

    s: float
    asleep: float


class Consts(NamedTuple):
    r"""Per-step factors :math:`e^{-dt/\tau_r}` (wake) and :math:`e^{-dt/\tau_d}` (sleep),
    the thresholds' constants and the forced flag."""

    rise: float
    decay: float
    h0: float
    l0: float
    a: float
    forced: float


class Inputs(NamedTuple):
    process_c: float  # Process C at the step (1)
    opportunity: float  # 0/1



def prepare(p, s0):
    consts = Consts(ops.exp(-p.dt / p.tau_r), ops.exp(-p.dt / p.tau_d), p.h0, p.l0, p.a,
                    p.forced)
    return consts, State(s0.s, s0.asleep)


def step(s, u, c):
    level = s.s
    opportunity = u.opportunity
    upper = c.h0 + c.a * u.process_c
    lower = c.l0 + c.a * u.process_c
    # Spontaneous: fall asleep at H, wake at L; never outside the opportunity.
    wants = ops.where(s.asleep > 0.5, ops.where(level > lower, 1.0, 0.0),
                      ops.where(level >= upper, 1.0, 0.0))
    asleep = c.forced * opportunity + (1.0 - c.forced) * opportunity * wants
    level = asleep * level * c.decay + (1.0 - asleep) * (1.0 - (1.0 - level) * c.rise)
    return State(level, asleep), SleepResult(level, asleep, upper, lower)


KERNEL = Kernel(name="two_process", prepare=prepare, step=step, Params=Params, State=State,
                Inputs=Inputs, Outputs=SleepResult)


def two_process(body_hour, dt: float, opportunity=1.0, *, forced: bool = False,
                params: TwoProcessParams | None = None, s0=0.5, asleep0=False,
                backend: str = "numba") -> SleepResult:
    """Simulate Process S and sleep/wake on a grid of step ``dt`` (h).

    Args:
        body_hour: the body's circadian time (h) at each step, shape ``(*batch, T)``; at
            home and entrained it is the local clock hour.
        dt: grid step (h).
        opportunity: 1 where sleep is allowed (spontaneous) or imposed (forced), else 0;
            broadcastable to ``body_hour``. Default 1 (free-running sleep).
        forced: whether sleep follows ``opportunity`` exactly (a schedule) or the
            thresholds within it.
        params: a :class:`TwoProcessParams`.
        s0, asleep0: Process S and the sleep state (0/1) before the first step; scalars
            or arrays over the batch (to continue from an earlier run's last step).
        backend: ``"numba"`` or ``"jax"``.
    """
    params = validate.record("params", params, TwoProcessParams)
    hour = validate.clock_hours("body_hour", body_hour)
    opp = validate.binary("opportunity", opportunity, hour.shape,
                           "0 (no sleep) or 1 (sleep allowed)")
    dt = float(validate.positive("dt", dt))
    s0 = validate.in_range("s0", s0, 0.0, 1.0, "a level in [0, 1]")
    asleep0 = validate.in_range("asleep0", asleep0, 0.0, 1.0, "0 (awake) or 1 (asleep)")
    out, _ = run(KERNEL, (process_c(hour, params.t0), opp),
                 (*params.values(), dt, float(bool(forced))), (s0, asleep0), backend=backend)
    return SleepResult(*out)


def sleep_debt(asleep, dt: float, need_h: float = 8.0, *, debt0_h: float = 0.0,
               recovery_days: float | None = None) -> np.ndarray:
    r"""Sleep debt (h) at the end of each 24-h day of an ``asleep`` series.

    The hours slept in each whole 24-h block of the grid go through :func:`night_debt`.

    Args:
        asleep: 0/1 per grid step, ``(*batch, T)`` with T a whole number of days.
        dt: grid step (h).
        need_h, debt0_h, recovery_days: as :func:`night_debt`.
    """
    per_day = validate.steps_per_day(float(validate.positive("dt", dt)))
    a = np.asarray(asleep, dtype=float)
    if a.shape[-1] % per_day:
        raise ValueError(f"asleep: {a.shape[-1]} steps is not a whole number of "
                         f"{per_day}-step days")
    slept = a.reshape(*a.shape[:-1], -1, per_day).sum(axis=-1) * dt
    return night_debt(slept, need_h, debt0_h=debt0_h, recovery_days=recovery_days)


def night_debt(slept_h, need_h=8.0, *, debt0_h=0.0, recovery_days: float | None = None
               ) -> np.ndarray:
    r"""Sleep debt (h) after each night, from the hours slept per night.

    Each night adds the need minus the hours slept, and the debt never goes below 0
    (sleep beyond the need repays debt hour for hour; assumption: no banking of sleep):
    :math:`B_d = \max(B_{d-1} e^{-1/\tau} + n_d - s_d, 0)`. With ``recovery_days`` tau
    the debt also fades on nights of habitual sleep (deficits after restriction recover
    over several nights of normal sleep: Banks et al. 2010, Sleep 33:1013; Kitamura et
    al. 2016, Sci Rep 6:35812); without it (default) only extra sleep repays it, and a
    steady shortfall of x h a night grows without bound rather than to
    :math:`x / (1 - e^{-1/\tau})`.

    Args:
        slept_h: hours slept per night, ``(*batch, nights)``.
        need_h: the sleep need per night (h); scalar or broadcastable to ``slept_h`` (one
            per night, for example what the athlete sleeps at home on that date).
        debt0_h: debt before the first night (h), scalar or one per series.
        recovery_days: time constant tau of the fading (d, > 0), or None.
    """
    slept = validate.in_range("slept_h", slept_h, 0.0, 24.0, "hours in [0, 24]")
    need = np.broadcast_to(validate.in_range("need_h", need_h, 0.0, 24.0, "hours in [0, 24]"),
                           slept.shape)
    keep = 1.0 if recovery_days is None else float(
        np.exp(-1.0 / validate.positive("recovery_days", recovery_days)))
    debt = np.empty(slept.shape)
    level = np.broadcast_to(validate.in_range("debt0_h", debt0_h, 0.0, np.inf, "hours >= 0"),
                            slept.shape[:-1]).astype(float)
    for d in range(slept.shape[-1]):
        level = np.maximum(level * keep + need[..., d] - slept[..., d], 0.0)
        debt[..., d] = level
    return debt


def cumulative_debt(slept_h, need_h=8.0, *, window_nights: int = 14, habitual_h=None
                    ) -> np.ndarray:
    r"""Cumulative sleep debt (h) after each night: the hours owed against the need over
    the last ``window_nights`` nights, :math:`B_d = \max(\sum_{n=d-w+1}^{d} (N - s_n), 0)`.

    This is the cumulative sleep debt of Van Dongen et al. 2003 (Sleep 26:117), who
    counted the hours lost against the need over their 14-day restriction protocols (and
    found neurobehavioural deficits growing with it, not levelling off): a week of 6-h
    nights against an 8-h need owes 14 h, and 14 such nights 28 h. Sleep beyond the need
    repays hour for hour; the window (assumption: the protocol's 14 nights) is the
    memory of the ledger, which the performance effect does not use (the unified model
    of performance, :func:`physiology.sleep.ump`, carries its own dynamics).

    Args:
        slept_h: hours slept per night, ``(*batch, nights)``.
        need_h: the sleep need per night (h), broadcastable to ``slept_h``.
        window_nights: nights the ledger remembers (>= 1).
        habitual_h: hours slept on each of the nights before the first (default: the
            need, no debt brought in); broadcastable to ``slept_h.shape[:-1]``.
    """
    slept = validate.in_range("slept_h", slept_h, 0.0, 24.0, "hours in [0, 24]")
    need = np.broadcast_to(validate.in_range("need_h", need_h, 0.0, 24.0, "hours in [0, 24]"),
                           slept.shape)
    w = int(validate.in_range("window_nights", window_nights, 1, 10_000, "nights >= 1"))
    before = need[..., :1] if habitual_h is None else np.broadcast_to(
        validate.in_range("habitual_h", habitual_h, 0.0, 24.0, "hours in [0, 24]"),
        slept.shape[:-1])[..., None]
    short = need - slept
    prior = np.broadcast_to(need[..., :1] - before, (*slept.shape[:-1], w))
    total = np.cumsum(np.concatenate([prior, short], axis=-1), axis=-1)
    rolled = total[..., w:] - total[..., :-w]
    return np.maximum(rolled, 0.0)
