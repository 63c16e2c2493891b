r"""PerPot: Perl's performance-potential metamodel, with strain overflow.

Load feeds two buffers, the strain potential SP and the response potential RP; they
drain into the performance potential PP, strain lowering it and response raising it,
each with its own delay. All potentials are dimensionless, with 1 the capacity. Day i,
with load rate :math:`LR_i = s_L w_i` (load normalised by ``load_scale``):

.. math::

    SR_i &= \min(\min(1, SP^*_i), \max(0, PP_i)) / D_S \\
    RR_i &= \min(\min(1, RP^*_i), \min(1, 1 - PP_i)) / D_R \\
    OR_i &= \max(0, SP^*_i - 1) / D_{SO} \\
    SP_{i+1} &= SP_i + LR_i - SR_i - OR_i \\
    RP_{i+1} &= RP_i + LR_i - RR_i \\
    PP_{i+1} &= PP_i + RR_i - SR_i - OR_i

Strain cannot drain more than the current PP, response cannot fill more than the
headroom 1 - PP, and strain above capacity overflows at rate :math:`1/D_{SO}`, taken off
PP as well: the collapse of performance after overload.

Day convention: the flows of day i see the potentials :math:`SP^*_i = SP_i + (1-\ell)
LR_i` (likewise RP*). With :math:`\ell = 0` (``"same-day"``, default) the day's load is
in the buffers before they drain, so it acts on that day's PP; :math:`\ell = 1`
(``"next-day"``) is the explicit update as usually printed, where the flows use the
potentials before the load. The reported performance on day i is
``p_max * PP_{i+1}``, the potential after day i's flows.

Invariant (by summing the updates): ``PP - SP + RP`` is constant in time. With delays of
at least 1 d, SP and RP stay >= 0 and PP stays <= 1 (if it starts there).

References:
    Perl J (2001). PerPot: a metamodel for simulation of load performance interaction.
    Eur J Sport Sci 1(2):1-13.
    Perl J (2004). PerPot - a meta-model and software tool for analysis and
    optimisation of load-performance-interaction. Int J Perform Anal Sport 4(2):61-73.
    Pfeiffer M (2008). Modeling the relationship between training and performance - a
    comparison of two antagonistic concepts. Int J Comput Sci Sport 7(2):13-32.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from physiology.fitness_fatigue._common import LoadInput, simulate
from physiology.kernels import Kernel, ops
from physiology.params import ParamRecord, param

_DELAY = ("assumption: illustrative delay of a few days; fitted values vary widely "
          "between athletes (Pfeiffer 2008), calibrate per athlete")
_STABLE = "[1, inf)"  # the explicit daily update keeps SP, RP >= 0 only for delays >= 1 d


@dataclass(frozen=True)
class PerPotParams(ParamRecord):
    """Parameters of PerPot (module docstring)."""

    ds: float = param(3.0, units="d", bounds=(1.0, 30.0), source=_DELAY, domain=_STABLE,
                      description="delay of strain D_S")
    dr: float = param(6.0, units="d", bounds=(1.0, 30.0), source=_DELAY, domain=_STABLE,
                      description="delay of response D_R")
    dso: float = param(1.5, units="d", bounds=(1.0, 30.0), source=_DELAY, domain=_STABLE,
                       description="delay of strain overflow D_SO")
    pp0: float = param(0.2, units="1", bounds=(0.0, 1.0), domain="[0, 1]",
                       source="assumption: starting performance potential, fit per athlete",
                       description="initial performance potential PP(0)")
    load_scale: float = param(1e-3, units="1/AU", bounds=(1e-6, 1.0), domain="[0, inf)",
                              source="assumption: 1000 AU of daily load fills the capacity",
                              description="load normalisation s_L (load rate per AU)")
    p_max: float = param(1.0, units="performance units", bounds=(0.0, 1e4), domain="[0, inf)",
                         source="assumption: report the potential itself",
                         description="performance at PP = 1")


class PerPotResult(NamedTuple):
    """Daily response, each ``(*batch, T)``, after the day's flows.

    ``performance = p_max * performance_potential``; potentials are dimensionless.

    Also the kernel's ``Outputs`` (one day's floats inside the kernel).
    """

    performance: np.ndarray
    performance_potential: np.ndarray
    strain_potential: np.ndarray
    response_potential: np.ndarray


Params = PerPotParams.kernel_params("lag", module=__name__)


class State(NamedTuple):
    """Strain (sp), response (rp) and performance (pp) potentials."""

    sp: float
    rp: float
    pp: float


class Consts(NamedTuple):
    """Flow rates 1/delay (1/d), load scale, p_max, and 1 - lag (today's load seen)."""

    inv_ds: float
    inv_dr: float
    inv_dso: float
    load_scale: float
    p_max: float
    now: float


def prepare(p, s0):
    c = Consts(1.0 / p.ds, 1.0 / p.dr, 1.0 / p.dso, p.load_scale, p.p_max, 1.0 - p.lag)
    return c, State(s0.sp, s0.rp, s0.pp)


def step(s, u, c):
    lr = c.load_scale * u.load
    sp_seen = s.sp + c.now * lr
    rp_seen = s.rp + c.now * lr
    pp = s.pp
    sr = ops.minimum(ops.minimum(1.0, sp_seen), ops.maximum(0.0, pp)) * c.inv_ds
    rr = ops.minimum(ops.minimum(1.0, rp_seen), ops.minimum(1.0, 1.0 - pp)) * c.inv_dr
    over = ops.maximum(0.0, sp_seen - 1.0) * c.inv_dso
    sp = s.sp + lr - sr - over
    rp = s.rp + lr - rr
    pp = pp + rr - sr - over
    return State(sp, rp, pp), PerPotResult(c.p_max * pp, pp, sp, rp)


KERNEL = Kernel(name="perpot", prepare=prepare, step=step, Params=Params, State=State,
                Inputs=LoadInput, Outputs=PerPotResult)


def perpot(load, params: PerPotParams | None = None, *, convention: str = "same-day",
           backend: str = "numba") -> PerPotResult:
    """PerPot response to a daily load.

    Args:
        load: daily training load (AU), shape ``(*batch, T)``, finite and >= 0.
        params: a :class:`PerPotParams` (array fields broadcast over the batch).
        convention: ``"same-day"`` (default) or ``"next-day"`` (module docstring).
        backend: ``"numba"`` or ``"jax"``.

    Returns:
        :class:`PerPotResult`; SP and RP start at 0, PP at ``params.pp0``.
    """
    params = PerPotParams() if params is None else params
    state0 = (0.0, 0.0, getattr(params, "pp0", 0.0))
    return PerPotResult(*simulate(KERNEL, PerPotParams, params, load, convention, backend,
                                  state0))
