"""Compile a season and its sweep points into the arrays the twin consumes.

Day grid (:func:`compile_days`, vectorised over sweep points ``P`` and days ``D``):

- training: ``volume * weekly_volume[week] * template[weekday]`` on days that are neither
  match days nor rest days (a match replaces that day's sessions; rest days come from
  ``scenario.rest_days`` and from the recovery policy after long-haul arrivals); the
  sessions' minutes (the injury exposure) scale the same way (assumption: a change of
  volume is a change of session time at the template's intensity);
- generated fixtures: with density ``rho`` matches per week, week ``w`` (counted from
  ``fixtures.first``) holds ``floor((w + 1) rho) - floor(w rho)`` matches, on the first
  of ``fixtures.weekdays``; played where the athlete is at 12:00 on the home clock (home
  or away), at the fixture kickoff on the local clock. Explicit ``scenario.matches`` take their day;
- match load: with multiplier ``m`` and expected minutes ``M``, minutes played are
  ``min(m M, length)`` and the intensity ``demand * m M / minutes`` (per minute, 1 = a
  standard match), so the match's session-RPE load ``rpe * M * demand * m`` and its
  running volume scale exactly with ``m`` while minutes stop at the match length.

Sub-daily grid (:func:`compile_clock`, per itinerary, vectorised over athletes' sleep
windows): local-clock UTC offset, local hour, sleep opportunity (the habitual window on
the clock in force, never in a flight marked awake), and light (lux) from
:func:`physiology.circadian.light_from_day` with the venue's sunrise and sunset, cabin
light when awake on board.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from physiology.circadian import LightParams, light_from_day
from scenarios import _parse
from scenarios._itinerary import Itinerary, resolve_itinerary
from scenarios._season import BANDS, LOAD_KINDS, Season
from scenarios._sweep import Sweep
from scenarios._venues import Venue, sun_times, utc_offset_h


@dataclass(frozen=True)
class DailyInputs:
    """Day-grid inputs per sweep point ``(P, D[, K])``; see the module docstring."""

    dates: np.ndarray  # (D,) datetime64[D]
    load: np.ndarray  # (P, D, len(LOAD_KINDS)) AU
    running_m: np.ndarray  # (P, D, len(BANDS)) m
    training_min: np.ndarray  # (P, D) min of training sessions (exposure)
    match: np.ndarray  # (P, D) bool
    match_minutes: np.ndarray  # (P, D) min, expected minutes played if available
    match_intensity: np.ndarray  # (P, D) 1 = a standard match's load per minute
    kickoff_h: np.ndarray  # (P, D) season hours (UTC) of kickoff; NaN without a match
    away: np.ndarray  # (P, D) bool, away from home at noon
    rest: np.ndarray  # (P, D) bool
    itinerary: np.ndarray  # (P,) index into ``itineraries``
    itineraries: tuple[Itinerary, ...]
    load_kinds: tuple[str, ...] = LOAD_KINDS
    bands: tuple[str, ...] = BANDS


@dataclass(frozen=True)
class ClockInputs:
    """Sub-daily inputs of one itinerary on ``T`` steps of ``dt_h`` from local midnight at
    home on the first day; athlete-specific fields have a leading athlete axis."""

    t_h: np.ndarray  # (T,) season hours (UTC)
    dt_h: float
    utc_offset_h: np.ndarray  # (T,) h, the clock in force
    local_hour: np.ndarray  # (T,) h in [0, 24)
    in_flight: np.ndarray  # (T,) bool
    venue: np.ndarray  # (T,) index into the itinerary's venues
    sleep: np.ndarray  # (A, T) bool, sleep opportunity
    light_lux: np.ndarray  # (A, T) lux


def _weekday(season: Season) -> np.ndarray:
    return (season.dates.astype(int) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0


def _day_offsets(season: Season, venues: list[Venue]) -> np.ndarray:
    """UTC offset (h) of each venue at 12:00 UTC of each day, ``(V, D)``."""
    noon = season.dates.astype("datetime64[h]") + np.timedelta64(12, "h")
    return np.stack([utc_offset_h(v.tz, noon) for v in venues])


def _explicit(season: Season, vindex: dict[str, int]):
    d = season.days
    out = {"on": np.zeros(d, bool), "venue": np.zeros(d, int), "kick": np.zeros(d),
           "minutes": np.zeros(d), "demand": np.zeros(d)}
    for i, m in enumerate(season.matches):
        if out["on"][m.day]:
            raise _parse.fail(f"scenario.matches[{i}].date", str(season.dates[m.day]),
                              "a second match on the same day")
        out["on"][m.day] = True
        out["venue"][m.day] = vindex[m.venue]
        out["kick"][m.day], out["minutes"][m.day] = m.kickoff_h, m.minutes
        out["demand"][m.day] = m.demand
    return out


def _rule_matches(season: Season, density: np.ndarray) -> np.ndarray:
    f, days = season.fixtures, np.arange(season.days)
    in_window = (days >= f["first"]) & (days <= f["last"])
    week = np.maximum(days - f["first"], 0) // 7
    rho = density[:, None]
    count = np.floor((week + 1) * rho + 1e-9) - np.floor(week * rho + 1e-9)
    return in_window & (f["ranks"][_weekday(season)] < count)


def _recovery_rest(season: Season, itin: Itinerary, policy: str, offsets, gidx) -> np.ndarray:
    days_off, zones = season.recovery[policy]
    rest = np.zeros(season.days, bool)
    if days_off == 0:
        return rest
    for i, (arrive_h, change) in enumerate(itin.clock_changes(season)):
        if abs(change) >= zones - 1e-9:
            g = gidx[itin.dest[i]]
            day = int(np.floor((arrive_h + offsets[g, min(int(arrive_h // 24),
                                                          season.days - 1)]) / 24.0))
            rest[max(day + 1, 0):day + 1 + days_off] = True
    return rest


def compile_days(season: Season, sweep: Sweep) -> DailyInputs:
    """Day-grid arrays for every sweep point (module docstring)."""
    pts, n_d = sweep.points, season.days
    names, itin_of = np.unique(pts["itinerary"], return_inverse=True)
    itins = tuple(resolve_itinerary(season, str(n)) for n in names)
    venues = {v.name: v for it in itins for v in it.venues} | season.venues
    order = list(venues)
    vindex = {v: i for i, v in enumerate(order)}
    offsets = _day_offsets(season, [venues[v] for v in order])
    noon_h = 24.0 * np.arange(n_d) + 12.0 - offsets[vindex[season.home.name]]  # home noon
    where = np.stack([[vindex[it.venues[k].name] for k in it.where(noon_h)[0]]
                      for it in itins])  # (I, D) global venue index at noon
    gidx = [np.array([vindex[v.name] for v in it.venues]) for it in itins]

    expl = _explicit(season, vindex)
    rule = _rule_matches(season, np.asarray(pts["fixture_density"], float)) & ~expl["on"]
    match = rule | expl["on"]
    loc = where[itin_of]  # (P, D)
    f = season.fixtures
    venue = np.where(expl["on"], expl["venue"], loc)
    kick_local = np.where(expl["on"], expl["kick"], f["kickoff_h"])
    kickoff = np.where(match, 24.0 * np.arange(n_d) + kick_local
                       - offsets[venue, np.arange(n_d)], np.nan)
    expected = np.where(match, np.where(expl["on"], expl["minutes"], f["minutes"]), 0.0)
    demand = np.where(expl["on"], expl["demand"], f["demand"])
    m = np.asarray(pts["match_load"], float)[:, None]
    minutes = np.minimum(m * expected, season.match_length_min)
    intensity = np.where(minutes > 0, demand * m * expected / np.where(minutes > 0, minutes, 1),
                         0.0)

    pol_names, pol_of = np.unique(pts["recovery"], return_inverse=True)
    rest_key = np.stack([[_recovery_rest(season, it, str(p), offsets, g) for p in pol_names]
                         for it, g in zip(itins, gidx, strict=True)])  # (I, R, D)
    rest = season.rest_days | rest_key[itin_of, pol_of]
    train = ~match & ~rest
    day_scale = (np.asarray(pts["training_volume"], float)[:, None] * season.weekly_volume
                 * train)  # (P, D)
    wd = _weekday(season)
    effort = minutes * intensity  # standard-match minutes
    load = day_scale[..., None] * season.week_load[wd]
    load[..., LOAD_KINDS.index("srpe")] += effort * season.match_load_per_min
    running = (day_scale[..., None] * season.week_running[wd]
               + effort[..., None] * season.match_running_per_min)
    home_idx = vindex[season.home.name]
    return DailyInputs(dates=season.dates, load=load, running_m=running,
                       training_min=day_scale * season.week_minutes[wd], match=match,
                       match_minutes=minutes, match_intensity=intensity, kickoff_h=kickoff,
                       away=match & (venue != home_idx) | (loc != home_idx) & ~match,
                       rest=rest, itinerary=itin_of, itineraries=itins)


def compile_clock(season: Season, itinerary: Itinerary, bed_h, wake_h, *,
                  light: LightParams | None = None) -> ClockInputs:
    """Sub-daily arrays of one itinerary for athletes with habitual sleep windows
    ``[bed_h, wake_h)`` (local hours, arrays of shape (A,))."""
    bed = np.atleast_1d(np.asarray(bed_h, float))[:, None]
    wake = np.atleast_1d(np.asarray(wake_h, float))[:, None]
    dt_h = season.dt_h
    per_day = round(24.0 / dt_h)
    start = season.start.astype("datetime64[s]")
    t0 = -float(utc_offset_h(season.home.tz, [start])[0])  # local midnight at home
    t = t0 + dt_h * np.arange(season.days * per_day)
    venue, flying, awake = itinerary.where(t)
    instants = start + np.round(t * 3600).astype("timedelta64[s]")
    offset = np.empty_like(t)
    rise, sets = np.empty_like(t), np.empty_like(t)
    for k, v in enumerate(itinerary.venues):
        on = venue == k
        if not on.any():
            continue
        off_k = utc_offset_h(v.tz, instants[on])
        offset[on] = off_k
        day = np.clip(np.floor((t[on] + off_k) / 24.0).astype(int), 0, season.days - 1)
        noon = season.dates.astype("datetime64[h]") + np.timedelta64(12, "h")
        r, s = sun_times(v.lat, v.lon, season.dates, utc_offset_h(v.tz, noon))
        rise[on], sets[on] = r[day], s[day]
    local = np.mod(t + offset, 24.0)
    asleep = (np.mod(local - bed, 24.0) < np.mod(wake - bed, 24.0)) & ~awake
    lux = light_from_day(asleep.astype(float), local, rise, sets, light)
    lux = np.where(flying & ~asleep, season.cabin_lux, lux)
    return ClockInputs(t_h=t, dt_h=dt_h, utc_offset_h=offset, local_hour=local,
                       in_flight=flying, venue=venue, sleep=asleep, light_lux=lux)
