"""Venues: named places with an IANA time zone and coordinates, and their clocks and daylight.

A venue's clock comes from the IANA time-zone database through :mod:`zoneinfo` (via
pandas, vectorised), so daylight-saving time is right on every date. Sunrise and sunset
come from the NOAA solar-position equations (NOAA Global Monitoring Laboratory, "General
Solar Position Calculations"; Spencer 1971 series for the equation of time and the solar
declination), with the sun's centre 0.833 degrees below the horizon at rise and set
(refraction and the solar radius); accurate to a few minutes at the latitudes of sport.

The built-in table :data:`VENUES` holds real cities and stadiums (coordinates to about a
kilometre; a stadium's time zone is its city's). Scenario configs extend it under
``scenario.venues``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import NamedTuple

import numpy as np
import pandas as pd

from scenarios import _parse


class Venue(NamedTuple):
    """A named place: IANA time zone, latitude and longitude (degrees, east positive)."""

    name: str
    tz: str
    lat: float
    lon: float
    label: str = ""


def _table(rows: str) -> dict[str, Venue]:
    out = {}
    for line in rows.strip().splitlines():
        name, tz, lat, lon, label = (part.strip() for part in line.split("|"))
        out[name] = Venue(name, tz, float(lat), float(lon), label)
    return out


#: Built-in venues: cities (by their usual name) and stadiums.
VENUES: dict[str, Venue] = _table("""
london          | Europe/London       |  51.507 |   -0.128 | London, UK
manchester      | Europe/London       |  53.481 |   -2.243 | Manchester, UK
madrid          | Europe/Madrid       |  40.417 |   -3.704 | Madrid, Spain
barcelona       | Europe/Madrid       |  41.387 |    2.170 | Barcelona, Spain
paris           | Europe/Paris        |  48.857 |    2.352 | Paris, France
munich          | Europe/Berlin       |  48.137 |   11.576 | Munich, Germany
milan           | Europe/Rome         |  45.464 |    9.190 | Milan, Italy
lisbon          | Europe/Lisbon       |  38.722 |   -9.139 | Lisbon, Portugal
istanbul        | Europe/Istanbul     |  41.008 |   28.978 | Istanbul, Turkey
dubai           | Asia/Dubai          |  25.205 |   55.271 | Dubai, UAE
riyadh          | Asia/Riyadh         |  24.713 |   46.675 | Riyadh, Saudi Arabia
singapore       | Asia/Singapore      |   1.352 |  103.820 | Singapore
bangkok         | Asia/Bangkok        |  13.756 |  100.502 | Bangkok, Thailand
hong_kong       | Asia/Hong_Kong      |  22.320 |  114.169 | Hong Kong
shanghai        | Asia/Shanghai       |  31.230 |  121.474 | Shanghai, China
seoul           | Asia/Seoul          |  37.567 |  126.978 | Seoul, South Korea
tokyo           | Asia/Tokyo          |  35.690 |  139.692 | Tokyo, Japan
sydney          | Australia/Sydney    | -33.869 |  151.209 | Sydney, Australia
melbourne       | Australia/Melbourne | -37.814 |  144.963 | Melbourne, Australia
new_york        | America/New_York    |  40.713 |  -74.006 | New York, USA
philadelphia    | America/New_York    |  39.953 |  -75.165 | Philadelphia, USA
chicago         | America/Chicago     |  41.878 |  -87.630 | Chicago, USA
dallas          | America/Chicago     |  32.777 |  -96.797 | Dallas, USA
denver          | America/Denver      |  39.739 | -104.990 | Denver, USA
los_angeles     | America/Los_Angeles |  34.052 | -118.244 | Los Angeles, USA
seattle         | America/Los_Angeles |  47.606 | -122.332 | Seattle, USA
mexico_city     | America/Mexico_City |  19.433 |  -99.133 | Mexico City, Mexico
sao_paulo       | America/Sao_Paulo   | -23.551 |  -46.633 | Sao Paulo, Brazil
buenos_aires    | America/Argentina/Buenos_Aires | -34.604 | -58.382 | Buenos Aires, Argentina
johannesburg    | Africa/Johannesburg | -26.204 |   28.047 | Johannesburg, South Africa
wembley         | Europe/London       |  51.556 |   -0.280 | Wembley Stadium, London
old_trafford    | Europe/London       |  53.463 |   -2.291 | Old Trafford, Manchester
anfield         | Europe/London       |  53.431 |   -2.961 | Anfield, Liverpool
bernabeu        | Europe/Madrid       |  40.453 |   -3.688 | Estadio Santiago Bernabeu, Madrid
camp_nou        | Europe/Madrid       |  41.381 |    2.123 | Camp Nou, Barcelona
allianz_arena   | Europe/Berlin       |  48.219 |   11.625 | Allianz Arena, Munich
san_siro        | Europe/Rome         |  45.478 |    9.124 | San Siro, Milan
national_stadium_tokyo | Asia/Tokyo   |  35.678 |  139.715 | Japan National Stadium, Tokyo
metlife_stadium | America/New_York    |  40.814 |  -74.074 | MetLife Stadium, East Rutherford NJ
sofi_stadium    | America/Los_Angeles |  33.953 | -118.339 | SoFi Stadium, Inglewood CA
mcg             | Australia/Melbourne | -37.820 |  144.983 | Melbourne Cricket Ground
""")


def check_tz(key: str, tz: str) -> str:
    """``tz`` if it names an IANA zone, else a ConfigError naming the config ``key``."""
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise _parse.fail(key, tz, "expected an IANA time-zone name such as "
                                   "'Europe/London'") from exc
    return tz


def utc_offset_h(tz: str, utc) -> np.ndarray:
    """UTC offset (h) of zone ``tz`` at the given instants (``datetime64`` in UTC)."""
    t = pd.DatetimeIndex(np.asarray(utc, dtype="datetime64[ns]"))
    local = t.tz_localize("UTC").tz_convert(tz).tz_localize(None)
    return ((local - t) / pd.Timedelta(hours=1)).to_numpy(float)


def to_utc(tz: str, local: dt.datetime) -> dt.datetime:
    """The UTC instant (naive) of a wall-clock time in ``tz``.

    Ambiguous times (the repeated hour when clocks go back) take the first occurrence;
    times that do not exist (the skipped hour when clocks go forward) are read with the
    offset before the change, as :mod:`zoneinfo` does with ``fold=0``.
    """
    aware = local.replace(tzinfo=zoneinfo.ZoneInfo(tz), fold=0)
    return aware.astimezone(dt.UTC).replace(tzinfo=None)


def _solar_angles(gamma):
    """Equation of time (min) and solar declination (rad) at fractional year ``gamma``
    (rad; Spencer 1971 series, as NOAA gives them)."""
    eqtime = 229.18 * (0.000075 + 0.001868 * np.cos(gamma) - 0.032077 * np.sin(gamma)
                       - 0.014615 * np.cos(2 * gamma) - 0.040849 * np.sin(2 * gamma))
    decl = (0.006918 - 0.399912 * np.cos(gamma) + 0.070257 * np.sin(gamma)
            - 0.006758 * np.cos(2 * gamma) + 0.000907 * np.sin(2 * gamma)
            - 0.002697 * np.cos(3 * gamma) + 0.00148 * np.sin(3 * gamma))
    return eqtime, decl


def _day_of_year(d) -> np.ndarray:
    d = np.asarray(d, dtype="datetime64[D]")
    return (d - d.astype("datetime64[Y]").astype("datetime64[D]")).astype(float)


def sun_times(lat, lon, dates, utc_offset) -> tuple[np.ndarray, np.ndarray]:
    """Local clock hours of sunrise and sunset (NOAA equations; module docstring).

    Args:
        lat, lon: degrees (north, east positive); broadcast with ``dates``.
        dates: ``datetime64[D]`` calendar dates.
        utc_offset: the local clock's UTC offset (h) on those dates.

    Returns:
        ``(sunrise_h, sunset_h)``. Polar day gives (0, 24) and polar night an empty day
        (12, 12), so that light code sees no daylight.
    """
    gamma = 2.0 * np.pi / 365.0 * _day_of_year(dates)  # 0 on 1 January
    eqtime, decl = _solar_angles(gamma)
    phi = np.radians(lat)
    cos_ha = (np.cos(np.radians(90.833)) / (np.cos(phi) * np.cos(decl))
              - np.tan(phi) * np.tan(decl))
    ha = np.degrees(np.arccos(np.clip(cos_ha, -1.0, 1.0)))
    noon_utc_min = 720.0 - 4.0 * np.asarray(lon, float) - eqtime
    noon = noon_utc_min / 60.0 + np.asarray(utc_offset, float)
    rise = np.where(cos_ha >= 1.0, 12.0, np.where(cos_ha <= -1.0, 0.0, noon - ha / 15.0))
    sets = np.where(cos_ha >= 1.0, 12.0, np.where(cos_ha <= -1.0, 24.0, noon + ha / 15.0))
    return np.clip(rise, 0.0, 24.0), np.clip(sets, 0.0, 24.0)


def solar_elevation(lat, lon, utc) -> np.ndarray:
    r"""Elevation of the sun's centre above the horizon (degrees) at UTC instants.

    NOAA's general solar position: fractional year
    :math:`\gamma = 2\pi/365\,(\mathrm{doy} + (h - 12)/24)`, true solar time
    :math:`t_s = 60 h + \mathrm{eqtime} + 4\lambda` (min), hour angle
    :math:`\omega = t_s/4 - 180` (deg) and
    :math:`\sin e = \sin\phi \sin\delta + \cos\phi\cos\delta\cos\omega`
    (no refraction: a fraction of a degree, which daylight levels near the horizon do not
    resolve).

    Args:
        lat, lon: degrees (north, east positive), broadcast with ``utc``.
        utc: ``datetime64`` instants in UTC.
    """
    t = np.asarray(utc, dtype="datetime64[s]")
    day = t.astype("datetime64[D]")
    hour = (t - day).astype(float) / 3600.0
    gamma = 2.0 * np.pi / 365.0 * (_day_of_year(day) + (hour - 12.0) / 24.0)
    eqtime, decl = _solar_angles(gamma)
    solar_min = 60.0 * hour + eqtime + 4.0 * np.asarray(lon, float)
    omega = np.radians(solar_min / 4.0 - 180.0)
    phi = np.radians(np.asarray(lat, float))
    sin_e = np.sin(phi) * np.sin(decl) + np.cos(phi) * np.cos(decl) * np.cos(omega)
    return np.degrees(np.arcsin(np.clip(sin_e, -1.0, 1.0)))
