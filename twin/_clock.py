"""The sub-daily part of the twin: light to circadian phase to misalignment and sleep debt.

Runs once per (athlete, itinerary) (DESIGN.md principle 4): nothing here depends on
training volume, match load or the Monte-Carlo draw. For each itinerary the scenario
compiler gives the local clock, sleep opportunity and light on the 0.1 h grid
(:func:`scenarios.compile_clock`); each athlete starts entrained to the first home day
(:func:`physiology.circadian.equilibrate`); the pacemaker is integrated over the season
(:func:`physiology.circadian.simulate`); misalignment is the body clock against the
local clock (:func:`physiology.circadian.misalignment`, against the athlete's own home
clock); sleep follows the two-process model with Process C on the body clock inside the
sleep opportunity (:func:`physiology.sleep.two_process`), and the daily sleep debt
(:func:`physiology.sleep.sleep_debt`) carried into day t is the debt at the end of the
grid day before it, against the athlete's own habitual sleep (what the two-process model
sleeps on the home day when entrained), so a habitual night owes nothing, fading with
``recovery_days`` (:class:`twin.CouplingParams`).

Daily features: misalignment (h) at the day's reference time (kickoff on match days,
12:00 local otherwise) and the sleep debt (h) carried into the day.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from physiology.circadian import equilibrate, home_clock, misalignment, phase, simulate
from physiology.sleep import sleep_debt, two_process
from scenarios import compile_clock


class ClockFeatures(NamedTuple):
    """Per athlete and itinerary: ``noon_mis`` (h, at 12:00 local of each day),
    ``debt`` (h, carried into each day), both ``(A, I, D)``; ``mis`` the misalignment on
    the grid ``(A, I, T)`` for kickoffs; ``t0_h`` and ``dt_h`` of that grid."""

    noon_mis: np.ndarray
    debt: np.ndarray
    mis: np.ndarray
    t0_h: float
    dt_h: float
    evaluations: int  # (athlete, itinerary) trajectories integrated


def clock_features(season, squad, itineraries, *, model: str = "forger99",
                   recovery_days: float | None = None, backend: str = "numba"
                   ) -> ClockFeatures:
    """The circadian and sleep features of every athlete on every itinerary."""
    n_a, n_i, n_d = squad.size, len(itineraries), season.days
    dt = season.dt_h
    per_day = round(24.0 / dt)
    first = compile_clock(season, itineraries[0], squad.bed_h, squad.wake_h)
    home_day = first.light_lux[:, :per_day]  # the first day starts at local midnight at home
    state0 = equilibrate(home_day, dt, model, backend=backend)
    homes = [home_clock(home_day[a], dt, model, state0=state0[a], backend=backend)
             for a in range(n_a)]
    need = _habitual_sleep(first.sleep[:, :per_day], dt, backend)
    mis = np.empty((n_a, n_i, n_d * per_day))
    noon = np.empty((n_a, n_i, n_d))
    debt = np.empty((n_a, n_i, n_d))
    for i, itin in enumerate(itineraries):
        clock = first if i == 0 else compile_clock(season, itin, squad.bed_h, squad.wake_h)
        states = simulate(clock.light_lux, dt, model, state0=state0, backend=backend)[:, :-1]
        ph = phase(states, model)
        body = np.stack([homes[a].hour_of(ph[a]) for a in range(n_a)])
        mis[:, i] = np.stack([misalignment(ph[a], clock.local_hour, homes[a])
                              for a in range(n_a)])
        asleep = two_process(body, dt, clock.sleep.astype(float), backend=backend).asleep
        end_of_day = np.stack([sleep_debt(asleep[a], dt, need[a],
                                          recovery_days=recovery_days) for a in range(n_a)])
        debt[:, i, 0] = 0.0
        debt[:, i, 1:] = end_of_day[:, :-1]
        noon[:, i] = mis[:, i, _noon_steps(clock, n_d)]
    return ClockFeatures(noon, debt, mis, float(first.t_h[0]), dt, n_a * n_i)


def _habitual_sleep(opportunity_day, dt: float, backend: str, days: int = 14) -> np.ndarray:
    """Hours slept per day at home, entrained (body hour = local hour), after ``days``
    days of the home day: the athlete's own need, so the habitual night owes nothing."""
    per_day = opportunity_day.shape[-1]
    hours = np.tile(np.arange(per_day) * dt, days)
    asleep = two_process(np.broadcast_to(hours, (opportunity_day.shape[0], hours.size)), dt,
                         np.tile(opportunity_day.astype(float), days), backend=backend).asleep
    return asleep[:, -per_day:].sum(axis=-1) * dt


def _noon_steps(clock, n_d: int) -> np.ndarray:
    """Grid index of 12:00 local on each day: the first step of that local date at or
    after noon (a westward flight can repeat the hour; an eastward one across the date
    line can skip a date, which then takes the previous day's index)."""
    local_t = clock.t_h + clock.utc_offset_h  # local clock hours since the season start
    day = np.floor(local_t / 24.0).astype(int)
    after_noon = np.flatnonzero(local_t - 24.0 * day >= 12.0 - 1e-9)
    dates, first = np.unique(day[after_noon], return_index=True)
    keep = (dates >= 0) & (dates < n_d)
    out = np.full(n_d, -1)
    out[dates[keep]] = after_noon[first[keep]]
    out = np.maximum.accumulate(np.where(out < 0, 0, out))
    return out


def kickoff_misalignment(features: ClockFeatures, kickoff_h: np.ndarray,
                         itinerary: np.ndarray) -> np.ndarray:
    """Misalignment (h) at each kickoff, ``(A, P, D)`` (NaN where no match).

    Args:
        kickoff_h: season hours (UTC) of kickoff, ``(P, D)`` (NaN without a match).
        itinerary: itinerary index of each point, ``(P,)``.
    """
    on = np.isfinite(kickoff_h)
    idx = np.zeros(kickoff_h.shape, int)
    idx[on] = np.rint((kickoff_h[on] - features.t0_h) / features.dt_h).astype(int)
    idx = np.clip(idx, 0, features.mis.shape[-1] - 1)
    out = features.mis[:, itinerary[:, None], idx]  # (A, P, D)
    return np.where(on, out, np.nan)
