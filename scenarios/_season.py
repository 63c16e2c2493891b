"""A season, read from its config: calendar, microcycle template, matches, venues and trips.

:func:`build_season` turns a ``scenario`` config (:class:`scenarios.schema.ScenarioConf`,
as a dataclass or an OmegaConf node) into a checked :class:`Season`, whose arrays the
compiler (:mod:`scenarios._compile`) uses. Every error names the config key and value.

Time: the season's clock axis is hours since 00:00 UTC on its first day; day ``d`` is the
calendar date ``start + d`` wherever the athlete is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from physiology.load import session_rpe
from scenarios import _parse
from scenarios._venues import VENUES, Venue, check_tz, to_utc

#: Speed bands of GPS running volume (Bradley et al. 2009; Di Salvo et al. 2007 bands):
#: name, range (km/h) and a representative speed (m/s, the middle of the band; for the
#: open-ended bands an assumption: 9 km/h for walking and jogging, 27 km/h for sprints).
SPEED_BANDS: tuple[tuple[str, str, float], ...] = (
    ("walk_jog", "0-14.4 km/h", 2.5),
    ("running", "14.4-19.8 km/h", 4.75),
    ("hsr", "19.8-25.2 km/h", 6.25),
    ("sprint", ">25.2 km/h", 7.5),
)
BANDS = tuple(b[0] for b in SPEED_BANDS)
LOAD_KINDS = ("srpe", "trimp", "tss", "bikescore")
#: The largest match demand (load per minute relative to a standard match) a config may
#: give (assumption: three times a standard match's intensity is beyond any match).
MAX_DEMAND = 3.0
_DEMAND = f"expected a demand in [0, {MAX_DEMAND:g}] (1 = a standard match)"


@dataclass(frozen=True)
class Leg:
    """A travel leg with its instants in season hours (UTC)."""

    key: str
    origin: str
    destination: str
    depart_h: float
    arrive_h: float
    awake: bool


@dataclass(frozen=True)
class Match:
    day: int
    venue: str
    side: str
    kickoff_h: float  # local clock
    minutes: float
    demand: float


@dataclass(frozen=True)
class Season:
    """A checked season (see :func:`build_season`). Arrays are read-only."""

    name: str
    start: np.datetime64
    days: int
    home: Venue
    venues: dict[str, Venue]
    week_load: np.ndarray  # (7, kinds) AU per weekday, by LOAD_KINDS
    week_running: np.ndarray  # (7, bands) m per weekday
    week_minutes: np.ndarray  # (7,) min of training sessions per weekday (exposure)
    week_outdoor: tuple  # per weekday, the outdoor sessions' local (start_h, end_h)
    weekly_volume: np.ndarray  # (days,) template multiplier of each day's week
    matches: tuple[Match, ...]
    fixtures: dict  # per_week, ranks (7,), first, last, kickoff_h, minutes, demand
    match_length_min: float
    match_load_per_min: float  # AU/min of a standard match (its RPE)
    match_running_per_min: np.ndarray  # (bands,) m/min of a standard match
    rest_days: np.ndarray  # (days,) bool
    trips: dict[str, tuple[Leg, ...]]
    itinerary: tuple[str, ...]
    shift_trip: dict | None
    recovery: dict[str, tuple[int, float]]  # name -> (days off, long-haul zones)
    recovery_policy: str
    dt_h: float
    cabin_lux: float

    @property
    def dates(self) -> np.ndarray:
        return self.start + np.arange(self.days)


def _venues(cfg, key: str) -> dict[str, Venue]:
    out = dict(VENUES)
    for name, v in (cfg or {}).items():
        k = f"{key}.{name}"
        check_tz(f"{k}.tz", v.tz)
        lat = _parse.number(f"{k}.lat", v.lat, -66.0, 66.0,
                            expected="expected a latitude in [-66, 66] degrees (polar "
                                     "day and night are not modelled)")
        lon = _parse.number(f"{k}.lon", v.lon, -180.0, 180.0)
        out[str(name)] = Venue(str(name), v.tz, lat, lon, v.label or str(name))
    return out


def venue_name(key: str, value, venues: dict[str, Venue]) -> str:
    if str(value) not in venues:
        raise _parse.fail(key, value, "unknown venue; expected one of the built-in venues "
                                      "(scenarios.VENUES) or one defined under "
                                      "scenario.venues")
    return str(value)


#: Plausible ceilings: running no faster on average than the fastest human's peak speed
#: (12.4 m/s, Bolt 2009) in any band over a session, and a session-RPE of CR-10 for
#: every minute (TRIMP per minute stays below that too).
MAX_SPEED_M_S = 12.5
MAX_LOAD_PER_MIN = 10.0


def _running(key: str, r, minutes: float) -> np.ndarray:
    top = MAX_SPEED_M_S * 60.0 * minutes
    return np.array([_parse.number(f"{key}.{b}_m", getattr(r, f"{b}_m"), 0.0, top,
                                   expected=f"expected a distance in [0, {top:g}] m (at most "
                                            f"{MAX_SPEED_M_S:g} m/s over {minutes:g} min)")
                     for b in BANDS])


#: Start of a day's first session when the config gives none (local h; assumption).
FIRST_SESSION_H = 10.5


def _template(cfg, key: str):
    """Per weekday: load per kind, running per band, session minutes, and the outdoor
    sessions' local (start, end) hours."""
    load = np.zeros((7, len(LOAD_KINDS)))
    running = np.zeros((7, len(BANDS)))
    minutes_of = np.zeros(7)
    outdoor = [[] for _ in range(7)]
    free_at = np.full(7, FIRST_SESSION_H)  # when the day's previous session ends
    for i, s in enumerate(cfg.week):
        k = f"{key}.week[{i}]"
        day = s.day.value
        minutes = _parse.number(f"{k}.duration_min", s.duration_min, 0.0, 24 * 60.0)
        begin = free_at[day] if s.start is None else _parse.clock(f"{k}.start", s.start)
        end = begin + minutes / 60.0
        if end > 24.0 + 1e-9:
            raise _parse.fail(f"{k}.start", s.start, f"a session of {minutes:g} min from "
                                                     f"{begin:g} h ends after midnight")
        free_at[day] = end
        if s.on_feet if s.outdoor is None else s.outdoor:
            outdoor[day].append((begin, end))
        if s.load_au is not None:
            top = MAX_LOAD_PER_MIN * minutes
            au = _parse.number(f"{k}.load_au", s.load_au, 0.0, top,
                               expected=f"expected a load in [0, {top:g}] AU (at most "
                                        f"{MAX_LOAD_PER_MIN:g} AU a minute over {minutes:g} min)")
        elif s.rpe is not None:
            au = float(session_rpe(_parse.number(f"{k}.rpe", s.rpe, 0.0, 10.0,
                                                 expected="expected a CR-10 rating in "
                                                          "[0, 10]"), minutes))
        else:
            raise _parse.fail(f"{k}.rpe", None, "give rpe (session-RPE load) or load_au")
        load[day, LOAD_KINDS.index(_parse.enum_name(s.load_kind))] += au
        dist = _running(f"{k}.running", s.running, minutes)
        if not s.on_feet and dist.any():
            raise _parse.fail(f"{k}.running", dict(zip(BANDS, dist, strict=True)),
                              "a session not on feet has no running volume")
        running[day] += dist
        minutes_of[day] += minutes
    return load, running, minutes_of, tuple(tuple(d) for d in outdoor)


def _legs(key: str, legs, season_hours, venues) -> tuple[Leg, ...]:
    out = []
    for i, leg in enumerate(legs):
        k = f"{key}[{i}]"
        origin = venue_name(f"{k}.origin", leg.origin, venues)
        dest = venue_name(f"{k}.destination", leg.destination, venues)
        t0 = season_hours(origin, _parse.instant(f"{k}.depart", leg.depart))
        t1 = season_hours(dest, _parse.instant(f"{k}.arrive", leg.arrive))
        if t1 <= t0:
            raise _parse.fail(f"{k}.arrive", leg.arrive,
                              f"arrives before it departs ({leg.depart} at {origin} is "
                              f"{t0 - t1:.2f} h after it in UTC); expected arrival after "
                              "departure")
        out.append(Leg(k, origin, dest, t0, t1, bool(leg.awake)))
    return tuple(out)


def build_season(cfg, *, home: str, key: str = "scenario") -> Season:
    """Check a scenario config and resolve it against the squad's ``home`` venue.

    Raises:
        scenarios.ConfigError: naming the key and value of the first problem found.
    """
    venues = _venues(cfg.venues, f"{key}.venues")
    home = venue_name("athletes.home", home, venues)
    start = _parse.date(f"{key}.start", cfg.start)
    days = int(_parse.number(f"{key}.days", cfg.days, 1, 3660))
    dt_h = _parse.number(f"{key}.dt_h", cfg.dt_h, 0.0, 1.0, low_open=True)
    if abs(24.0 / dt_h - round(24.0 / dt_h)) > 1e-9:
        raise _parse.fail(f"{key}.dt_h", cfg.dt_h, "expected a step that divides 24 h")
    epoch = dt.datetime.fromisoformat(str(start))

    def hours(venue, local):
        return (to_utc(venues[venue].tz, local) - epoch).total_seconds() / 3600.0

    week_load, week_running, week_minutes, week_outdoor = _template(cfg, key)
    vols = [_parse.number(f"{key}.weekly_volume[{i}]", v, 0.0,
                          expected="expected a multiplier >= 0")
            for i, v in enumerate(cfg.weekly_volume)] or [1.0]
    weekly = np.array(vols)[np.minimum(np.arange(days) // 7, len(vols) - 1)]

    def day_of(k, value):
        d = int((_parse.date(k, value) - start).astype(int))
        if not 0 <= d < days:
            raise _parse.fail(k, value, f"expected a date within the season ({start} to "
                                        f"{start + days - 1})")
        return d

    matches = []
    for i, m in enumerate(cfg.matches):
        k = f"{key}.matches[{i}]"
        matches.append(Match(day_of(f"{k}.date", m.date), venue_name(f"{k}.venue", m.venue,
                                                                     venues),
                             _parse.enum_name(m.side), _parse.clock(f"{k}.kickoff", m.kickoff),
                             _parse.number(f"{k}.minutes", m.minutes, 0.0, 200.0),
                             _parse.number(f"{k}.demand", m.demand, 0.0, MAX_DEMAND,
                                           expected=_DEMAND)))
    f = cfg.fixtures
    fk = f"{key}.fixtures"
    ranks = np.full(7, 7)
    for r, wd in enumerate(f.weekdays):
        ranks[wd.value] = min(ranks[wd.value], r)
    fixtures = {
        "per_week": _parse.number(f"{fk}.per_week", f.per_week, 0.0, len(set(f.weekdays)),
                                  expected=f"expected matches per week in [0, "
                                           f"{len(set(f.weekdays))}] (the number of "
                                           "fixture weekdays)"),
        "ranks": ranks,
        "n_weekdays": len(set(f.weekdays)),
        # may lie outside the season (a league that started before it): weeks count from it
        "first": 0 if f.first is None else int((_parse.date(f"{fk}.first", f.first)
                                                 - start).astype(int)),
        "last": days - 1 if f.last is None else int((_parse.date(f"{fk}.last", f.last)
                                                     - start).astype(int)),
        "kickoff_h": _parse.clock(f"{fk}.kickoff", f.kickoff),
        "minutes": _parse.number(f"{fk}.minutes", f.minutes, 0.0, 200.0),
        "demand": _parse.number(f"{fk}.demand", f.demand, 0.0, MAX_DEMAND, expected=_DEMAND),
    }
    if fixtures["first"] > fixtures["last"]:
        raise _parse.fail(f"{fk}.first", f.first, f"expected a date on or before "
                                                  f"{fk}.last ({f.last or 'the season end'})")
    md = cfg.match
    length = _parse.number(f"{key}.match.length_min", md.length_min, 0.0, 200.0, low_open=True)
    rpe = _parse.number(f"{key}.match.rpe", md.rpe, 0.0, 10.0)
    rest = np.zeros(days, bool)
    for i, d in enumerate(cfg.rest_days):
        rest[day_of(f"{key}.rest_days[{i}]", d)] = True
    trips = {str(name): _legs(f"{key}.trips.{name}.legs", t.legs, hours, venues)
             for name, t in cfg.trips.items()}
    for i, name in enumerate(cfg.itinerary):
        if str(name) not in trips:
            raise _parse.fail(f"{key}.itinerary[{i}]", name, f"unknown trip; expected one of "
                                                             f"{sorted(trips)}")
    shift = None
    if cfg.shift_trip is not None:
        s, sk = cfg.shift_trip, f"{key}.shift_trip"
        shift = {"depart_h": hours(home, _parse.instant(f"{sk}.depart", s.depart)),
                 "depart": _parse.instant(f"{sk}.depart", s.depart),
                 "stay_days": int(_parse.number(f"{sk}.stay_days", s.stay_days, 1, days)),
                 "base_h": _parse.number(f"{sk}.flight_base_h", s.flight_base_h, 0.0, 24.0),
                 "per_zone_h": _parse.number(f"{sk}.flight_h_per_zone", s.flight_h_per_zone,
                                             0.0, 3.0),
                 "awake": bool(s.awake)}
    recovery = {}
    for name, r in cfg.recovery.items():
        rk = f"{key}.recovery.{name}"
        recovery[str(name)] = (
            int(_parse.number(f"{rk}.days_off_after_longhaul", r.days_off_after_longhaul, 0, 14)),
            _parse.number(f"{rk}.longhaul_zones", r.longhaul_zones, 0.0, 24.0))
    if cfg.recovery_policy not in recovery:
        raise _parse.fail(f"{key}.recovery_policy", cfg.recovery_policy,
                          f"expected one of {sorted(recovery)}")
    arrays = [week_load, week_running, week_minutes, weekly, rest]
    for a in arrays:
        a.setflags(write=False)
    return Season(
        name=str(cfg.name), start=start, days=days, home=venues[home], venues=venues,
        week_load=week_load, week_running=week_running, week_minutes=week_minutes,
        week_outdoor=week_outdoor, weekly_volume=weekly,
        matches=tuple(matches), fixtures=fixtures, match_length_min=length,
        match_load_per_min=rpe, match_running_per_min=_running(f"{key}.match.running",
                                                               md.running, 90.0) / 90.0,
        rest_days=rest, trips=trips, itinerary=tuple(str(n) for n in cfg.itinerary),
        shift_trip=shift, recovery=recovery, recovery_policy=str(cfg.recovery_policy),
        dt_h=dt_h, cabin_lux=_parse.number(f"{key}.cabin_lux", cfg.cabin_lux, 0.0))
