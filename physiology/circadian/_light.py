"""Light from a day: the lux an athlete's eyes receive, from sleep/wake and daylight.

The circadian models need illuminance at the eye on the sub-daily grid; schedules give
sleep and the local daylight. Per step:

- asleep: 0 lux (eyes closed, dark room);
- awake in daylight (local clock between sunrise and sunset): the indoor level, plus the
  fraction of daylight time spent outdoors times the outdoor excess,
  ``indoor + outdoor_fraction * (outdoor - indoor)`` (a mean over the step);
- awake after dark: the indoor level.

Levels are parameters (:class:`LightParams`); defaults are labelled assumptions with
typical ranges. Sunrise and sunset come from the venue and date (scenarios).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from physiology import validate
from physiology.params import ParamRecord, param


@dataclass(frozen=True)
class LightParams(ParamRecord):
    """Light levels of an athlete's day (module docstring)."""

    indoor_lux: float = param(150.0, units="lux", bounds=(10.0, 1000.0), domain="[0, inf)",
                              source="assumption: typical indoor light, 50-500 lux",
                              description="illuminance indoors, awake")
    outdoor_lux: float = param(10_000.0, units="lux", bounds=(1000.0, 100_000.0),
                               domain="[0, inf)",
                               source="assumption: daylight, 1 000 (overcast) to 100 000 "
                                      "(full sun) lux",
                               description="illuminance outdoors in daylight")
    outdoor_fraction: float = param(0.15, units="1", bounds=(0.0, 1.0), domain="[0, 1]",
                                    source="assumption: about 2 h outdoors in a 14-h day "
                                           "(training sessions outside)",
                                    description="share of daylight hours spent outdoors")


def light_from_day(asleep, local_hour, sunrise_h=6.0, sunset_h=20.0,
                   params: LightParams | None = None) -> np.ndarray:
    """Illuminance (lux) at each grid step; arguments broadcast together.

    Args:
        asleep: 1 while asleep, 0 awake.
        local_hour: local clock time (h) of each step.
        sunrise_h, sunset_h: local times of sunrise and sunset (h, sunrise < sunset).
        params: a :class:`LightParams`.
    """
    params = validate.record("params", params, LightParams)
    sleep = validate.in_range("asleep", asleep, 0.0, 1.0, "0 (awake) or 1 (asleep)")
    hour = validate.in_range("local_hour", local_hour, -np.inf, np.inf, "a finite hour") % 24
    rise = validate.in_range("sunrise_h", sunrise_h, 0.0, 24.0, "an hour in [0, 24]")
    sets = validate.in_range("sunset_h", sunset_h, 0.0, 24.0, "an hour in [0, 24]")
    if np.any(rise >= sets):
        raise ValueError("sunrise_h must be before sunset_h")
    day = (hour >= rise) & (hour < sets)
    awake_lux = np.where(day, params.indoor_lux + params.outdoor_fraction
                         * (params.outdoor_lux - params.indoor_lux), params.indoor_lux)
    return (1.0 - sleep) * awake_lux
