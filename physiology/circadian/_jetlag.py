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
    ``sleep_window`` (bedtime, rise time in local hours). Nights are counted from local
    noon to local noon; the first night away is the one after arrival.
    """
    from physiology.sleep import two_process

    spec = get_model(model)
    journey = trip(home_day, dt, shift_h, days_home, days_away)
    home = home_clock(np.asarray(home_day, float), dt, spec, params)
    states = simulate(journey.light, dt, spec, params, backend=backend)
    local = np.r_[journey.local_hour, (journey.local_hour[-1] + dt) % 24.0]
    mis = misalignment(phase(states, spec), local, home)
    away = np.abs(mis[journey.arrival:]) > tol_h
    if away[-1]:
        days = float("nan")
    else:
        last_out = np.flatnonzero(away)
        days = (last_out[-1] + 1) * dt / 24.0 if last_out.size else 0.0
    # Sleep on the body clock within the local window.
    bed, rise = sleep_window
    hour = journey.local_hour
    window = (hour >= bed) | (hour < rise) if bed > rise else (hour >= bed) & (hour < rise)
    body_hour = home.hour_of(phase(states[:-1], spec))
    asleep = two_process(body_hour, dt, window.astype(float), backend=backend).asleep
    shift = np.where(np.arange(hour.size) < journey.arrival, 0.0, float(shift_h))
    night = np.floor((np.arange(hour.size) * dt + shift - 12.0) / 24.0).astype(int)
    night -= night.min()
    slept = np.bincount(night, weights=asleep * dt)
    first_away = night[journey.arrival] + 1
    home_night = slept[first_away - 2]
    away_nights = slept[first_away:-1]            # whole nights only
    return JetLag(states, mis, days, away_nights, home_night - away_nights)
