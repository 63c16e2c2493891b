"""Jet lag: light after a time-zone shift, the body's misalignment, and re-entrainment.

The athlete lives a daily light pattern by the local clock (``home_day``, one day on the
grid, starting at local midnight). At departure the clock in force jumps by ``shift_h``
(positive east: the local clock moves ahead), the flight is spent in cabin light, and
from arrival the same daily pattern follows the destination clock, so on the
simulation's continuous time axis it arrives ``shift_h`` hours earlier. The models then
decide how the body follows: east/west asymmetry and the effect of light levels come out
of the dynamics, nothing about them is coded here. :func:`time_zone_shift` gives the shift
between two IANA time zones on a date (daylight-saving time included).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from physiology import validate
from physiology.circadian._markers import home_clock, misalignment, phase
from physiology.circadian._simulate import get_model, simulate


class Trip(NamedTuple):
    """Light and local clock for a stay at home then away, on one uniform grid.

    ``light`` (lux) and ``local_hour`` (h on the clock in force) have one value per step;
    ``arrival`` is the index of the first step away, ``departure`` that of the first step
    of the flight (equal for an instantaneous shift).
    """

    light: np.ndarray
    local_hour: np.ndarray
    arrival: int
    departure: int


def _on_grid(name: str, value: float, dt: float) -> int:
    steps = round(value / dt)
    if abs(steps * dt - value) > 1e-9:
        raise ValueError(f"{name} = {value!r} h: expected a multiple of dt = {dt} h")
    return steps


def trip(home_day, dt: float, shift_h: float, days_home: int, days_away: int, *,
         depart_h: float = 0.0, flight_h: float = 0.0, arrive_h: float | None = None,
         cabin_lux: float = 50.0) -> Trip:
    """Light and local clock for ``days_home`` days at home, a flight, then ``days_away``.

    Args:
        home_day: one day of light (lux) by the local clock, from midnight.
        dt: grid step (h).
        shift_h: destination clock minus home clock (h, east positive), in [-12, 12].
        days_home: whole days at home before the day of departure.
        days_away: days simulated after arrival.
        depart_h: departure time on the home clock (h) on the day after the home days.
        flight_h: flight duration (h); or give ``arrive_h`` instead.
        arrive_h: arrival time on the destination clock (h); sets the flight duration
            as ``(arrive_h - shift_h - depart_h) mod 24``.
        cabin_lux: light during the flight (lux; assumption: a dimmed cabin).

    The clock in force is the home clock before departure and the destination clock from
    departure on (watches set on boarding). All times must be multiples of ``dt``.
    """
    per_day = validate.steps_per_day(dt)
    day = validate.series("home_day", home_day, units="lux")
    if day.ndim != 1 or day.shape[0] != per_day:
        raise ValueError(f"home_day: expected one day of {per_day} steps of {dt} h")
    shift = float(validate.in_range("shift_h", shift_h, -12.0, 12.0,
                                     "a time-zone shift in [-12, 12] h"))
    _on_grid("shift_h", shift, dt)
    depart = float(validate.in_range("depart_h", depart_h, 0.0, 24.0 - dt, "an hour in [0, 24)"))
    if arrive_h is not None:
        arrive = float(validate.in_range("arrive_h", arrive_h, 0.0, 24.0, "an hour in [0, 24)"))
        flight_h = (arrive - shift - depart) % 24.0
    flight = float(validate.in_range("flight_h", flight_h, 0.0, 24.0, "a duration in [0, 24] h"))
    cabin = float(validate.in_range("cabin_lux", cabin_lux, 0.0, np.inf, "a level >= 0 lux"))
    leave = int(days_home) * per_day + _on_grid("depart_h", depart, dt)
    land = leave + _on_grid("flight_h", flight, dt)
    n = land + int(days_away) * per_day
    steps = np.arange(n)
    local = (steps * dt + np.where(steps < leave, 0.0, shift)) % 24.0
    index = np.round(local / dt).astype(int) % per_day
    light = np.where((steps >= leave) & (steps < land), cabin, day[index])
    return Trip(light, local, land, leave)


class JetLag(NamedTuple):
    """Outcome of a trip: states ``(T + 1, 3)``, misalignment (h) at each grid time,
    days after arrival until the body stays within ``tol_h`` of the local clock (NaN if
    it never does within the simulation), and per night away the sleep (h) in the local
    sleep window and the sleep lost against the last home night (h)."""

    states: np.ndarray
    misalignment_h: np.ndarray
    reentrainment_days: float
    sleep_h: np.ndarray
    sleep_lost_h: np.ndarray


def jet_lag(home_day, shift_h: float, *, dt: float = 0.1, days_home: int = 3,
            days_away: int = 20, model="hannay19", params=None, tol_h: float = 1.0,
            sleep_window=(23.0, 7.0), depart_h: float = 0.0, flight_h: float = 0.0,
            arrive_h: float | None = None, cabin_lux: float = 50.0,
            backend: str = "numba") -> JetLag:
    """Simulate a trip and measure misalignment, re-entrainment and sleep lost.

    Sleep: the two-process model (:mod:`physiology.sleep`) with Process C on the body
    clock (the home hour of the body's phase), sleeping spontaneously within the local
    ``sleep_window`` (bedtime, rise time in local hours). A night is one whole sleep
    window, at home or away (a window the arrival cuts is counted on neither side); the
    baseline is the last whole night at home, so ``days_home`` must be at least 2.
    """

    if int(days_home) < 2:
        raise ValueError(f"days_home = {days_home!r}: expected at least 2 (a whole home "
                         "night is the baseline for sleep lost)")
    spec = get_model(model)
    journey = trip(home_day, dt, shift_h, days_home, days_away, depart_h=depart_h,
                   flight_h=flight_h, arrive_h=arrive_h, cabin_lux=cabin_lux)
    home = home_clock(np.asarray(home_day, float), dt, spec, params, backend=backend)
    states = simulate(journey.light, dt, spec, params, backend=backend)
    local = np.r_[journey.local_hour, (journey.local_hour[-1] + dt) % 24.0]
    mis = misalignment(phase(states, spec), local, home)
    away = np.abs(mis[journey.arrival:]) > tol_h
    if away[-1]:
        days = float("nan")
    else:
        last_out = np.flatnonzero(away)
        days = (last_out[-1] + 1) * dt / 24.0 if last_out.size else 0.0
    slept, side = _sleep_per_night(journey, states, home, spec, dt, sleep_window, shift_h,
                                   backend)
    away_nights = slept[side == 1]
    return JetLag(states, mis, days, away_nights, slept[side == 0][-1] - away_nights)


def _sleep_per_night(journey, states, home, spec, dt, sleep_window, shift_h, backend):
    """Hours slept in each whole local sleep window, and whether it was away (1) or home."""
    from physiology.sleep import two_process

    bed, rise = sleep_window
    hour = journey.local_hour
    window = (hour >= bed) | (hour < rise) if bed > rise else (hour >= bed) & (hour < rise)
    body_hour = home.hour_of(phase(states[:-1], spec))
    asleep = two_process(body_hour, dt, window.astype(float), backend=backend).asleep
    steps = np.arange(hour.size)
    away = steps >= journey.arrival
    # Continuous time on the clock in force (it jumps by the shift at departure); a night
    # is a run of window steps on one side of arrival.
    local = steps * dt + np.where(steps >= journey.departure, float(shift_h), 0.0)
    night = np.floor((local - bed) / 24.0).astype(int)
    key = night * 2 + away
    keys, first = np.unique(key[window], return_index=True)
    order = np.argsort(first)
    keys = keys[order]
    length = ((rise - bed) % 24.0) / dt
    counts = np.array([np.sum(window & (key == k)) for k in keys])
    whole = np.abs(counts - length) < 0.5
    slept = np.array([np.sum(asleep[window & (key == k)]) * dt for k in keys])
    return slept[whole], (keys[whole] % 2)


def time_zone_shift(home_tz: str, destination_tz: str, when) -> float:
    """Destination clock minus home clock (h) at a moment, from IANA time-zone names.

    Args:
        home_tz, destination_tz: IANA names such as ``"Europe/London"``.
        when: a ``datetime.datetime`` or ISO date-time string (naive: taken as UTC).

    Returns:
        The shift in [-12, 12] h: a larger difference (across the date line) is taken
        the short way round, as the body experiences it.

    Raises:
        ValueError: naming an unknown time zone.
    """
    import datetime as dt_
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    moment = dt_.datetime.fromisoformat(when) if isinstance(when, str) else when
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt_.UTC)
    offsets = []
    for name in (home_tz, destination_tz):
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"time zone {name!r}: not a known IANA time zone (for example "
                             "'Europe/London', 'Asia/Tokyo')") from None
        offsets.append(moment.astimezone(zone).utcoffset().total_seconds() / 3600.0)
    shift = offsets[1] - offsets[0]
    shift = (shift + 12.0) % 24.0 - 12.0 if abs(shift) > 12.0 else shift
    return shift
