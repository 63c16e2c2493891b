"""Light-driven human circadian pacemaker models, simulated on a sub-daily grid.

- models: Forger 1999 (:class:`Forger99Params`, defaults the Serkh & Forger 2014 refit;
  :data:`FORGER99_ORIGINAL`), Jewett 1999 (:class:`Jewett99Params`), Hannay 2019
  single-population (:class:`Hannay19Params`); registry :data:`MODELS`;
- :func:`simulate` (fixed-step RK4, batches over athletes, parameter sets and light
  schedules) and :func:`equilibrate` (the entrained state on a home day);
- markers: :func:`phase`, :func:`amplitude`, :func:`cbtmin_times`, :func:`dlmo_times`,
  :func:`home_clock` and :func:`misalignment`;
- light: :func:`light_at_eye` (lux at the eye from bed, outdoors, the sun and floodlights)
  and :func:`daylight_lux` (IES clear and overcast sky), :func:`light_day` (one day of
  it for standalone use), :class:`LightParams`;
- jet lag: :func:`trip` (light and local clock around a flight across time zones),
  :func:`time_zone_shift` (from IANA names, daylight-saving aware) and :func:`jet_lag`
  (misalignment, re-entrainment days, sleep lost per night).
"""

from physiology.circadian._forger99 import FORGER99_ORIGINAL, Forger99Params
from physiology.circadian._hannay19 import Hannay19Params
from physiology.circadian._jetlag import JetLag, Trip, jet_lag, time_zone_shift, trip
from physiology.circadian._jewett99 import Jewett99Params
from physiology.circadian._light import LightParams, daylight_lux, light_at_eye, light_day
from physiology.circadian._markers import (
    HomeClock,
    amplitude,
    cbtmin_times,
    dlmo_times,
    home_clock,
    misalignment,
    phase,
    phase_series,
)
from physiology.circadian._simulate import (
    DLMO_BEFORE_CBT_H,
    MODELS,
    CircadianModel,
    equilibrate,
    simulate,
)

__all__ = [
    "DLMO_BEFORE_CBT_H",
    "FORGER99_ORIGINAL",
    "MODELS",
    "CircadianModel",
    "Forger99Params",
    "Hannay19Params",
    "HomeClock",
    "JetLag",
    "Jewett99Params",
    "LightParams",
    "Trip",
    "amplitude",
    "cbtmin_times",
    "daylight_lux",
    "dlmo_times",
    "equilibrate",
    "home_clock",
    "jet_lag",
    "light_at_eye",
    "light_day",
    "misalignment",
    "phase",
    "phase_series",
    "simulate",
    "time_zone_shift",
    "trip",
]
