r"""Cumulative mechanical-fatigue damage of a tissue, with repair and adaptation.

Overuse injury framed as material fatigue (Edwards 2018): each loading cycle of peak
load F uses a fraction :math:`1/N(F)` of the tissue's life, with the S-N relation

.. math::

    N(F) = N_{ref} \left(\frac{F}{\kappa F_{ref}}\right)^{-b}

(:math:`N_{ref}` cycles to failure at the reference load :math:`F_{ref}` with no repair,
exponent b per tissue, :math:`\kappa` the tissue's current capacity relative to baseline),
summed by Miner's rule. Per day t, with the *unadapted dose*
:math:`u_t = \sum_j n_{t,j} (F_j/F_{ref})^b / N_{ref}` over loading bands j
(:func:`daily_dose`):

.. math::

    \Delta D_t &= \kappa_t^{-b} u_t \\
    D_t &= D_{t-1} e^{-1/\tau_r} + \Delta D_t \qquad \text{(first-order repair)} \\
    \bar u_t &= \bar u_{t-1} + (1 - e^{-1/\tau_a})(u_t - \bar u_{t-1}) \\
    \kappa_{t+1} &= \operatorname{clip}\big((\bar u_t / u_{ref})^{1/b},
                    \kappa_{min}, \kappa_{max}\big)

Adaptation follows the idea of a daily stimulus with an attractor (Carter et al. 1987):
capacity drifts, with time constant :math:`\tau_a`, to the value at which the habitual
(chronic) dose :math:`\bar u` would do the damage of the reference dose :math:`u_{ref}`
on the baseline tissue; so a sustained rise in load is tolerated after weeks, a sudden
one is not, and disuse lowers capacity. The athlete starts adapted to :math:`u_{ref}`
(:math:`\bar u_0 = u_{ref}`, :math:`\kappa_0 = 1`) with no damage.

Computed without a power per day: :math:`x \mapsto x^b` is increasing for :math:`b > 0`,
so :math:`\kappa_t^{-b} = 1 / \operatorname{clip}(\bar u_{t-1} / u_{ref},
\kappa_{min}^b, \kappa_{max}^b)`, with the two bounds raised to :math:`b` once per series
(:func:`prepare`); the same damage in exact arithmetic, within a few ulp in float64
(the power and its inverse no longer round twice). Only the reported capacity
:math:`\kappa_t` takes a power, and a caller that does not read it (the twin's day step)
compiles without it.

Without repair (:math:`\tau_r \to \infty`) and adaptation (:math:`\kappa_{min} =
\kappa_{max} = 1`), D is Miner's sum: it reaches 1 after :math:`N_{ref}` cycles at
:math:`F_{ref}`.

References:
    Edwards WB (2018). Modeling overuse injuries in sport as a mechanical fatigue
    phenomenon. Exerc Sport Sci Rev 46(4):224-231, doi:10.1249/JES.0000000000000163.
    Miner MA (1945). Cumulative damage in fatigue. J Appl Mech 12:A159-A164.
    Carter DR, Fyhrie DP, Whalen RT (1987). Trabecular bone density and loading
    history: regulation of connective tissue biology by mechanical energy. J Biomech
    20(8):785-794.
    Carter DR, Caler WE (1985). A cumulative damage model for bone fracture. J Orthop Res
    3:84-90, doi:10.1002/jor.1100030110.
    Schechtman H, Bader DL (1997). In vitro fatigue of human tendons. J Biomech
    30(8):829-835, doi:10.1016/s0021-9290(97)00033-x.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from physiology import validate
from physiology.kernels import Kernel, ops, run
from physiology.params import ParamRecord, param

_BONE_B = ("assumption: mid-range of the S-N exponents of cortical bone fatigue, about "
           "7-16 across studies (Carter & Caler 1985; Taylor & Kuiper 2001)")
_N_REF = ("assumption: 10 km/d of easy running (about 3 500 cycles per leg at F_ref) then "
          "holds damage near 0.1 with the default repair; calibrate to injury history")
_F_REF = "assumption: peak vertical force of easy running, 2.2-3 body weights"
_REPAIR = ("assumption: microdamage is resorbed within days (Burr 1985) and replaced over "
           "weeks; range 10-90 d")
_ADAPT = "assumption: a bone remodelling cycle, 3-6 months; range 30-365 d"
_CAP = "assumption: capacity stays within -30 %/+50 % of baseline"


@dataclass(frozen=True)
class TissueParams(ParamRecord):
    """Fatigue, repair and adaptation of one tissue (module docstring). Defaults: bone."""

    b: float = param(12.0, units="1", bounds=(2.0, 20.0), domain="(0, inf)", source=_BONE_B,
                     description="S-N exponent b")
    n_ref: float = param(1e6, units="cycles", bounds=(1e3, 1e9), domain="(0, inf)",
                         source=_N_REF, description="cycles to failure at F_ref, no repair")
    f_ref: float = param(2.5, units="BW", bounds=(1.5, 5.0), domain="(0, inf)",
                         source=_F_REF, description="reference peak load F_ref")
    tau_repair: float = param(30.0, units="d", bounds=(5.0, 365.0), domain="(0, inf)",
                              source=_REPAIR, description="repair time constant tau_r")
    tau_adapt: float = param(120.0, units="d", bounds=(10.0, 730.0), domain="(0, inf)",
                             source=_ADAPT, description="adaptation time constant tau_a")
    u_ref: float = param(3.5e-3, units="1/d", bounds=(1e-6, 1.0), domain="(0, inf)",
                         source="assumption: 3 500 cycles/d at F_ref with the default n_ref",
                         description="habitual daily dose the baseline tissue is adapted to")
    cap_min: float = param(0.7, units="1", bounds=(0.1, 1.0), domain="(0, inf)",
                           source=_CAP, description="lowest capacity kappa_min")
    cap_max: float = param(1.5, units="1", bounds=(1.0, 5.0), domain="(0, inf)",
                           source=_CAP, description="highest capacity kappa_max")

    def _check(self) -> None:
        if np.any(np.asarray(self.cap_min) > np.asarray(self.cap_max)):
            raise ValueError("TissueParams: cap_min must not exceed cap_max")


_TENDON_B = ("Schechtman & Bader 1997: local slope of S = 101.3 - 14.8 log10 N (S in % "
             "UTS), b = S ln10 / 14.8 = 6.2 at 40 % UTS (1.6 at 10 %, 7.8 at 50 %)")


@dataclass(frozen=True)
class TendonParams(TissueParams):
    """The same model with tendon defaults and their sources."""

    b: float = param(6.2, units="1", bounds=(1.5, 10.0), domain="(0, inf)", source=_TENDON_B,
                     description="S-N exponent b")
    n_ref: float = param(2.1e6, units="cycles", bounds=(1e3, 1e9), domain="(0, inf)",
                         source=_N_REF.replace("default repair", "60 d repair"),
                         description="cycles to failure at F_ref, no repair")
    tau_repair: float = param(60.0, units="d", bounds=(10.0, 365.0), domain="(0, inf)",
                              source="assumption: tendon matrix turns over more slowly than "
                                     "bone's; range 20-180 d",
                              description="repair time constant tau_r")
    tau_adapt: float = param(180.0, units="d", bounds=(30.0, 730.0), domain="(0, inf)",
                             source="assumption: tendon stiffness adapts over months; "
                                    "range 60-365 d",
                             description="adaptation time constant tau_a")
    u_ref: float = param(3500 / 2.1e6, units="1/d", bounds=(1e-6, 1.0), domain="(0, inf)",
                         source="assumption: 3 500 cycles/d at F_ref with the default n_ref",
                         description="habitual daily dose the baseline tissue is adapted to")


BONE = TissueParams()
TENDON = TendonParams()


class TissueDamage(NamedTuple):
    """Daily outputs, each ``(*batch, T)``: damage D (Miner units, 1 = failure of the
    baseline tissue without repair), capacity kappa (1), and the day's damage increment.
    Also the kernel's ``Outputs`` (one day's floats inside the kernel)."""

    damage: np.ndarray
    capacity: np.ndarray
    increment: np.ndarray


def daily_dose(cycles, peak_force, params: TissueParams) -> np.ndarray:
    """Unadapted daily dose u = sum_j n_j (F_j / F_ref)^b / N_ref (1/d).

    Args:
        cycles: loading cycles per day and band, shape ``(*batch, T, K)``.
        peak_force: peak load per band in the units of ``f_ref`` (BW), broadcastable to
            ``cycles`` (for example ``(K,)`` per band, or per athlete and band).
        params: the tissue; array fields broadcast against ``batch`` (one tissue per
            athlete), like every model's parameters.

    Returns:
        Daily dose, shape ``(*batch, T)``.
    """
    n = validate.in_range("cycles", cycles, 0.0, np.inf, "a cycle count >= 0")
    if n.ndim < 2:
        raise ValueError(f"cycles: expected shape (*batch, days, bands), got {n.shape}")
    f = validate.in_range("peak_force", peak_force, 0.0, np.inf, "a load >= 0")
    params = validate.record("params", params, TissueParams)
    b, f_ref, n_ref = (np.asarray(v, float)[..., None, None]
                       for v in (params.b, params.f_ref, params.n_ref))
    return np.sum(n * (f / f_ref) ** b / n_ref, axis=-1)


Params = TissueParams.kernel_params(module=__name__)


class State(NamedTuple):
    """Damage D (Miner units) and the chronic dose the tissue has adapted to (1/d)."""

    damage: float
    chronic_dose: float


class Consts(NamedTuple):
    """1/b (b the S-N exponent), daily repair factor e^{-1/tau_r}, adaptation weight
    1 - e^{-1/tau_a}, reference dose, capacity bounds, and those of the chronic dose
    ratio, kappa_min^b and kappa_max^b (module docstring)."""

    inv_b: float
    repair: float
    adapt: float
    u_ref: float
    cap_min: float
    cap_max: float
    ratio_min: float
    ratio_max: float


class Inputs(NamedTuple):
    dose: float  # unadapted daily dose u (1/d)


def prepare(p, s0):
    consts = Consts(1.0 / p.b, ops.exp(-1.0 / p.tau_repair), -ops.expm1(-1.0 / p.tau_adapt),
                    p.u_ref, p.cap_min, p.cap_max, p.cap_min ** p.b, p.cap_max ** p.b)
    return consts, State(s0.damage, s0.chronic_dose)


def step(s, u, c):
    x = s.chronic_dose / c.u_ref
    capacity = ops.minimum(ops.maximum(x ** c.inv_b, c.cap_min), c.cap_max)  # reported only
    # kappa^b, the ratio clipped to [kappa_min^b, kappa_max^b]: the damage takes no power
    increment = u.dose / ops.minimum(ops.maximum(x, c.ratio_min), c.ratio_max)
    damage = s.damage * c.repair + increment
    chronic = s.chronic_dose + c.adapt * (u.dose - s.chronic_dose)
    return State(damage, chronic), TissueDamage(damage, capacity, increment)


KERNEL = Kernel(name="tissue_damage", prepare=prepare, step=step, Params=Params, State=State,
                Inputs=Inputs, Outputs=TissueDamage)


def tissue_damage(dose, params: TissueParams | None = None, *, damage0=0.0,
                  backend: str = "numba") -> TissueDamage:
    """Daily damage, capacity and increment from the unadapted daily dose.

    Args:
        dose: unadapted daily dose u (1/d, :func:`daily_dose`), shape ``(*batch, T)``.
        params: a :class:`TissueParams` (default: :data:`BONE`), array fields over the batch.
        damage0: damage before day 0 (default 0).
        backend: ``"numba"`` or ``"jax"``.
    """
    params = validate.record("params", BONE if params is None else params, TissueParams)
    dose = validate.series("dose", dose, units="1/d")
    damage0 = validate.in_range("damage0", damage0, 0.0, np.inf, "a damage >= 0")
    out, _ = run(KERNEL, (dose,), params.values(), (damage0, params.u_ref), backend=backend)
    return TissueDamage(*out)
