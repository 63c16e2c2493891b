r"""What a travel plan is optimised over: the window, its grid, the kickoffs and the draws.

For a season with trips (the scenario's own, ``scenario.itinerary``) and a squad,
:func:`travel_problem` sets up, per athlete:

- the **window**: from ``days_before`` local days before the first departure (at home
  midnight) to ``days_after`` days after the last arrival, on the twin's 0.1-h grid
  (:func:`scenarios.compile_clock` with the season's own matches);
- the **kickoffs** in it, their local hour and the home clock's hour at the same instant;
- the **nights** in it: night :math:`n` is the habitual window of the local date it
  starts on, :math:`[24 d_n + b, 24 d_n + b + L)` on the local clock in force (continuous
  local hours, which jump with the clock at each flight), shifted by the plan by
  :math:`s_n`; ``after_change[n]`` marks a night whose clock differs from the previous
  night's (the first night after a flight across time zones);
- the **parameter draws** of the pacemaker the plan must work for: the intrinsic period
  (Hannay 2019's :math:`\tau` plus a normal deviation of SD ``tau_sd_h``; Duffy et al. 2011,
  PNAS 108:15602: intrinsic periods 24.15 +/- 0.20 h, SD over 157 adults) and the
  sensitivity to light :math:`k` (log-normal, SD ``light_sensitivity_sd`` of
  :math:`\ln k`; light :math:`I` acts as :math:`kI`, i.e. :math:`I_0 \to I_0 / k^p`).
  The sensitivity's spread is an assumption (range 0-1): Phillips et al. 2019 (PNAS
  116:12019) found the half-maximal melatonin suppression of 55 adults between 6 and 350
  lux, a 50-fold range (about +/- 2 SD of 1.0 in :math:`\ln`), but suppression is not
  phase shifting, and at that spread the least sensitive draws of the model do not
  entrain to an ordinary home day at all (no such athlete exists), so the default is
  half of it, 0.5; both draws are truncated at +/- 2 SD, and 0 switches a spread off;
- for each draw, its entrained home day (the home-clock map,
  :class:`physiology.circadian.HomeClock`), its state at the window's start (no plan
  before the window) and the body-clock reference: the same draw at home on the same
  dates (:mod:`twin.model.clock`'s definition of body-clock time and misalignment).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

import scenarios as sc
from physiology.circadian import Hannay19Params, equilibrate, home_clock, phase_series

BLOCK = 5  # grid steps of 0.1 h per control block (0.5 h)
#: Duffy et al. 2011 (PNAS 108:15602): SD of the intrinsic circadian period, 157 adults.
TAU_SD_H = 0.20
#: SD of ln(light sensitivity): an assumption, half of Phillips et al. 2019's range.
LIGHT_SENSITIVITY_SD = 0.5


class Draws(NamedTuple):
    """Pacemaker parameters per athlete and draw ``(A, D)``: the intrinsic period
    (h) and the light sensitivity (multiplier of lux)."""

    tau: np.ndarray
    sensitivity: np.ndarray

    def params(self) -> Hannay19Params:
        base = Hannay19Params()
        return Hannay19Params(tau=self.tau, i0=base.i0 / self.sensitivity ** base.p)


def clock_draws(n_athletes: int, draws: int, seed: int, *, tau_sd_h: float = TAU_SD_H,
                light_sensitivity_sd: float = LIGHT_SENSITIVITY_SD) -> Draws:
    """Draws of the pacemaker's intrinsic period and light sensitivity (module
    docstring), ``(A, D)``; draw 0 is the model's nominal athlete. No athlete's pacemaker
    has been measured, so every athlete's draws are the same prior's (the same values:
    athletes with the same habitual sleep window then pose the same problem)."""
    rng = np.random.default_rng([int(seed), 17])
    z = np.clip(rng.standard_normal((2, draws)), -2.0, 2.0)
    z[:, 0] = 0.0
    tau = np.broadcast_to(Hannay19Params().tau + tau_sd_h * z[0], (n_athletes, draws))
    return Draws(tau.copy(), np.broadcast_to(np.exp(light_sensitivity_sd * z[1]),
                                             (n_athletes, draws)).copy())


class TravelProblem(NamedTuple):
    """Everything the strategies and the optimiser share (module docstring). Steps are
    indices on the season's 0.1-h grid; ``lo:hi`` is the window (a whole number of
    :data:`BLOCK` s)."""

    season: sc.Season
    itinerary: sc.Itinerary
    clock: sc.ClockInputs  # the season's own trips and matches, no plan, (A, T)
    ids: tuple[str, ...]
    bed_h: np.ndarray  # (A,) habitual bedtime, local h
    sleep_h: np.ndarray  # (A,) habitual sleep window length L (h)
    lo: int
    hi: int
    kick_steps: np.ndarray  # (K,) grid steps of the kickoffs in the window
    kick_local: np.ndarray  # (K,) local hour at kickoff
    kick_home: np.ndarray  # (K,) home clock hour at kickoff
    home_local: np.ndarray  # (T,) home clock hour on the grid
    night_start: np.ndarray  # (A, N) habitual start of night n, continuous local h
    after_change: np.ndarray  # (N,) bool: the clock changed since the night before
    draws: Draws
    state0: np.ndarray  # (A, D, 3) pacemaker state at the window's start
    tables: tuple  # per athlete and draw: (grid phases unwrapped + turn, hours + 24)
    ref_hours: np.ndarray  # (A, D, hi - lo) the at-home reference's home-clock hour
    group: np.ndarray  # (A,) athletes with the same habitual window share a group

    @property
    def dt(self) -> float:
        return self.clock.dt_h

    @property
    def t_window(self) -> np.ndarray:
        return self.clock.t_h[self.lo:self.hi]

    @property
    def local_continuous(self) -> np.ndarray:
        """Continuous local clock hours (season hours plus the offset in force), (T,)."""
        return self.clock.t_h + self.clock.utc_offset_h


def travel_problem(season: sc.Season, squad, ids, *, days_before: int = 4,
                   days_after: int = 3, draws: int = 8, seed: int = 0,
                   tau_sd_h: float = TAU_SD_H,
                   light_sensitivity_sd: float = LIGHT_SENSITIVITY_SD,
                   model: str = "hannay19", backend: str = "numba") -> TravelProblem:
    """Set up the window, kickoffs, nights and draws (module docstring).

    Raises:
        scenarios.ConfigError: a season without trips, or a window outside the season.
    """
    if model != "hannay19":
        raise sc.ConfigError(f"model.circadian = {model!r}: the travel copilot optimises "
                             "through hannay19 (the twin's default); expected hannay19")
    itinerary = sc.resolve_itinerary(season, "home")  # the season's own trips
    if not itinerary.legs:
        raise sc.ConfigError(f"scenario = {season.name!r}: no trips to plan for "
                             "(scenario.itinerary is empty); expected a scenario with trips, "
                             "for example scenario=intercontinental_tour")
    days = sc.compile_days(season, sc.as_planned(season))
    kicks = days.kickoff_h[0][np.isfinite(days.kickoff_h[0])]
    clock = sc.compile_clock(season, itinerary, squad.bed_h, squad.wake_h, kickoff_h=kicks)
    home = sc.compile_clock(season, sc.at_home(season), squad.bed_h, squad.wake_h)
    dt = season.dt_h
    per_day = round(24.0 / dt)
    first, last = float(itinerary.depart_h.min()), float(itinerary.arrive_h.max())
    # The window starts at home midnight days_before days before the first departure.
    t = clock.t_h
    start_day = int(np.floor((first + clock.utc_offset_h[0]) / 24.0)) - int(days_before)
    lo = max(start_day, 0) * per_day
    hi = int(np.searchsorted(t, last + 24.0 * days_after))
    hi = lo + (hi - lo) // BLOCK * BLOCK
    if start_day < 0 or hi >= t.size - per_day:
        raise sc.ConfigError(f"travel.days_before/days_after = {days_before}/{days_after}: "
                             "the window leaves the season; expected a window within it")
    on = (kicks >= t[lo]) & (kicks < t[hi - 1])
    kick_steps = np.rint((kicks[on] - t[0]) / dt).astype(int)
    bed = np.asarray(squad.bed_h, float)
    length = np.mod(np.asarray(squad.wake_h, float) - bed, 24.0)
    local = t + clock.utc_offset_h
    first_date = int(np.floor(local[lo] / 24.0))
    last_date = int(np.floor(local[hi - 1] / 24.0))
    dates = np.arange(first_date - 1, last_date + 1)
    evening = np.where(bed >= 12.0, bed, bed + 24.0)
    night_start = 24.0 * dates[None, :] + evening[:, None]
    at = np.clip(np.searchsorted(local, night_start[0]), 0, t.size - 1)
    offsets = clock.utc_offset_h[at]
    after_change = np.r_[False, np.abs(np.diff(offsets)) > 1e-9]

    d = clock_draws(squad.size, draws, seed, tau_sd_h=tau_sd_h,
                    light_sensitivity_sd=light_sensitivity_sd)
    params = d.params()
    home_day = home.light_lux[:, :per_day]
    # Athletes with the same habitual window see the same light and draws: computed once.
    _, first_of, group = np.unique(np.c_[bed, length], axis=0, return_index=True,
                                   return_inverse=True)
    group = group.ravel()
    state0, tables = np.empty((first_of.size, draws, 3)), []
    ref_hours = np.empty((first_of.size, draws, hi - lo))
    for g, a in enumerate(first_of):
        p = Hannay19Params(tau=params.tau[a], i0=params.i0[a])
        s_home = equilibrate(np.broadcast_to(home_day[a], (draws, per_day)), dt, model, p,
                             backend=backend)
        ph_ref, _ = phase_series(np.broadcast_to(home.light_lux[a, :hi], (draws, hi)), dt,
                                 model, s_home, p, backend=backend)
        _, s_lo = phase_series(np.broadcast_to(clock.light_lux[a, :lo], (draws, lo)), dt,
                               model, s_home, p, backend=backend)
        state0[g] = s_lo
        row = []
        for k in range(draws):
            pk = Hannay19Params(tau=float(params.tau[a, k]), i0=float(params.i0[a, k]))
            hc = home_clock(home_day[a], dt, model, pk, state0=s_home[k], backend=backend)
            grid = np.unwrap(hc.phases)
            row.append((np.r_[grid, grid[0] + 2 * np.pi], np.r_[hc.hours, 24.0]))
            ref_hours[g, k] = hc.hour_of(ph_ref[k, lo:hi])
        tables.append(row)
    return TravelProblem(season, itinerary, clock, tuple(ids), bed, length, lo, hi,
                         kick_steps, clock.local_hour[kick_steps],
                         home.local_hour[kick_steps], home.local_hour, night_start,
                         after_change, d, state0[group], tuple(tables[g] for g in group),
                         ref_hours[group], group)
