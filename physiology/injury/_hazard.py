r"""Daily injury probability from tissue damage and workload features.

A proportional-hazards form: a baseline daily hazard :math:`h_0` multiplied by a relative
risk for each feature, and the day's probability of a new injury

.. math::

    h_t = h_0 \exp\big(\beta_D D_t + \beta_A \max(A_t - A_0, 0) + \beta_F F_t
          + \beta_S S_t + \beta_W W_t\big), \qquad p_t = 1 - e^{-h_t}

with tissue damage :math:`D` (Miner units, :mod:`physiology.tissue`), ACWR :math:`A`
(an undefined ratio, NaN, adds nothing), fatigue :math:`F` (fatigue above the athlete's
habitual level as a fraction of it, from the fitness-fatigue model), sleep debt
:math:`S` (h) and match W' depletion :math:`W` (fraction, :mod:`physiology.energetics`).
Every coefficient is >= 0, so :math:`p_t` rises monotonically with each feature, and
lies in [0, 1) for any input. Each coefficient is the log relative risk per unit of its
feature; where a study gives a relative risk it is converted as documented on the field.

References:
    Ekstrand J, Hagglund M, Walden M (2011). Injury incidence and injury patterns in
    professional football: the UEFA injury study. Br J Sports Med 45:553-558,
    doi:10.1136/bjsm.2009.060582.
    Carey DL et al. (2017). Training loads and injury risk in Australian football -
    differing acute:chronic workload ratios influence match injury risk. Br J Sports Med
    51(16):1215-1220.
    Milewski MD et al. (2014). Chronic lack of sleep is associated with increased sports
    injuries in adolescent athletes. J Pediatr Orthop 34(2):129-133,
    doi:10.1097/BPO.0000000000000151.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from physiology import validate
from physiology.kernels import Kernel, helper, ops, run
from physiology.params import ParamRecord, param


@dataclass(frozen=True)
class HazardParams(ParamRecord):
    """Coefficients of the daily injury hazard (module docstring)."""

    h0: float = param(2.0 / 300.0, units="1/d", bounds=(1e-5, 0.1), domain="[0, inf)",
                      source="Ekstrand et al. 2011: 2.0 injuries per player per season "
                             "(assumption: a 300-day season)",
                      description="baseline daily hazard h0")
    beta_damage: float = param(np.log(20.0), units="1", bounds=(0.0, 10.0), domain="[0, inf)",
                               source="assumption: tissue damage 1 (failure of the baseline "
                                      "tissue without repair) multiplies risk by 20",
                               description="log relative risk per unit of tissue damage")
    acwr_threshold: float = param(1.0, units="1", bounds=(0.5, 2.0), domain="[0, inf)",
                                  source="assumption: risk rises only above a ratio of 1",
                                  description="ACWR above which risk rises A0")
    beta_acwr: float = param(2.0 * np.log(2.0), units="1", bounds=(0.0, 10.0),
                             domain="[0, inf)",
                             source="Carey et al. 2017: RR about 2 at high ACWR (assumption: "
                                    "reached 0.5 above the threshold)",
                             description="log relative risk per unit of ACWR above A0")
    beta_fatigue: float = param(np.log(1.5), units="1", bounds=(0.0, 5.0), domain="[0, inf)",
                                source="assumption: fatigue 100 % above habitual gives RR 1.5",
                                description="log relative risk per unit of excess fatigue")
    beta_sleep: float = param(np.log(1.7), units="1/h", bounds=(0.0, 3.0), domain="[0, inf)",
                              source="Milewski et al. 2014: RR 1.7 for < 8 h sleep (assumption: "
                                     "that group slept about 1 h less)",
                              description="log relative risk per hour of sleep debt")
    beta_w_prime: float = param(np.log(2.0), units="1", bounds=(0.0, 5.0), domain="[0, inf)",
                                source="assumption: a match that uses all of W' doubles risk",
                                description="log relative risk per unit of W' depletion")


Params = HazardParams.kernel_params(module=__name__)


class State(NamedTuple):
    """The hazard carries no state."""


class Inputs(NamedTuple):
    """The day's risk features (module docstring)."""

    damage: float  # Miner units
    acwr: float  # 1
    fatigue: float  # excess over habitual, fraction
    sleep_debt: float  # h
    w_prime_depletion: float  # fraction of W'


class Outputs(NamedTuple):
    probability: float


def prepare(p, s0):
    return p, s0


def step(s, u, c):
    excess = ops.where(u.acwr > c.acwr_threshold, u.acwr - c.acwr_threshold, 0.0)
    log_rr = (c.beta_damage * u.damage + c.beta_acwr * excess + c.beta_fatigue * u.fatigue
              + c.beta_sleep * u.sleep_debt + c.beta_w_prime * u.w_prime_depletion)
    return s, Outputs(-ops.expm1(-c.h0 * ops.exp(log_rr)))


KERNEL = Kernel(name="injury_hazard", prepare=prepare, step=step, Params=Params, State=State,
                Inputs=Inputs, Outputs=Outputs)


@helper
def excess(value, habitual):
    """``max(value / habitual - 1, 0)`` for one value (kernel code: the twin's day step)."""
    return ops.maximum(value / habitual - 1.0, 0.0)


_excess = np.vectorize(excess, otypes=[float])


def excess_over_habitual(value, habitual) -> np.ndarray:
    """A risk feature as the hazard wants it: ``max(value / habitual - 1, 0)``.

    For the fatigue feature, ``value`` is the day's fatigue from the fitness-fatigue model
    and ``habitual`` the athlete's usual level (for example its mean over the previous
    six weeks, or the steady state of the planned microcycle); both in the model's units.
    Elementwise through :func:`excess`, the one copy kernels also call.
    """
    value = validate.in_range("value", value, 0.0, np.inf, "a value >= 0")
    habitual = validate.in_range("habitual", habitual, 1e-300, np.inf, "a habitual level > 0")
    return _excess(value, habitual)


def injury_probability(damage=0.0, acwr=np.nan, fatigue=0.0, sleep_debt_h=0.0,
                       w_prime_depletion=0.0, params: HazardParams | None = None, *,
                       backend: str = "numba") -> np.ndarray:
    """Daily probability of a new injury; features broadcast to ``(*batch, T)``.

    Args:
        damage: tissue damage (Miner units, >= 0).
        acwr: acute:chronic workload ratio (>= 0; NaN where undefined).
        fatigue: fatigue above habitual as a fraction of it (>= 0).
        sleep_debt_h: sleep debt (h, >= 0).
        w_prime_depletion: fraction of W' used in the day's match (>= 0; above 1 when
            the balance went negative, the model's prediction of exhaustion).
        params: a :class:`HazardParams`.
        backend: ``"numba"`` or ``"jax"``.

    Returns:
        Probabilities in [0, 1), of the broadcast shape of the features (at least 1-D).
    """
    params = validate.record("params", params, HazardParams)
    acwr = np.asarray(acwr, dtype=float)
    acwr = validate.in_range("acwr", np.where(np.isnan(acwr), 0.0, acwr), 0.0, np.inf,
                              "a ratio >= 0 or NaN")   # undefined (NaN) adds nothing
    features = [
        validate.in_range("damage", damage, 0.0, np.inf, "a damage >= 0"),
        acwr,
        validate.in_range("fatigue", fatigue, 0.0, np.inf, "an excess fatigue >= 0"),
        validate.in_range("sleep_debt_h", sleep_debt_h, 0.0, np.inf, "a sleep debt >= 0 h"),
        validate.in_range("w_prime_depletion", w_prime_depletion, 0.0, np.inf,
                           "a fraction >= 0 (above 1: the match outlasted W')"),
    ]
    shape = np.broadcast_shapes(*(f.shape for f in features))
    shape = shape if shape else (1,)
    out, _ = run(KERNEL, [np.broadcast_to(f, shape) for f in features], params.values(),
                 backend=backend)
    return out.probability
