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
windows): local-clock UTC offset, local hour, the sun's elevation where the athlete is
(:func:`scenarios.solar_elevation`), the sleep opportunity (the habitual window on the
clock in force, later after a match, on board flights not marked awake, a nap slot:
:mod:`scenarios._schedule`), and light at the eye (:func:`physiology.circadian.light_at_eye`:
dark in bed, daylight in the outdoor sessions of the microcycle at their local times and on
the pitch, floodlights at matches, indoor levels otherwise, cabin light on board). The
sessions light the days they are on (their weekday on the local date, not match or rest
days); the recovery policy's rest days are a sweep axis and do not change the light.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from physiology import validate
from physiology.circadian import LightParams, light_at_eye
from physiology.kernels.floatmod import floor_mod
from scenarios import _parse
from scenarios._itinerary import Itinerary, resolve_itinerary
from scenarios._schedule import ScheduleParams
from scenarios._season import BANDS, LOAD_KINDS, Season
from scenarios._sweep import Sweep
from scenarios._venues import Venue, solar_elevation, utc_offset_h


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
    match_planned: np.ndarray | None = None  # (P, D) min, m x expected, before the cap


def athlete_matches(days: DailyInputs, season: Season, share, running_ratio):
    """Each athlete's matches when athletes play a share of each match's expected minutes
    (``share``, ``(A,)``) with their own running per band (``running_ratio``,
    ``(A, bands)``, times the standard match's): minutes ``min(s m M, length)``, the match's
    load and running scaled by ``s`` as the module docstring scales them by ``m`` (a
    substitute's 30 minutes carry 30 minutes of load), intensity per minute unchanged but
    for the cap. Returns minutes, intensity, session-RPE load and running
    ``(A, P, D)``, ``(A, P, D)``, ``(A, P, D)``, ``(A, P, D, bands)``; on days without a
    match the load and running are the scenario's (its training), on match days the
    athlete's match (a match day has no training)."""
    share = np.asarray(share, float)[:, None, None]
    effort = share * (days.match_minutes * days.match_intensity)[None]
    minutes = np.minimum(share * days.match_planned[None], season.match_length_min)
    intensity = np.where(minutes > 0, effort / np.where(minutes > 0, minutes, 1.0), 0.0)
    srpe = days.load[..., LOAD_KINDS.index("srpe")]
    load = np.where(days.match[None], effort * season.match_load_per_min, srpe[None])
    run = (effort[..., None] * season.match_running_per_min
           * np.asarray(running_ratio, float)[:, None, None, :])
    running = np.where(days.match[None, ..., None], run, days.running_m[None])
    return minutes, intensity, load, running


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
    sleep: np.ndarray  # (A, T) bool, sleep opportunity (night, nap, on board)
    dark: np.ndarray  # (A, T) bool, in bed with the lights out (0 lux)
    light_lux: np.ndarray  # (A, T) lux at the eye
    elevation_deg: np.ndarray  # (T,) the sun's elevation where the athlete is
    outdoors: np.ndarray  # (T,) bool, in an outdoor session or a match
    # What a travel plan (twin.travel) recomposes the light and sleep opportunity from:
    awake_lux: np.ndarray | None = None  # (T,) lux at the eye when up (cabin on board)
    outdoor_lux: np.ndarray | None = None  # (T,) lux at the eye outdoors (daylight, up)
    sleep_allowed: np.ndarray | None = None  # (T,) bool: not on the pitch, in a session,
    # in flight, or before post_match_bed_h after a match
    settled: np.ndarray | None = None  # (T,) bool: on board, sleep possible
    nap: np.ndarray | None = None  # (T,) bool: the nap opportunity


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
                       rest=rest, itinerary=itin_of, itineraries=itins,
                       match_planned=m * expected)


def _match_windows(t: np.ndarray, kicks: np.ndarray, warmup_h: float, length_h: float):
    """On the pitch (warm-up to final whistle, ``[k - warmup_h, k + length_h)`` for a
    kickoff k) at each grid time ``t``, and the hours since the last final whistle (inf
    before the first), for sorted kickoffs. Every window has the same length, so the
    last one started is the one that ends last: one sorted search each."""
    if kicks.size == 0:
        return np.zeros(t.size, bool), np.full(t.size, np.inf)
    starts, ends = kicks - warmup_h, kicks + length_h
    last_start = np.searchsorted(starts, t, side="right") - 1  # starts[j] <= t
    on_pitch = (last_start >= 0) & (t < ends[np.maximum(last_start, 0)])
    last_end = np.searchsorted(ends, t, side="right") - 1  # ends[j] <= t
    after = np.where(last_end >= 0, t - ends[np.maximum(last_end, 0)], np.inf)
    return on_pitch, after


@njit(cache=True, error_model="numpy")
def _in_window(local, bed, wake, out):  # pragma: no cover - compiled
    """``out[a, t] = (local[t] - bed[a]) % 24 < (wake[a] - bed[a]) % 24``: in athlete
    a's habitual window ``[bed, wake)`` on the local clock, the same booleans as NumPy's
    ``mod``. Where every ``d = local - bed`` is in (-24, 24), ``d % 24`` is ``d`` or the
    rounded ``d + 24`` (``fmod`` is exact; a ``-0.0`` compares as ``0.0``), a select that
    vectorises (the demo squad's season at 0.1 h: 14 ms -> 0.3 ms a call); otherwise
    :func:`physiology.kernels.floatmod.floor_mod`, which is ``%``."""
    lo, hi = local.min(), local.max()
    for a in range(out.shape[0]):
        b = bed[a]
        span = floor_mod(wake[a] - b, 24.0)
        row = out[a]
        if lo - b > -24.0 and hi - b < 24.0:
            for k in range(local.size):
                d = local[k] - b
                row[k] = (d + 24.0 if d < 0.0 else d) < span
        else:
            for k in range(local.size):
                row[k] = floor_mod(local[k] - b, 24.0) < span


def compile_clock(season: Season, itinerary: Itinerary, bed_h, wake_h, *,
                  light: LightParams | None = None, kickoff_h=None,
                  schedule: ScheduleParams | None = None) -> ClockInputs:
    """Sub-daily arrays of one itinerary for athletes with habitual sleep windows
    ``[bed_h, wake_h)`` (local hours, arrays of shape (A,)).

    ``kickoff_h``: season hours (UTC) of the matches played on this itinerary (NaN
    entries ignored); each is outdoors and floodlit from the warm-up to the final whistle,
    replaces that local date's training sessions, and pushes the following night's lights
    out to ``schedule.post_match_bed_h`` after the final whistle.
    """
    schedule = validate.record("schedule", schedule, ScheduleParams)
    bed = np.atleast_1d(np.asarray(bed_h, float))[:, None]
    wake = np.atleast_1d(np.asarray(wake_h, float))[:, None]
    dt_h = season.dt_h
    per_day = round(24.0 / dt_h)
    start = season.start.astype("datetime64[s]")
    t0 = -float(utc_offset_h(season.home.tz, [start])[0])  # local midnight at home
    t = t0 + dt_h * np.arange(season.days * per_day)
    venue, flying, _ = itinerary.where(t)
    instants = start + np.round(t * 3600).astype("timedelta64[s]")
    offset = np.empty_like(t)
    elevation = np.empty_like(t)
    for k, v in enumerate(itinerary.venues):
        on = venue == k
        if not on.any():
            continue
        offset[on] = utc_offset_h(v.tz, instants[on])
        elevation[on] = solar_elevation(v.lat, v.lon, instants[on])
    local = np.mod(t + offset, 24.0)
    local_day = np.floor((t + offset) / 24.0).astype(int)  # local date, days from the start
    kicks = np.zeros(0) if kickoff_h is None else np.asarray(kickoff_h, float).ravel()
    kicks = np.sort(kicks[np.isfinite(kicks)])
    length_h = season.match_length_min / 60.0 + schedule.match_extra_h
    on_pitch, after = _match_windows(t, kicks, schedule.warmup_h, length_h)
    match_day = np.zeros(season.days + 2, bool)
    match_day[np.clip(local_day[on_pitch], -1, season.days) + 1] = True
    weekday = (season.dates.astype(int)[0] + 3 + local_day) % 7  # Monday = 0
    session = np.zeros(t.size, bool)
    for wd in range(7):
        for begin, end in season.week_outdoor[wd]:
            session |= (weekday == wd) & (local >= begin) & (local < end)
    in_season = (local_day >= 0) & (local_day < season.days)
    rest = np.zeros(t.size, bool)
    rest[in_season] = season.rest_days[local_day[in_season]]
    session &= ~match_day[np.clip(local_day, -1, season.days) + 1] & ~rest & ~flying
    habitual = np.empty((bed.shape[0], t.size), bool)  # (A, T)
    _in_window(local, bed[:, 0], wake[:, 0], habitual)
    # After a match, lights out no earlier than post_match_bed_h after the final whistle
    # (the habitual wake time stays: the next day's schedule).
    late = after < schedule.post_match_bed_h
    in_bed = habitual & (~late & ~on_pitch & ~flying)
    # On board: no sleep in a flight marked awake; otherwise sleep is possible through the
    # flight but for the first and last ``flight_settle_h`` (boarding, meals, descent).
    depart = np.r_[itinerary.depart_h] if itinerary.legs else np.zeros(0)
    arrive = np.r_[itinerary.arrive_h] if itinerary.legs else np.zeros(0)
    settled = np.zeros(t.size, bool)
    for d, a, wide_awake in zip(depart, arrive, itinerary.awake, strict=True):
        if not wide_awake:
            settled |= (t >= d + schedule.flight_settle_h) & (t < a - schedule.flight_settle_h)
    nap = ((np.mod(local - schedule.nap_start_h, 24.0) < schedule.nap_h) & ~flying & ~on_pitch
           & ~session & ~match_day[np.clip(local_day, -1, season.days) + 1])
    asleep_ok = in_bed | (settled | nap)
    dark = in_bed | (settled & habitual)  # cabin lights dimmed in the habitual night
    outdoors = (session | on_pitch).astype(float)
    awake = np.where(flying, season.cabin_lux,
                     light_at_eye(0.0, outdoors, elevation, on_pitch.astype(float), light))
    # light_at_eye is (1 - in_bed) x (its light when up), so dark in bed is exactly 0 lux and
    # up it is the light when up, cabin light on board: one (A, T) pass, bit for bit the
    # same as light_at_eye over (A, T) with the cabin put in where up in flight.
    lux = np.where(dark, 0.0, awake)
    return ClockInputs(t_h=t, dt_h=dt_h, utc_offset_h=offset, local_hour=local,
                       in_flight=flying, venue=venue, sleep=asleep_ok, dark=dark, light_lux=lux,
                       elevation_deg=elevation, outdoors=session | on_pitch,
                       awake_lux=awake,
                       outdoor_lux=light_at_eye(0.0, 1.0, elevation, 0.0, light),
                       sleep_allowed=~late & ~on_pitch & ~flying & ~session,
                       settled=settled, nap=nap)
