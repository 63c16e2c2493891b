r"""Performance Management Chart: chronic and acute training load and training stress balance.

Two exponentially weighted moving averages of the daily load :math:`w_t`:

.. math::

    CTL_t = CTL_{t-1} + \lambda_c (w_t - CTL_{t-1}), \qquad
    ATL_t = ATL_{t-1} + \lambda_a (w_t - ATL_{t-1}), \qquad
    TSB_t = CTL_{t-1} - ATL_{t-1}

so :math:`TSB_t` is the form the athlete carries *into* day t, before that day's load
("Form = yesterday's fitness minus yesterday's fatigue", TrainingPeaks; GoldenCheetah's
default "SB tomorrow" puts the same number on the same day). Day 0 starts from
``ctl0``/``atl0`` (default 0).

The decay rate :math:`\lambda` for a time constant of N days, by name (:data:`DECAYS`):

- ``"exp"`` (default): :math:`1 - e^{-1/N}`, the exact daily decay of an exponential
  with time constant N, as GoldenCheetah (``PMCData.cpp``) and the Banister model;
- ``"1/N"``: :math:`1/N`, as TrainingPeaks (Coggan's original PMC);
- ``"2/(N+1)"``: the EWMA span convention (pandas ``span=N``; Williams et al. 2017).

References:
    Allen H, Coggan A (2010). Training and Racing with a Power Meter, 2nd ed. VeloPress.
    Williams S et al. (2017). Better way to determine the acute:chronic workload ratio?
    Br J Sports Med 51:209-210, doi:10.1136/bjsports-2016-096589.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from physiology import validate
from physiology.kernels import Kernel, run

DECAYS = {
    "exp": lambda n: -np.expm1(-1.0 / n),
    "1/N": lambda n: 1.0 / n,
    "2/(N+1)": lambda n: 2.0 / (n + 1.0),
}


def decay_rate(days, decay: str, name: str = "days") -> np.ndarray:
    """The EWMA weight of today's load for time constant ``days`` under a named convention.

    Raises ``ValueError`` naming ``name`` unless the weight lies in (0, 1]: ``"1/N"``
    needs N >= 1 d and ``"2/(N+1)"`` N >= 1 d, or the average would overshoot the load.
    """
    validate.choice("decay", decay, DECAYS)
    lam = DECAYS[decay](validate.positive(name, days))
    validate.in_range(f"{name} (as the weight {decay})", lam, 0.0, 1.0,
                       f"a weight in (0, 1]; for decay={decay!r} use {name} >= 1 d")
    return lam


class PMC(NamedTuple):
    """Daily CTL, ATL (load units, as the input) and TSB (into the day), each ``(*batch, T)``.
    Also the kernel's ``Outputs`` (one day's floats inside the kernel)."""

    ctl: np.ndarray
    atl: np.ndarray
    tsb: np.ndarray


class Params(NamedTuple):
    """Daily EWMA weights of the chronic and the acute average (1/d)."""

    lam_c: float
    lam_a: float


class State(NamedTuple):
    """Chronic and acute training load (load units)."""

    ctl: float
    atl: float


class Inputs(NamedTuple):
    load: float


def prepare(p, s0):
    return Params(p.lam_c, p.lam_a), State(s0.ctl, s0.atl)


def step(s, u, c):
    tsb = s.ctl - s.atl
    ctl = s.ctl + c.lam_c * (u.load - s.ctl)
    atl = s.atl + c.lam_a * (u.load - s.atl)
    return State(ctl, atl), PMC(ctl, atl, tsb)


KERNEL = Kernel(name="ewma_pair", prepare=prepare, step=step, Params=Params, State=State,
                Inputs=Inputs, Outputs=PMC)


def ewma_pair(load: np.ndarray, chronic_days, acute_days, decay: str, backend: str,
              ctl0=0.0, atl0=0.0, names=("ctl_days", "atl_days")) -> PMC:
    """The two EWMAs behind :func:`pmc` and EWMA :func:`~physiology.load.acwr` (validated load)."""
    lam = (decay_rate(chronic_days, decay, names[0]), decay_rate(acute_days, decay, names[1]))
    out, _ = run(KERNEL, (load,), lam, (ctl0, atl0), backend=backend)
    return PMC(*out)


def pmc(load, ctl_days: float = 42, atl_days: float = 7, *, decay: str = "exp",
        ctl0: float = 0.0, atl0: float = 0.0, backend: str = "numba") -> PMC:
    """Chronic (CTL) and acute (ATL) training load and training stress balance (TSB).

    Args:
        load: daily load (TSS, TRIMP, session-RPE AU, ...), shape ``(*batch, T)``.
        ctl_days, atl_days: time constants in days (> 0; may be arrays over the batch).
        decay: ``"exp"`` (default, GoldenCheetah), ``"1/N"`` (TrainingPeaks) or
            ``"2/(N+1)"`` (EWMA span).
        ctl0, atl0: CTL and ATL before day 0 (load units).
        backend: ``"numba"`` or ``"jax"``.

    Returns:
        :class:`PMC`; ``tsb[..., t] = ctl[..., t-1] - atl[..., t-1]`` (into day t).
    """
    load = validate.series("load", load)
    ctl0 = validate.in_range("ctl0", ctl0, 0.0, np.inf, "a finite load >= 0")
    atl0 = validate.in_range("atl0", atl0, 0.0, np.inf, "a finite load >= 0")
    return ewma_pair(load, ctl_days, atl_days, decay, backend, ctl0, atl0)
