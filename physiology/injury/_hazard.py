r"""Injury hazard per hour of exposure, with relative risks for congestion, return to play
and (optional) load features.

Time-loss injuries in football are counted per 1000 h of exposure, separately in training
and in matches (Ekstrand et al. 2011; the consensus of Fuller et al. 2006), so the day's
hazard integrates per-hour rates over the day's hours of each:

.. math::

    H_t = \big(\lambda_T\,h^T_t + \lambda_M\,h^M_t\,R_C^{[r_t \le r_C]}\big)
          \,R_R^{[s_t < s_R]}\,
          \exp\big(\beta_F F_t + \beta_A \max(A_t - A_0, 0) + \beta_D D_t
                   + \beta_S S_t + \beta_W W_t\big), \qquad p_t = 1 - e^{-H_t}

- :math:`\lambda_T, \lambda_M` (1/h): baseline incidence in training and in matches;
  :math:`h^T_t, h^M_t` (h): the day's training and match exposure. A day without
  exposure has no new injury.
- Fixture congestion: a match played :math:`r_t \le r_C` days after the previous one
  (days between the two match dates) has its match rate multiplied by :math:`R_C`
  (Bengtsson et al. 2013: league matches with <= 4 days of recovery against >= 6 days).
- Return to play: in the first :math:`s_R` days after returning from an injury
  (:math:`s_t` days since the return), every rate is multiplied by :math:`R_R` (the
  early-recurrence window of the UEFA definitions, 2 months). The baselines are the UEFA
  rates less the 12 % of injuries that were re-injuries, and :math:`R_R` is chosen so
  that the window adds them back: :math:`(R_R - 1) f = 0.12/0.88`, with :math:`f` the
  share of exposure inside the window (0.30 in the demo season), so the season's
  incidence remains a prediction to check against the published rates, not a fit.
- Optional features, each off (coefficient 0) by default because the evidence is disputed
  or absent (see each field's source): fatigue above habitual :math:`F` (fraction), ACWR
  :math:`A` (NaN adds nothing), tissue damage :math:`D` (Miner units), sleep debt
  :math:`S` (h), W' depletion of the day's match :math:`W` (fraction). Switched on, each
  coefficient is a log relative risk per unit of its feature.

With every multiplier >= 1 (its plausible range; a club's fit may find one below 1) and
every coefficient >= 0, :math:`p_t` rises monotonically with each exposure and feature
and lies in [0, 1) for any input. The form is log-linear in
its parameters with :math:`\log h` offsets, the Poisson / piecewise-exponential model
:mod:`calibration.injury` fits to a club's own injury log.

References:
    Ekstrand J, Hagglund M, Walden M (2011). Injury incidence and injury patterns in
    professional football: the UEFA injury study. Br J Sports Med 45:553-558,
    doi:10.1136/bjsm.2009.060582.
    Bengtsson H, Ekstrand J, Hagglund M (2013). Muscle injury rates in professional
    football increase with fixture congestion: an 11-year follow-up of the UEFA Champions
    League injury study. Br J Sports Med 47:743-747, doi:10.1136/bjsports-2013-092383.
    Fuller CW et al. (2006). Consensus statement on injury definitions and data collection
    procedures in studies of football (soccer) injuries. Br J Sports Med 40:193-201.
    Impellizzeri FM et al. (2020). Acute:chronic workload ratio: conceptual issues and
    fundamental pitfalls. Int J Sports Physiol Perform 15:907-913.
    Carey DL et al. (2017). Training loads and injury risk in Australian football. Br J
    Sports Med 51:1215-1220.
    Milewski MD et al. (2014). Chronic lack of sleep is associated with increased sports
    injuries in adolescent athletes. J Pediatr Orthop 34:129-133.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from physiology import validate
from physiology.kernels import Kernel, helper, ops, run
from physiology.params import ParamRecord, param

_UEFA = "Ekstrand et al. 2011 (UEFA injury study, 23 elite clubs, 2001-2008)"
_OFF = "off by default (0)"


@dataclass(frozen=True)
class HazardParams(ParamRecord):
    """Rates and relative risks of the injury hazard (module docstring)."""

    rate_training: float = param(
        3.6e-3, units="1/h", bounds=(1e-3, 2e-2), domain="[0, inf)",
        source=f"{_UEFA}: 4.1 time-loss injuries per 1000 h of training, less the 12 % "
               "that are re-injuries (R_R adds them back)",
        description="baseline injury rate in training lambda_T")
    rate_match: float = param(
        24.2e-3, units="1/h", bounds=(5e-3, 0.1), domain="[0, inf)",
        source=f"{_UEFA}: 27.5 time-loss injuries per 1000 h of match play, less the 12 % "
               "that are re-injuries (R_R adds them back)",
        description="baseline injury rate in matches lambda_M")
    rr_congestion: float = param(
        1.09, units="1", bounds=(1.0, 3.0), domain="(0, inf)",
        source="Bengtsson et al. 2013: total injury rate in league matches with <= 4 d "
               "recovery vs >= 6 d, rate ratio 1.09 (95 % CI 1.00-1.18; muscle injuries "
               "1.32, 1.15-1.51)",
        description="match-rate ratio with short recovery R_C")
    congestion_days: float = param(
        4.0, units="d", bounds=(2.0, 5.0), domain="[0, inf)",
        source="Bengtsson et al. 2013: the short-recovery category, <= 4 days between "
               "matches",
        description="recovery at or below which a match counts as congested r_C")
    rr_return: float = param(
        1.45, units="1", bounds=(1.0, 5.0), domain="(0, inf)",
        source="Ekstrand et al. 2011: re-injuries are 12 % of all injuries; derived: "
               "(R_R - 1) f = 0.12 / 0.88 with f = 0.30, the share of exposure within "
               "s_R of a return in the twin's demo season (docs/validation.md)",
        description="rate ratio in the first weeks after return to play R_R")
    return_days: float = param(
        60.0, units="d", bounds=(7.0, 365.0), domain="[0, inf)",
        source="Fuller et al. 2006 / Ekstrand et al. 2011: an early recurrence occurs "
               "within 2 months of return to full participation",
        description="window after return with the raised rate s_R")
    beta_fatigue: float = param(
        0.0, units="1", bounds=(0.0, 5.0), domain="[0, inf)", plausible=(0.0, 0.405),
        source=f"assumption, {_OFF}: no cohort gives a rate ratio for model fatigue; as "
               "an option, ln(1.5) (fatigue 100 % above habitual gives RR 1.5)",
        description="log relative risk per unit of excess fatigue beta_F")
    acwr_threshold: float = param(
        1.0, units="1", bounds=(0.5, 2.0), domain="[0, inf)", plausible=(0.8, 1.5),
        source="assumption: risk rises only above a ratio of 1 (used only with beta_acwr); "
               "0.8-1.5, the 'sweet spot' band, plausible",
        description="ACWR above which risk rises A_0")
    beta_acwr: float = param(
        0.0, units="1", bounds=(0.0, 10.0), domain="[0, inf)", plausible=(0.0, 1.386),
        source=f"disputed, {_OFF}: ACWR as a cause of injury is contested (Impellizzeri "
               "et al. 2020; Lolli et al. 2019); as an option, 2 ln 2 (Carey et al. 2017: "
               "RR about 2, reached 0.5 above the threshold)",
        description="log relative risk per unit of ACWR above A_0 beta_A")
    beta_damage: float = param(
        0.0, units="1", bounds=(0.0, 10.0), domain="[0, inf)", plausible=(0.0, 2.996),
        source=f"assumption, {_OFF}: no study links the S-N bone damage to time-loss "
               "injury; as an option, ln 20 (damage 1 multiplies risk by 20)",
        description="log relative risk per unit of tissue damage beta_D")
    beta_sleep: float = param(
        0.0, units="1/h", bounds=(0.0, 3.0), domain="[0, inf)", plausible=(0.0, 0.531),
        source=f"assumption, {_OFF}: the only rate ratio (Milewski et al. 2014, RR 1.7 "
               "for < 8 h) is from adolescents; as an option, ln 1.7 per hour",
        description="log relative risk per hour of sleep debt beta_S")
    beta_w_prime: float = param(
        0.0, units="1", bounds=(0.0, 5.0), domain="[0, inf)", plausible=(0.0, 0.693),
        source=f"assumption, {_OFF}: no study; as an option, ln 2 (a match that uses "
               "all of W' doubles risk)",
        description="log relative risk per unit of W' depletion beta_W")


Params = HazardParams.kernel_params(module=__name__)


class State(NamedTuple):
    """The hazard carries no state."""


class Inputs(NamedTuple):
    """The day's exposure and risk features (module docstring)."""

    training_h: float  # h of training exposure
    match_h: float  # h of match exposure
    recovery_days: float  # d since the previous match (a large number for none)
    since_return_days: float  # d since the last return to play (large when never out)
    damage: float  # Miner units
    acwr: float  # 1
    fatigue: float  # excess over habitual, fraction
    sleep_debt: float  # h
    w_prime_depletion: float  # fraction of W'


class Outputs(NamedTuple):
    probability: float
    hazard: float  # expected new injuries on the day (the integrated hazard H_t)


def prepare(p, s0):
    return p, s0


def step(s, u, c):
    congested = ops.where(u.recovery_days <= c.congestion_days, c.rr_congestion, 1.0)
    returning = ops.where(u.since_return_days < c.return_days, c.rr_return, 1.0)
    excess = ops.where(u.acwr > c.acwr_threshold, u.acwr - c.acwr_threshold, 0.0)
    log_rr = (c.beta_fatigue * u.fatigue + c.beta_acwr * excess + c.beta_damage * u.damage
              + c.beta_sleep * u.sleep_debt + c.beta_w_prime * u.w_prime_depletion)
    h = ((c.rate_training * u.training_h + c.rate_match * u.match_h * congested)
         * returning * ops.exp(log_rr))
    return s, Outputs(-ops.expm1(-h), h)


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


#: A number of days that counts as "long ago" (no previous match, never injured).
LONG_AGO = 1e9


def injury_probability(training_h=0.0, match_h=0.0, recovery_days=LONG_AGO,
                       since_return_days=LONG_AGO, damage=0.0, acwr=np.nan, fatigue=0.0,
                       sleep_debt_h=0.0, w_prime_depletion=0.0,
                       params: HazardParams | None = None, *,
                       backend: str = "numba") -> np.ndarray:
    """Daily probability of a new injury; inputs broadcast to ``(*batch, T)``.

    Args:
        training_h: hours of training exposure on the day (>= 0).
        match_h: hours of match play on the day (>= 0).
        recovery_days: days since the previous match (>= 0; the default: none).
        since_return_days: days since the last return to play (>= 0; default: never out).
        damage: tissue damage (Miner units, >= 0).
        acwr: acute:chronic workload ratio (>= 0; NaN where undefined).
        fatigue: fatigue above habitual as a fraction of it (>= 0).
        sleep_debt_h: sleep debt (h, >= 0).
        w_prime_depletion: fraction of W' used in the day's match (>= 0; above 1 when
            the balance went negative, the model's prediction of exhaustion).
        params: a :class:`HazardParams`.
        backend: ``"numba"`` or ``"jax"``.

    Returns:
        Probabilities in [0, 1), of the broadcast shape of the inputs (at least 1-D).
    """
    params = validate.record("params", params, HazardParams)
    acwr = np.asarray(acwr, dtype=float)
    acwr = validate.in_range("acwr", np.where(np.isnan(acwr), 0.0, acwr), 0.0, np.inf,
                              "a ratio >= 0 or NaN")   # undefined (NaN) adds nothing
    features = [
        validate.in_range("training_h", training_h, 0.0, 24.0, "hours in [0, 24]"),
        validate.in_range("match_h", match_h, 0.0, 24.0, "hours in [0, 24]"),
        validate.in_range("recovery_days", recovery_days, 0.0, np.inf, "days >= 0"),
        validate.in_range("since_return_days", since_return_days, 0.0, np.inf, "days >= 0"),
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
