r"""An athlete's own injury risk factors: a rate ratio on every exposure hour.

The hazard's rates (:class:`physiology.injury.HazardParams`) are squad averages: the
UEFA injury study's incidence over all the players of elite clubs. Two athlete
attributes with published associations move an athlete's rates about that average:

- **Previous injury.** Players with a time-loss injury in the previous season had a
  hazard ratio of 2.7 (95 % CI 1.7-4.3) for any injury in the next season against players
  without one (Hägglund, Waldén & Ekstrand 2006, 12 elite Swedish teams, exposure-based
  Cox model). The average rate mixes the two groups, a share :math:`q` of the players
  injured the season before, so the rate ratio against the average is

  .. math::

      R_{prev} = \frac{H^{[x = 1]}}{1 + q (H - 1)}, \qquad x \in \{0, 1\}

  (:math:`x = 1`: injured the previous season), and 1 when the history is not known. The
  ratio between the two groups is :math:`H` whatever :math:`q`; :math:`q` (an assumption)
  sets where the average lies between them.
- **Age.** Arnason et al. 2004 found older players at higher risk of injury in general
  (odds ratio 1.1 per year, P = 0.05, Icelandic elite); Hägglund et al. 2006 found no
  association. Disputed, so off by default (ratio 1 per year): switched on,
  :math:`R_{age} = r_{age}^{\,(a - a_0)}`, 1 when the age is not known.

The athlete's rates are the average rates times :math:`R_{prev} R_{age}`.

References:
    Hägglund M, Waldén M, Ekstrand J (2006). Previous injury as a risk factor for injury
    in elite football: a prospective study over two consecutive seasons. Br J Sports Med
    40:767-772, doi:10.1136/bjsm.2006.026609.
    Arnason A, Sigurdsson SB, Gudmundsson A, Holme I, Engebretsen L, Bahr R (2004). Risk
    factors for injuries in football. Am J Sports Med 32(1 Suppl):5S-16S,
    doi:10.1177/0363546503258912.
    Ekstrand J (2013). Playing too many matches is negative for both performance and
    player availability: results from the on-going UEFA injury study. Dtsch Z Sportmed
    64:5-9.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from physiology import validate
from physiology.params import ParamRecord, param


@dataclass(frozen=True)
class RiskFactorParams(ParamRecord):
    """Rate ratios of an athlete's own risk factors (module docstring)."""

    hr_previous_injury: float = param(
        2.7, units="1", bounds=(1.0, 5.0), domain="(0, inf)", plausible=(1.7, 4.3),
        source="Hägglund, Waldén & Ekstrand 2006 (Br J Sports Med 40:767): injured in the "
               "previous season vs not, any injury in the next, hazard ratio 2.7 (95 % CI "
               "1.7-4.3)",
        description="hazard ratio of a previous-season injury H")
    previous_injury_share: float = param(
        0.7, units="1", bounds=(0.0, 1.0), domain="[0, 1]", plausible=(0.5, 0.85),
        source="assumption: most elite players have a time-loss injury in a season (about "
               "50 injuries a season in a squad of 25, Ekstrand 2013, unevenly spread); "
               "0.5-0.85 plausible. It sets the average's place between the two groups, "
               "not their ratio H",
        description="share of players injured in the previous season q")
    rr_age_per_year: float = param(
        1.0, units="1", bounds=(1.0, 1.5), domain="(0, inf)", plausible=(1.0, 1.1),
        source="disputed, off by default (1): Arnason et al. 2004 (Am J Sports Med 32:5S) "
               "OR 1.1 per year for injury in general (P = 0.05); Hägglund et al. 2006 no "
               "association; as an option 1.1",
        description="rate ratio per year of age above a_0 r_age")
    age_reference_years: float = param(
        26.0, units="yr", bounds=(18.0, 35.0), domain="(0, inf)", plausible=(24.0, 28.0),
        source="assumption: the mean age of elite squads (about 26 years); used only with "
               "rr_age_per_year",
        description="age at which the age ratio is 1 a_0")


def athlete_rate_ratio(previous_injury, age_years,
                       params: RiskFactorParams | None = None) -> np.ndarray:
    """Each athlete's injury-rate ratio against the squad-average rates (module docstring).

    Args:
        previous_injury: per athlete 1 (a time-loss injury in the previous season), 0 (none)
            or NaN (not known: ratio 1).
        age_years: per athlete, years (NaN: not known, ratio 1).
        params: a :class:`RiskFactorParams` (default its record's defaults).

    Returns:
        The ratio per athlete, exactly 1 where nothing is known (and for ages when the age
        term is off).
    """
    params = validate.record("params", params, RiskFactorParams)
    prev = np.atleast_1d(np.asarray(previous_injury, float))
    age = np.atleast_1d(np.asarray(age_years, float))
    known = np.isfinite(prev)
    if np.any(known & (prev != 0) & (prev != 1)):
        raise ValueError("previous_injury: expected 1, 0 or NaN per athlete")
    h, q = params.hr_previous_injury, params.previous_injury_share
    mean = 1.0 + q * (h - 1.0)
    r_prev = np.where(known, np.where(prev == 1, h, 1.0) / mean, 1.0)
    r_age = np.where(np.isfinite(age),
                     params.rr_age_per_year ** (np.nan_to_num(age) - params.age_reference_years),
                     1.0)
    return r_prev * r_age
