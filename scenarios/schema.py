"""Structured configs (Hydra / OmegaConf) for squads, seasons and sweeps.

These dataclasses are the schemas of the YAML groups ``conf/athletes``, ``conf/scenario``
and ``conf/sweep``. OmegaConf checks keys and types when a YAML file or an override is
merged into them (an unknown key or a string where a number belongs fails, naming the
key); :func:`scenarios.build_season`, :func:`scenarios.build_sweep` and
:func:`scenarios.build_squad` then check values, ranges and consistency, naming the key.

Units are in the field names (``_min``, ``_m``, ``_kg``, ``_h``); clock times are local
``"HH:MM"`` strings, dates ISO ``"YYYY-MM-DD"`` and instants ``"YYYY-MM-DDTHH:MM"`` local
at the venue concerned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from omegaconf import MISSING


class LoadKind(Enum):
    """How a session's internal load is measured."""

    srpe = "srpe"  # session-RPE, CR-10 RPE x minutes (Foster et al. 2001), AU
    trimp = "trimp"  # Banister TRIMP, AU
    tss = "tss"  # TrainingPeaks Training Stress Score, AU
    bikescore = "bikescore"  # GoldenCheetah BikeScore, AU


class Weekday(Enum):
    mon = 0
    tue = 1
    wed = 2
    thu = 3
    fri = 4
    sat = 5
    sun = 6


class Side(Enum):
    home = "home"
    away = "away"


class Sex(Enum):
    female = "female"
    male = "male"


class Position(Enum):
    """Outfield positions of the match-running data (Bradley et al. 2009); goalkeepers are
    not modelled (no match-running profile, and the injury rates are outfield players')."""

    centre_back = "centre_back"
    full_back = "full_back"
    central_midfielder = "central_midfielder"
    wide_midfielder = "wide_midfielder"  # wingers
    forward = "forward"  # strikers, Bradley's attackers


class SweepMode(Enum):
    grid = "grid"  # Cartesian product of the axes
    lhs = "lhs"  # Latin hypercube sample (scipy.stats.qmc.LatinHypercube)
    sobol = "sobol"  # scrambled Sobol sequence (scipy.stats.qmc.Sobol)


@dataclass
class VenueConf:
    tz: str = MISSING  # IANA time zone
    lat: float = MISSING  # degrees north
    lon: float = MISSING  # degrees east
    label: str = ""


@dataclass
class RunningConf:
    """Distance (m) per speed band (bands: :data:`scenarios.SPEED_BANDS`)."""

    walk_jog_m: float = 0.0
    running_m: float = 0.0
    hsr_m: float = 0.0
    sprint_m: float = 0.0


@dataclass
class SessionConf:
    day: Weekday = MISSING
    kind: str = "pitch"  # free label: pitch, gym, recovery, ...
    duration_min: float = MISSING
    rpe: float | None = None  # CR-10; load = rpe x duration when load_au is not given
    load_au: float | None = None
    load_kind: LoadKind = LoadKind.srpe
    on_feet: bool = True
    running: RunningConf = field(default_factory=RunningConf)
    start: str | None = None  # local "HH:MM"; default: 10:30, or when the previous one ends
    outdoor: bool | None = None  # in daylight (or floodlit) outdoors; default: on_feet


@dataclass
class MatchConf:
    date: str = MISSING
    venue: str = MISSING
    side: Side = Side.away
    kickoff: str = "15:00"
    minutes: float = 90.0  # expected minutes played
    demand: float = 1.0  # relative to a standard match (MatchDefaultsConf)


@dataclass
class FixturesConf:
    """Generated fixtures: ``per_week`` matches a week from ``first`` to ``last``, on the
    first ``per_week`` days of ``weekdays``, where the athlete is (home or away)."""

    per_week: float = 0.0
    weekdays: list[Weekday] = field(default_factory=lambda: [Weekday.sat, Weekday.wed,
                                                             Weekday.mon])
    first: str | None = None  # default: the season start
    last: str | None = None  # default: the season end
    kickoff: str = "15:00"
    minutes: float = 90.0
    demand: float = 1.0


@dataclass
class MatchDefaultsConf:
    """A standard match: its length, session-RPE and running per 90 min."""

    length_min: float = 90.0  # the most minutes a player can play
    rpe: float = 8.0  # CR-10
    running: RunningConf = field(default_factory=lambda: RunningConf(
        walk_jog_m=8222.0, running_m=1587.0, hsr_m=650.0, sprint_m=255.0))


@dataclass
class TravelLegConf:
    origin: str = MISSING
    destination: str = MISSING
    depart: str = MISSING  # local at origin, "YYYY-MM-DDTHH:MM"
    arrive: str = MISSING  # local at destination
    awake: bool = False  # true: no sleep on board


@dataclass
class TripConf:
    legs: list[TravelLegConf] = field(default_factory=list)


@dataclass
class ShiftTripConf:
    """The trip behind sweep itineraries such as ``east_6``: out from home to a place
    ``n`` hours ahead (east) or behind (west), a stay, and back."""

    depart: str = MISSING  # local at home, "YYYY-MM-DDTHH:MM"
    stay_days: int = 10
    flight_base_h: float = 1.5
    flight_h_per_zone: float = 1.25
    awake: bool = False


@dataclass
class RecoveryConf:
    """Days off training after a long-haul arrival (matches are still played)."""

    days_off_after_longhaul: int = 0
    longhaul_zones: float = 3.0  # |clock change| (h) that makes a trip long-haul


@dataclass
class ScenarioConf:
    name: str = MISSING
    start: str = MISSING  # first day
    days: int = 365
    week: list[SessionConf] = field(default_factory=list)  # the microcycle template
    weekly_volume: list[float] = field(default_factory=lambda: [1.0])  # per week, last repeats
    matches: list[MatchConf] = field(default_factory=list)
    fixtures: FixturesConf = field(default_factory=FixturesConf)
    match: MatchDefaultsConf = field(default_factory=MatchDefaultsConf)
    rest_days: list[str] = field(default_factory=list)
    venues: dict[str, VenueConf] = field(default_factory=dict)
    trips: dict[str, TripConf] = field(default_factory=dict)
    itinerary: list[str] = field(default_factory=list)  # trips always taken
    shift_trip: ShiftTripConf | None = None
    recovery: dict[str, RecoveryConf] = field(default_factory=lambda: {"none": RecoveryConf()})
    recovery_policy: str = "none"
    dt_h: float = 0.1  # sub-daily grid step (h)
    cabin_lux: float = 50.0  # light on board when awake (assumption: a dimmed cabin)
    load_plan: str | None = None  # per-athlete training loads (CSV, twin-plan), replayed
    # per-athlete light and sleep actions (CSV, twin-travel), replayed
    travel_plan: str | None = None


@dataclass
class AxesConf:
    """Each axis: ``null`` (not swept), a list of values, or a range
    ``{start, stop, num}`` / ``{start, stop, step}`` (stop included)."""

    training_volume: Any = None  # multiplier of training duration and running
    match_load: Any = None  # multiplier of match minutes x intensity
    fixture_density: Any = None  # matches per week (generated fixtures)
    itinerary: Any = None  # "home", a trip name, or "east_<h>" / "west_<h>"
    recovery: Any = None  # a recovery policy name


@dataclass
class SweepConf:
    name: str = "sweep"
    mode: SweepMode = SweepMode.grid
    n: int = 64  # points of a sampled sweep
    seed: int = 0
    axes: AxesConf = field(default_factory=AxesConf)


@dataclass
class SleepConf:
    bed: str = "23:00"
    wake: str = "07:00"
    need_h: float = 8.3  # sleep need (h); Sargent et al. 2021, elite athletes' self-assessed


@dataclass
class AthleteConf:
    id: str = MISSING
    name: str | None = None  # a direct identifier; governance may drop it
    body_mass_kg: float = MISSING
    leg_length_m: float = MISSING
    sex: Sex = MISSING
    sleep: SleepConf = field(default_factory=SleepConf)
    jurisdiction: str = "EU"
    # Individual attributes (scenarios.Squad); each default leaves the athlete as the
    # squad average, so a squad that sets none runs exactly as before.
    position: Position | None = None  # match running per speed band (Bradley et al. 2009)
    minutes_share: float = 1.0  # share of each match's expected minutes played, [0, 1]
    previous_injury: bool | None = None  # a time-loss injury last season (null: not known)
    age_years: float | None = None  # years (the age term is off by default)


@dataclass
class SquadConf:
    name: str = MISSING
    home: str = MISSING  # venue where the squad lives and plays home matches
    parameters: str = "defaults"  # "defaults" (documented priors) or a calibration file
    athletes: list[AthleteConf] = field(default_factory=list)
