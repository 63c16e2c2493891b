"""Itineraries: where the athlete is at every instant of the season.

An itinerary is the season's own trips (``scenario.itinerary``) plus, from the sweep's
``itinerary`` axis, one more: ``home`` (none), a named trip from ``scenario.trips``, or a
time-zone shift ``east_<h>`` / ``west_<h>``: out from home to a place ``h`` hours ahead
or behind, ``scenario.shift_trip.stay_days`` there, and back. Such a place has the
home latitude, the longitude moved by 15 degrees per hour, and a fixed-offset clock
(IANA ``Etc/GMT`` zone, no daylight-saving time). Its flight takes
``flight_base_h + flight_h_per_zone * h`` hours (assumption: scheduled flights from
Europe take about 8 h to New York, 5 zones, and 12 to 14 h to Tokyo, 8 zones).

Legs must chain: each starts where the athlete is (home at the start of the season) and
after the previous one has landed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from scenarios import _parse
from scenarios._season import Leg, Season
from scenarios._venues import Venue, utc_offset_h

_SHIFT = re.compile(r"^(east|west)_(\d+)$")


@dataclass(frozen=True)
class Itinerary:
    """Legs in time order, the venues visited (``venues[0]`` is home), and per leg the
    index of its destination in ``venues``; instants are season hours (UTC)."""

    name: str
    legs: tuple[Leg, ...]
    venues: tuple[Venue, ...]
    dest: np.ndarray
    depart_h: np.ndarray
    arrive_h: np.ndarray
    awake: np.ndarray

    def where(self, t_h) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Venue index (the destination while flying, watches set on boarding), whether
        in flight, and whether in a flight marked awake, at season hours ``t_h``."""
        t = np.asarray(t_h, float)
        n = np.searchsorted(self.depart_h, t, side="right")  # legs departed by t
        venue = np.where(n > 0, np.r_[0, self.dest][n], 0)
        last = np.maximum(n - 1, 0)
        flying = (n > 0) & (t < self.arrive_h[last] if self.legs else False)
        return venue, flying, flying & (self.awake[last] if self.legs else False)

    def clock_changes(self, season: Season) -> np.ndarray:
        """Per leg: (arrival hour, clock change in h): the destination's UTC offset at
        arrival minus the origin's at departure, wrapped into [-12, 12) (Seoul to Los
        Angeles, -16 h on the calendar, is +8 h on the body's 24-h circle)."""
        out = np.zeros((len(self.legs), 2))
        by_name = {v.name: v for v in self.venues}
        for i, leg in enumerate(self.legs):
            before = _offset(season, by_name[leg.origin], leg.depart_h)
            after = _offset(season, self.venues[self.dest[i]], leg.arrive_h)
            out[i] = leg.arrive_h, (after - before + 12.0) % 24.0 - 12.0
        return out


def _offset(season: Season, venue: Venue, t_h: float) -> float:
    instant = season.start.astype("datetime64[s]") + np.timedelta64(round(t_h * 3600), "s")
    return float(utc_offset_h(venue.tz, [instant])[0])


def _shift_legs(season: Season, name: str, key: str) -> tuple[tuple[Leg, ...], Venue]:
    m = _SHIFT.match(name)
    if season.shift_trip is None:
        raise _parse.fail(key, name, "a time-zone shift needs scenario.shift_trip (departure "
                                     "and stay) in the scenario config")
    s = season.shift_trip
    shift = int(m.group(2)) * (1 if m.group(1) == "east" else -1)
    home = season.home
    target = _offset(season, home, s["depart_h"]) + shift
    if not (-12 <= target <= 14 and float(target).is_integer() and 1 <= abs(shift) <= 12):
        raise _parse.fail(key, name, f"expected a shift of 1 to 12 whole hours that gives a "
                                     f"clock within UTC-12..UTC+14 (got UTC{target:+g})")
    tz = "Etc/GMT" + (f"{-int(target):+d}" if target else "")
    lon = (home.lon + 15.0 * shift + 180.0) % 360.0 - 180.0
    away = Venue(name, tz, home.lat, lon, f"{abs(shift)} h {m.group(1)} of {home.name}")
    flight = s["base_h"] + s["per_zone_h"] * abs(shift)
    out_d = s["depart_h"]
    back_d = out_d + flight + 24.0 * s["stay_days"]
    legs = (Leg(f"{key}={name} (out)", home.name, name, out_d, out_d + flight, s["awake"]),
            Leg(f"{key}={name} (back)", name, home.name, back_d, back_d + flight, s["awake"]))
    return legs, away


def at_home(season: Season) -> Itinerary:
    """The whole season at home, no trip at all (not even the season's own): the
    reference a twin measures travel against."""
    return Itinerary(name="at home", legs=(), venues=(season.home,), dest=np.zeros(0, int),
                     depart_h=np.zeros(0), arrive_h=np.zeros(0), awake=np.zeros(0, bool))


def is_trip_name(season: Season, name: str) -> bool:
    return name == "home" or name in season.trips or bool(_SHIFT.match(name))


def resolve_itinerary(season: Season, name: str, key: str = "sweep.axes.itinerary"
                      ) -> Itinerary:
    """The season's trips plus the trip ``name`` (see the module docstring), checked."""
    venues = dict(season.venues)
    legs = [leg for trip in season.itinerary for leg in season.trips[trip]]
    if name in season.trips:
        legs += season.trips[name]
    elif _SHIFT.match(name):
        extra, away = _shift_legs(season, name, key)
        venues[name] = away
        legs += extra
    elif name != "home":
        raise _parse.fail(key, name, f"expected 'home', a trip of scenario.trips "
                                     f"{sorted(season.trips)}, or 'east_<h>' / 'west_<h>'")
    legs.sort(key=lambda leg: leg.depart_h)
    here, landed, end = season.home.name, -np.inf, 24.0 * season.days
    for leg in legs:
        if leg.origin != here:
            raise _parse.fail(f"{leg.key}.origin", leg.origin,
                              f"the athlete is in {here!r} then; expected a leg from {here!r}")
        if leg.depart_h < landed:
            raise _parse.fail(f"{leg.key}.depart", leg.depart_h,
                              "departs before the previous leg has landed")
        if leg.depart_h < 0:
            raise _parse.fail(f"{leg.key}.depart", f"season hour {leg.depart_h:g}",
                              "expected a departure within the season")
        if leg.arrive_h > end:
            raise _parse.fail(f"{leg.key}.arrive", f"season hour {leg.arrive_h:g}",
                              "expected an arrival within the season")
        here, landed = leg.destination, leg.arrive_h
    order = [season.home.name, *sorted({leg.destination for leg in legs} - {season.home.name})]
    index = {v: i for i, v in enumerate(order)}
    return Itinerary(
        name=name, legs=tuple(legs), venues=tuple(venues[v] for v in order),
        dest=np.array([index[leg.destination] for leg in legs], int),
        depart_h=np.array([leg.depart_h for leg in legs]),
        arrive_h=np.array([leg.arrive_h for leg in legs]),
        awake=np.array([leg.awake for leg in legs], bool))
