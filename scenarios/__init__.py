"""What an athlete lives through: seasons, sessions, matches, travel, and sweep axes.

- configs: the structured schemas in :mod:`scenarios.schema` (Hydra groups
  ``conf/athletes``, ``conf/scenario``, ``conf/sweep``), checked and resolved by
  :func:`build_squad`, :func:`build_season` and :func:`build_sweep` (errors are
  :class:`ConfigError` naming the key and value);
- venues: :data:`VENUES` (real cities and stadiums with IANA time zones), extensible
  under ``scenario.venues``; :func:`utc_offset_h`, :func:`sun_times` and
  :func:`solar_elevation`;
- itineraries: :func:`resolve_itinerary` (trips chained from home, or an ``east_<h>`` /
  ``west_<h>`` shift);
- checks: :func:`parse_number` and :func:`parse_date` (the apps layer's too), each error
  naming the key and value; the sweep axes declared once in :data:`SWEEP_AXES`;
- compilation: :func:`compile_days` (daily load per load kind, running per speed band,
  matches, rest, vectorised over sweep points) and :func:`compile_clock` (local clock,
  sleep opportunity and light on the sub-daily grid, per itinerary).
"""

from scenarios._compile import (
    ClockInputs,
    DailyInputs,
    athlete_matches,
    compile_clock,
    compile_days,
)
from scenarios._itinerary import Itinerary, at_home, resolve_itinerary
from scenarios._parse import ConfigError
from scenarios._parse import date as parse_date
from scenarios._parse import number as parse_number
from scenarios._schedule import ScheduleParams
from scenarios._season import BANDS, LOAD_KINDS, SPEED_BANDS, Leg, Match, Season, build_season
from scenarios._squad import Squad, build_squad
from scenarios._sweep import AXES, SWEEP_AXES, Axis, Sweep, as_planned, build_sweep
from scenarios._venues import VENUES, Venue, solar_elevation, sun_times, utc_offset_h

__all__ = [
    "AXES",
    "BANDS",
    "LOAD_KINDS",
    "SPEED_BANDS",
    "SWEEP_AXES",
    "VENUES",
    "Axis",
    "ClockInputs",
    "ConfigError",
    "DailyInputs",
    "Itinerary",
    "Leg",
    "Match",
    "ScheduleParams",
    "Season",
    "Squad",
    "Sweep",
    "Venue",
    "as_planned",
    "at_home",
    "athlete_matches",
    "build_season",
    "build_squad",
    "build_sweep",
    "compile_clock",
    "compile_days",
    "parse_date",
    "parse_number",
    "resolve_itinerary",
    "solar_elevation",
    "sun_times",
    "utc_offset_h",
]
