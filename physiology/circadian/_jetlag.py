"""Jet lag: light after a time-zone shift, the body's misalignment, and re-entrainment.

The athlete lives a daily light pattern by the local clock (``home_day``, one day on the
grid, starting at local midnight). On the day of travel the clock jumps by ``shift_h``
(positive east: the local clock moves ahead), so on the simulation's continuous time axis
the same pattern arrives ``shift_h`` hours earlier. The models then decide how the body
follows: east/west asymmetry and the effect of light levels come out of the dynamics,
nothing about them is coded here. (Flights, departure and arrival times, and the light
of travel days come from the scenarios package; here the shift is instantaneous at the
start of the first day away.)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from physiology import _validate
from physiology.circadian._markers import home_clock, misalignment, phase
from physiology.circadian._simulate import _steps_per_day, get_model, simulate


class Trip(NamedTuple):
    """Light and local clock for a stay at home then away, on one uniform grid.

    ``light`` (lux) and ``local_hour`` (h on the clock in force) have one value per step;
    ``arrival`` is the index of the first step away.
    """

    light: np.ndarray
    local_hour: np.ndarray
    arrival: int


def trip(home_day, dt: float, shift_h: float, days_home: int, days_away: int) -> Trip:
    """Light and local clock for ``days_home`` days at home then ``days_away`` days away."""
    per_day = _steps_per_day(dt)
    day = _validate.series("home_day", home_day, units="lux")
    if day.ndim != 1 or day.shape[0] != per_day:
        raise ValueError(f"home_day: expected one day of {per_day} steps of {dt} h")
    shift = float(_validate.in_range("shift_h", shift_h, -12.0, 12.0,
                                     "a time-zone shift in [-12, 12] h"))
    if round(shift / dt) * dt != shift and abs(round(shift / dt) * dt - shift) > 1e-9:
        raise ValueError(f"shift_h = {shift_h!r}: expected a multiple of dt = {dt} h")
    n_home, n_away = int(days_home) * per_day, int(days_away) * per_day
    t = np.arange(n_home + n_away) * dt
    local = np.where(np.arange(t.size) < n_home, t, t + shift) % 24.0
    index = np.round(local / dt).astype(int) % per_day
    return Trip(day[index], local, n_home)


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
            days_away: int = 20, model="forger99", params=None, tol_h: float = 1.0,
            sleep_window=(23.0, 7.0), backend: str = "numba") -> JetLag:
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
    journey = trip(home_day, dt, shift_h, days_home, days_away)
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
    # Continuous local time (h); a night is a run of window steps on one side of arrival.
    local = steps * dt + np.where(away, float(shift_h), 0.0)
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
