"""Injury: a daily hazard from risk features, and Monte-Carlo injuries with time loss.

- :func:`injury_probability` (:class:`HazardParams`): the day's risk from hours of training
  and match exposure, with relative risks for congestion and return to play;
- :func:`simulate_injuries`: injury events, days out, and the return-to-play load factor
  that feeds back into the load an injured athlete can do;
- :func:`uniforms`: the counter-based random streams they draw from.
- :func:`athlete_rate_ratio` (:class:`RiskFactorParams`): an athlete's own rate ratio
  (previous injury, age) on the squad-average rates;
- the kernels, for coupled models: :data:`HAZARD_KERNEL`, :data:`EVENTS_KERNEL` (its
  :data:`FRESH` state), and the :func:`excess` helper.
"""

from physiology.injury._events import (
    DEFAULT_TYPES,
    FRESH,
    HAMSTRING_TYPES,
    SEVERITY_DAYS,
    Injuries,
    InjuryType,
    simulate_injuries,
    time_loss_days,
)
from physiology.injury._events import KERNEL as EVENTS_KERNEL
from physiology.injury._factors import RiskFactorParams, athlete_rate_ratio
from physiology.injury._hazard import KERNEL as HAZARD_KERNEL
from physiology.injury._hazard import (
    LONG_AGO,
    HazardParams,
    excess,
    excess_over_habitual,
    injury_probability,
)
from physiology.injury._random import uniforms

__all__ = [
    "DEFAULT_TYPES",
    "EVENTS_KERNEL",
    "FRESH",
    "HAMSTRING_TYPES",
    "HAZARD_KERNEL",
    "LONG_AGO",
    "SEVERITY_DAYS",
    "HazardParams",
    "Injuries",
    "InjuryType",
    "RiskFactorParams",
    "athlete_rate_ratio",
    "excess",
    "excess_over_habitual",
    "injury_probability",
    "simulate_injuries",
    "time_loss_days",
    "uniforms",
]
