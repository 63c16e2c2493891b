"""The sub-daily part of the twin: light to circadian phase to misalignment and sleep debt.

Runs once per (athlete, itinerary) (DESIGN.md principle 4): nothing here depends on
training volume, match load or the Monte-Carlo draw. For each itinerary the scenario
compiler gives the local clock, sleep opportunity and light on the 0.1 h grid
(:func:`scenarios.compile_clock`). Each athlete starts entrained to a home day
(:func:`physiology.circadian.equilibrate`) and with Process S where a fortnight of home
days leaves it; the pacemaker is integrated over the season
(:func:`physiology.circadian.simulate`); misalignment is the body clock against the local
clock (:func:`physiology.circadian.misalignment`, against the athlete's own home clock);
sleep follows the two-process model with Process C on the body clock inside the sleep
opportunity (:func:`physiology.sleep.two_process`).

Sleep debt is sleep lost against staying at home: the same athlete is also simulated
through the season with no trip at all (:func:`scenarios.at_home`), and each night's
need is what that reference sleeps on the same date. The night before day t is the
sleep between 12:00 local on day t-1 and 12:00 local on day t (local at wherever the
athlete is, so a westward trip's long day counts in the right night); the debt follows
:func:`physiology.sleep.night_debt`, fading with ``sleep_recovery_days``
(:class:`twin.CouplingParams`). At home the debt is exactly 0.

Daily features: misalignment (h) at the day's reference time (kickoff on match days,
12:00 local otherwise) and the sleep debt (h) carried into the day. Kickoffs outside the
simulated grid (a match on the last day after the grid ends) take the nearest grid time.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from physiology.circadian import equilibrate, home_clock, misalignment, phase, simulate
from physiology.sleep import night_debt, two_process
from scenarios import at_home, compile_clock

BLOCK = 8  # athletes integrated together


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
    ref_clock = compile_clock(season, at_home(season), squad.bed_h, squad.wake_h)
    home_day = ref_clock.light_lux[:, :per_day]  # the first day, from local midnight at home
    state0 = equilibrate(home_day, dt, model, backend=backend)
    homes = [home_clock(home_day[a], dt, model, state0=state0[a], backend=backend)
             for a in range(n_a)]
    s0, asleep0 = _habitual_sleep_state(ref_clock.sleep[:, :per_day], dt, backend)

    def run(clock):
        noon = _noon_steps(clock, n_d)
        mis = np.empty((n_a, clock.t_h.size))
        slept = np.empty((n_a, n_d - 1))
        for lo in range(0, n_a, BLOCK):  # a few athletes at a time: bounded memory
            a = slice(lo, min(lo + BLOCK, n_a))
            states = simulate(clock.light_lux[a], dt, model, state0=state0[a],
                              backend=backend)[:, :-1]
            ph = phase(states, model)
            del states
            body = np.stack([homes[k].hour_of(ph[k - lo]) for k in range(a.start, a.stop)])
            mis[a] = [misalignment(ph[k - lo], clock.local_hour, homes[k])
                      for k in range(a.start, a.stop)]
            asleep = two_process(body, dt, clock.sleep[a].astype(float), s0=s0[a],
                                 asleep0=asleep0[a], backend=backend).asleep
            slept[a] = np.diff(np.cumsum(asleep, axis=-1)[:, noon], axis=-1) * dt
        return mis, noon, slept

    _, _, need = run(ref_clock)
    mis = np.empty((n_a, n_i, n_d * per_day))
    noon_mis = np.empty((n_a, n_i, n_d))
    debt = np.zeros((n_a, n_i, n_d))
    for i, itin in enumerate(itineraries):
        clock = compile_clock(season, itin, squad.bed_h, squad.wake_h)
        mis[:, i], noon, slept = run(clock)
        noon_mis[:, i] = mis[:, i][:, noon]
        debt[:, i, 1:] = night_debt(np.minimum(slept, 24.0), need,
                                    recovery_days=recovery_days)
    return ClockFeatures(noon_mis, debt, mis, float(ref_clock.t_h[0]), dt, n_a * (n_i + 1))


def _habitual_sleep_state(opportunity_day, dt: float, backend: str, days: int = 14):
    """Process S and the sleep state at home midnight after ``days`` entrained home days
    (body hour = local hour), per athlete: where the season starts."""
    per_day = opportunity_day.shape[-1]
    hours = np.tile(np.arange(per_day) * dt, days)
    out = two_process(np.broadcast_to(hours, (opportunity_day.shape[0], hours.size)), dt,
                      np.tile(opportunity_day.astype(float), days), backend=backend)
    return out.s[:, -1], out.asleep[:, -1]


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
    return np.maximum.accumulate(np.where(out < 0, 0, out))


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
