r"""Light at the eye: what an athlete's day gives the pacemaker, from the sun and the schedule.

The circadian models need illuminance at the eye on the sub-daily grid. An athlete's
light comes from where they are and what they do, per step:

- **in bed** (the sleep opportunity): 0 lux (eyes closed, a dark room);
- **outdoors** (a training session outside, a match, or the share ``outdoor_fraction`` of
  other daylight hours): daylight at the eye, :func:`daylight_lux`, and under floodlights
  at least ``floodlight_lux``;
- **indoors**: ``indoor_lux`` while the sun is up, ``evening_lux`` after sunset
  (electric light only).

Daylight on a horizontal surface from the sun's elevation :math:`e` is the IES
clear-sky and overcast-sky model (IES Daylighting Committee, Recommended practice of
daylighting RP-5-79; the coefficients as tabulated in the IES Lighting Handbook): with
:math:`m = 1/\sin e` the air mass and :math:`E_{xt} = 127.5` klx the extraterrestrial
illuminance,

.. math::

    E_{clear} &= E_{xt}\, e^{-0.21 m} \sin e + 0.8 + 15.5 \sin^{0.5} e \quad (\text{klx}) \\
    E_{overcast} &= 0.3 + 21.0 \sin e \quad (\text{klx})

and daylight at the eye is
:math:`f_{eye}\,\big(c\,E_{clear} + (1 - c)\,E_{overcast}\big)` for :math:`e > 0` (0 below
the horizon; twilight is taken as night). The share of clear sky :math:`c` and the
eye-to-horizontal ratio :math:`f_{eye}` are labelled assumptions; both matter little, as
the pacemakers' photoreceptor saturates above a few thousand lux (Hannay et al. 2019 half
saturation at :math:`I_0^{1/p} \approx 440` lux), which ``docs/validation.md`` shows.
What does matter is *when* the athlete is outdoors, and the indoor and evening levels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from physiology import validate
from physiology.params import ParamRecord, param

#: Extraterrestrial solar illuminance (klx), IES.
EXTRATERRESTRIAL_KLX = 127.5


@dataclass(frozen=True)
class LightParams(ParamRecord):
    """Light levels of an athlete's day (module docstring)."""

    indoor_lux: float = param(
        150.0, units="lux", bounds=(50.0, 500.0), domain="[0, inf)",
        source="assumption: indoor light by day, 50-500 lux; a 5-day dosimeter study "
               "(Clocks & Sleep 2024, 6:619, 29 adults) found a median of 51 and a mean of "
               "300 lux melanopic EDI, above 250 for only 14 % of the time worn",
        description="illuminance indoors, awake, sun up")
    evening_lux: float = param(
        50.0, units="lux", bounds=(10.0, 200.0), domain="[0, inf)",
        source="assumption: domestic electric light after sunset, 10-200 lux",
        description="illuminance indoors, awake, after sunset")
    floodlight_lux: float = param(
        1200.0, units="lux", bounds=(500.0, 2500.0), domain="[0, inf)",
        source="UEFA Nations League regulations 2024 (art. 31): average horizontal "
               "illuminance >= 1 400 lux and vertical >= 1 000 lux; between the two at the "
               "eye",
        description="illuminance on the pitch under floodlights")
    clear_sky: float = param(
        0.3, units="1", bounds=(0.0, 1.0), domain="[0, 1]",
        source="assumption: share of clear-sky daylight (the rest overcast)",
        description="share of clear sky c")
    eye_fraction: float = param(
        0.5, units="1", bounds=(0.2, 1.0), domain="(0, 1]",
        source="assumption: illuminance at the eye (vertical) about half the horizontal",
        description="eye-to-horizontal illuminance ratio f_eye")
    outdoor_fraction: float = param(
        0.0, units="1", bounds=(0.0, 0.2), domain="[0, 1]",
        source="assumption: outdoors only in outdoor sessions and matches by default; up to "
               "a fifth of other daylight hours (walks, commutes) as a sensitivity",
        description="share of other daylight hours spent outdoors")


def daylight_lux(elevation_deg, params: LightParams | None = None) -> np.ndarray:
    """Daylight at the eye (lux) at solar elevations (degrees); module docstring."""
    params = validate.record("params", params, LightParams)
    e = np.radians(np.asarray(validate.in_range("elevation_deg", elevation_deg, -90.0, 90.0,
                                                 "an elevation in [-90, 90] degrees"), float))
    up = e > 0.0
    s = np.where(up, np.sin(e), 1.0)
    clear = EXTRATERRESTRIAL_KLX * np.exp(-0.21 / s) * s + 0.8 + 15.5 * np.sqrt(s)
    overcast = 0.3 + 21.0 * s
    klx = params.clear_sky * clear + (1.0 - params.clear_sky) * overcast
    return np.where(up, 1000.0 * params.eye_fraction * klx, 0.0)


def light_at_eye(in_bed, outdoors, elevation_deg, floodlit=0.0,
                 params: LightParams | None = None) -> np.ndarray:
    """Illuminance at the eye (lux) at each grid step; arguments broadcast together.

    Args:
        in_bed: 1 in the sleep opportunity (dark), 0 up.
        outdoors: 1 outdoors (a session, a match), 0 indoors; other daylight hours add
            ``params.outdoor_fraction``.
        elevation_deg: the sun's elevation at the athlete's place (degrees).
        floodlit: 1 on a floodlit pitch (a match), else 0.
        params: a :class:`LightParams`.
    """
    params = validate.record("params", params, LightParams)
    bed = validate.in_range("in_bed", in_bed, 0.0, 1.0, "0 (up) or 1 (in bed)")
    out = validate.in_range("outdoors", outdoors, 0.0, 1.0, "0 (indoors) or 1 (outdoors)")
    lit = validate.in_range("floodlit", floodlit, 0.0, 1.0, "0 or 1 (under floodlights)")
    sun = daylight_lux(elevation_deg, params)
    up = np.asarray(elevation_deg, float) > 0.0
    indoor = np.where(up, params.indoor_lux, params.evening_lux)
    outside = np.maximum(np.maximum(sun, indoor), lit * params.floodlight_lux)
    share = np.maximum(out, np.where(up, params.outdoor_fraction, 0.0))
    return (1.0 - bed) * (share * outside + (1.0 - share) * indoor)


def light_day(elevation_deg, dt: float = 0.1, *, bed_h: float = 23.0, wake_h: float = 7.0,
              outdoor=((10.5, 12.0),), params: LightParams | None = None) -> np.ndarray:
    """One day of light at the eye (lux) from local midnight: dark in bed
    ``[bed_h, wake_h)``, outdoors in the ``outdoor`` (start, end) local hours, indoors
    otherwise (:func:`light_at_eye`); ``elevation_deg`` the sun's elevation at each step
    (for example :func:`scenarios.solar_elevation` at a venue on a date). The standalone
    jet-lag validation's day (a morning session outside, as the twin's microcycle has)."""
    per_day = validate.steps_per_day(float(validate.positive("dt", dt)))
    elevation = np.asarray(elevation_deg, float)
    if elevation.shape != (per_day,):
        raise ValueError(f"elevation_deg: expected one day of {per_day} steps of {dt} h")
    hour = np.arange(per_day) * dt
    in_bed = np.mod(hour - bed_h, 24.0) < np.mod(wake_h - bed_h, 24.0)
    out = np.zeros(per_day, bool)
    for begin, end in outdoor:
        out |= (hour >= begin) & (hour < end)
    return light_at_eye(in_bed.astype(float), (out & ~in_bed).astype(float), elevation,
                        0.0, params)
