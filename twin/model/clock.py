"""The sub-daily part of the twin: light to body clock, sleep and sleep debt.

Runs once per (athlete, itinerary) (DESIGN.md principle 4): nothing here depends on
training volume, match load or the Monte-Carlo draw; athletes who share a habitual
sleep window (and, with a travel plan, its actions) share one integration
(:func:`clock_profiles`). For each itinerary the scenario
compiler gives the local clock, the sleep opportunity and the light at the eye on the
0.1 h grid (:func:`scenarios.compile_clock`: daylight from the sun's elevation where the
athlete is, outdoor sessions at their local times, floodlit matches, cabin light, dark in
bed), with the matches of that itinerary's first sweep point (a fixture-density sweep
changes load, not light or sleep timing). Each athlete starts entrained to the first
home day (:func:`physiology.circadian.equilibrate`) with Process S where a fortnight of
such days leaves it; the pacemaker is integrated over the season
(:func:`physiology.circadian.simulate`), and so is a reference: the same athlete at home
on the same dates with no trip. The **body-clock time** at an instant is the home clock
hour plus the body's phase lead over that reference (each phase read as the hour of the
first home day at which the entrained body has it,
:meth:`physiology.circadian.HomeClock.hour_of`), so that at home it is the local hour and
seasonal changes of daylength are not counted as jet lag; **misalignment** is body-clock
time minus local time (h, in (-12, 12]). Sleep follows the two-process model with Process C on
the body clock inside the sleep opportunity (:func:`physiology.sleep.two_process`).

**Sleep debt** is owed against the athlete's own sleep need (``athletes[*].sleep.need_h``,
default 8.3 h, Sargent et al. 2021), not against a stay-at-home twin: the night before day
t is the sleep between 12:00 local on day t-1 and 12:00 local on day t (local wherever
the athlete is, so a westward trip's long day counts in the right night, naps and sleep
on board included), and the debt is Van Dongen et al.'s cumulative ledger over the last
``sleep_debt_nights`` nights (:func:`physiology.sleep.cumulative_debt`), starting from
habitual home nights. Its **effect** comes from the unified model of performance
(:func:`physiology.sleep.ump`, which reproduces accumulation under chronic restriction
and slow recovery): the **sleep impairment** of a day is the model's homeostat S at the
reference hour minus that of the same athlete at home on the same date, so the
athlete's habitual sleep is their habitual level, while late kickoffs, flights and jet
lag add impairment (:mod:`twin.model.day_kernel` turns it into performance).

Daily features: body-clock time and misalignment at the day's reference time (kickoff
on match days, the fixtures' kickoff time of day otherwise), sleep (h) of the night
before, the sleep debt (h) carried into the day and the sleep impairment (lapses).
Kickoffs outside the simulated grid take the nearest grid time.

How it is computed (the numbers are those of integrating each series on its own, bit for
bit): once per clock profile (:func:`clock_profiles`; the demo squad's 25 athletes have
6 sleep windows), a block of profiles at a time (:data:`BLOCK`), the pacemaker gives
the phase before each step (:func:`physiology.circadian.phase_series`), compiled passes
map it to the body-clock hour, and sleep and the unified model's homeostat follow in one
compiled kernel (:data:`twin.model.sleep_kernel.SLEEP_KERNEL`, Process C evaluated in
the step). The
steps on which every itinerary's light and sleep opportunity agree (the weeks before the
first trip) are integrated once, and each itinerary continues from the states there.
Only the daily features and the body-clock hour at the kickoffs the day kernel reads are
kept; the 0.1-h series of the squad (about 150 MB for the standard sweep) are kept only
when asked (``keep_grid``), and a figure computes its athlete's again (:func:`grid_of`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from physiology.circadian import equilibrate, home_clock, phase_series
from physiology.kernels import helper, run, tree_map
from physiology.kernels.floatmod import floor_mod
from physiology.kernels.lanes import LANES
from physiology.sleep import cumulative_debt, two_process, ump
from scenarios import at_home, compile_clock
from twin.model.sleep_kernel import SLEEP_KERNEL, sleep_params, sleep_state

#: Athletes integrated together. The pacemaker's compiled loop runs trajectories in lane
#: blocks of :data:`physiology.kernels.lanes.LANES` (16), one block to a thread, padding the
#: last: 8 athletes filled half of one block on one core (the standard sweep's pacemaker
#: 0.58 s); 32 fill the demo squad's 25 into two blocks on both cores (0.24 s), with
#: (32, T) arrays of 22 MB for a season at 0.1 h. Bit for bit the same either way (each
#: lane's arithmetic is its own).
BLOCK = 2 * LANES


class ClockFeatures(NamedTuple):
    """Per athlete and itinerary, ``(A, I, D)``: ``ref_body`` (body-clock hour at the
    reference hour of day; ``ref_local`` ``(I, D)`` the local hour there), ``slept`` (h,
    the night before each day), ``debt`` (h, carried into each day), ``impairment``
    (the unified model's homeostat above the at-home reference at the reference hour,
    lapses); ``habitual_debt`` ``(A,)`` h; ``local`` ``(I, T)`` local hours on the grid;
    ``at_steps`` and ``at_body``: per itinerary, the grid steps asked for (sorted) and the
    body-clock hours there ``(A, K)``; on the grid when kept (``keep_grid``; else None),
    ``body`` ``(A, I, T)`` body-clock hours, ``asleep`` and ``in_bed`` ``(A, I, T)`` bool
    (sleep, and the sleep opportunity); ``t0_h`` and ``dt_h``; ``settings``, the keyword
    arguments that computed it (to compute one athlete's grid again, :func:`grid_of`)."""

    ref_body: np.ndarray
    ref_local: np.ndarray
    slept: np.ndarray
    debt: np.ndarray
    habitual_debt: np.ndarray
    impairment: np.ndarray
    body: np.ndarray | None
    local: np.ndarray
    asleep: np.ndarray | None
    in_bed: np.ndarray | None
    t0_h: float
    dt_h: float
    evaluations: int  # trajectories integrated: (clock profile, itinerary), reference included
    at_steps: tuple = ()
    at_body: tuple = ()
    settings: dict | None = None

    def misalignment_grid(self) -> np.ndarray:
        """Misalignment (h, in (-12, 12]) on the grid, ``(A, I, T)``: body minus local."""
        return wrap_hours(self.body - self.local[None])

    def steps(self, hours) -> np.ndarray:
        """Grid steps of season hours (UTC): the nearest, clipped to the grid."""
        n_t = self.local.shape[-1]
        return np.clip(np.rint((np.asarray(hours, float) - self.t0_h) / self.dt_h
                               ).astype(int), 0, n_t - 1)


def clock_features(season, squad, itineraries, *, model: str = "hannay19",
                   window_nights: int = 14, kickoffs=None, reference_h: float = 15.0,
                   backend: str = "numba", sample_at=None, keep_grid: bool = True,
                   athletes=None, travel=None, public_ids=None) -> ClockFeatures:
    """The circadian and sleep features of every athlete on every itinerary.

    ``kickoffs``: per itinerary, the season hours (UTC) of its matches (None: none);
    ``reference_h``: the local hour of day of the non-match days' features;
    ``sample_at``: per itinerary, season hours (UTC) at which the body-clock hour is
    wanted (``at_steps``, ``at_body``; the kickoffs of every sweep point, for
    :func:`reference_clock`); ``keep_grid``: keep the 0.1-h series (``body``, ``asleep``,
    ``in_bed``, ``(A, I, T)``; the standard sweep's are about 150 MB) or not (None:
    they are computed block by block and dropped); ``athletes``: indices of the squad's
    athletes to compute (default all); ``travel``: a travel plan
    (:class:`twin.travel.TravelPlan`) replayed on every itinerary (not on the at-home
    reference): each athlete's actions, by ``public_ids`` (the squad's, in its order),
    recompose that athlete's light and sleep opportunity (:func:`twin.travel.apply_plan`);
    athletes without actions, and every athlete without a plan, keep the scenario's.
    """
    settings = dict(model=model, window_nights=window_nights, reference_h=reference_h,
                    backend=backend)
    if travel is not None:
        if public_ids is None or len(public_ids) != squad.size:
            raise ValueError(f"travel: expected public_ids, one per athlete of the squad "
                             f"({squad.size}), got {public_ids!r}")
        settings.update(travel=travel, public_ids=tuple(public_ids))
    ids = None if travel is None else list(public_ids)
    if athletes is not None:
        squad = _athletes_of(squad, athletes)
        ids = None if ids is None else [ids[k] for k in np.asarray(athletes, int)]
    rows, of_athlete = clock_profiles(squad, travel, ids)
    shared = _athletes_of(squad, rows)
    f, habitual_h = _features(season, shared, itineraries, None if ids is None else
                              [ids[k] for k in rows], travel, model, kickoffs, reference_h,
                              backend, sample_at, keep_grid, settings)
    if rows.size < squad.size:  # each athlete's rows from its profile's
        f = f._replace(**{name: getattr(f, name)[of_athlete] for name in _PER_ATHLETE
                          if getattr(f, name) is not None},
                       at_body=tuple(x[of_athlete] for x in f.at_body))
        habitual_h = habitual_h[of_athlete]
    need = np.asarray(squad.need_h, float)  # the debt is owed against each one's own need
    debt = cumulative_debt(np.minimum(f.slept, 24.0), need[:, None, None],
                           window_nights=window_nights, habitual_h=habitual_h[:, None])
    return f._replace(debt=debt,
                      habitual_debt=window_nights * np.maximum(need - habitual_h, 0.0))


#: The fields of :class:`ClockFeatures` with a leading athlete axis (``at_body`` aside).
_PER_ATHLETE = ("ref_body", "slept", "impairment", "body", "asleep", "in_bed")


def clock_profiles(squad, travel=None, ids=None) -> tuple[np.ndarray, np.ndarray]:
    """The athletes whose clocks are integrated, ``rows``, and each athlete's row among
    them, ``of_athlete`` (``squad``'s order): one per distinct habitual sleep window.

    The sub-daily part reads of an athlete only the window ``[bed_h, wake_h)`` (its light
    at the eye, sleep opportunity and entrained start follow from it) and, with a travel
    plan, that athlete's actions; athletes who share both have bit for bit the same body
    clock, sleep and homeostat. Their sleep need enters only the debt, computed per
    athlete afterwards. The demo squad's 25 athletes have 6 windows.
    """
    keys = {}
    of_athlete = np.empty(squad.size, int)
    rows = []
    for k in range(squad.size):
        key = (float(np.asarray(squad.bed_h)[k]), float(np.asarray(squad.wake_h)[k]),
               travel.of(ids[k]) if travel is not None else ())
        if key not in keys:
            keys[key] = len(rows)
            rows.append(k)
        of_athlete[k] = keys[key]
    return np.asarray(rows, int), of_athlete


def _features(season, squad, itineraries, ids, travel, model, kickoffs, reference_h,
              backend, sample_at, keep_grid, settings):
    """:func:`clock_features` of ``squad`` (each athlete integrated), without the debt:
    the features, and the hours slept on a habitual home night ``(A,)``."""
    n_a, n_i, n_d = squad.size, len(itineraries), season.days
    dt = season.dt_h
    per_day = round(24.0 / dt)
    kickoffs = [None] * n_i if kickoffs is None else list(kickoffs)
    ref_clock = compile_clock(season, at_home(season), squad.bed_h, squad.wake_h)
    home_day = ref_clock.light_lux[:, :per_day]  # the first day, from local midnight at home
    state0 = equilibrate(home_day, dt, model, backend=backend)
    homes = [home_clock(home_day[a], dt, model, state0=state0[a], backend=backend)
             for a in range(n_a)]
    # The same athletes at home on the same dates, with no trip: the body-clock reference
    # (so seasonal changes of daylength at home are not counted as jet lag).
    ref_hours = np.empty((n_a, ref_clock.t_h.size))
    for lo in range(0, n_a, BLOCK):
        a = slice(lo, min(lo + BLOCK, n_a))
        ph, _ = phase_series(ref_clock.light_lux[a], dt, model, state0[a], backend=backend)
        ref_hours[a] = [homes[k].hour_of(ph[k - lo]) for k in range(a.start, a.stop)]
    home_local = ref_clock.local_hour
    home_opportunity = ref_clock.sleep[:, :per_day]
    habitual, habitual_h = _habitual_sleep(home_opportunity, dt, backend)
    sleep0 = sleep_state(*habitual)
    # The reference's homeostat at the reference hour of each day: what the athlete's
    # habitual life leaves there (its own late matches aside: the reference has none).
    _, home_homeostat, _ = _sleep_run(np.broadcast_to(home_local, ref_clock.sleep.shape),
                                      ref_clock.sleep, dt, sleep0, backend)
    home_s = home_homeostat[:, _local_steps(ref_clock, n_d, reference_h)]

    clocks = [compile_clock(season, itin, squad.bed_h, squad.wake_h, kickoff_h=kickoffs[i])
              for i, itin in enumerate(itineraries)]
    if travel is not None:
        clocks = [_replay(c, travel, ids) for c in clocks]
    n_t = n_d * per_day
    split = shared_steps(clocks)
    local = np.stack([c.local_hour for c in clocks])
    t0_h = float(ref_clock.t_h[0])
    at_steps = tuple(np.unique(np.clip(np.rint((np.asarray(h, float) - t0_h) / dt
                                               ).astype(int), 0, n_t - 1))
                     for h in (sample_at or [np.zeros(0)] * n_i))
    at_body = tuple(np.empty((n_a, k.size)) for k in at_steps)
    grid = (np.empty((n_a, n_i, n_t)), np.zeros((n_a, n_i, n_t), bool),
            np.stack([c.sleep for c in clocks], axis=1)) if keep_grid else None
    refs = [_local_steps(c, n_d, reference_h) for c in clocks]
    noons = [_local_steps(c, n_d, 12.0) for c in clocks]
    ref_local = np.stack([c.local_hour[r] for c, r in zip(clocks, refs, strict=True)])
    ref_body = np.empty((n_a, n_i, n_d))
    slept = np.empty((n_a, n_i, n_d))
    slept[:, :, 0] = habitual_h[:, None]
    impairment = np.empty((n_a, n_i, n_d))
    for lo in range(0, n_a, BLOCK):  # a block of athletes at a time: bounded memory
        a = slice(lo, min(lo + BLOCK, n_a))
        segment = _Segment(a, homes[a], ref_hours[a], home_local, dt, model, backend)
        size = a.stop - a.start
        body, asleep, homeostat = (np.empty((size, n_t)), np.empty((size, n_t), bool),
                                   np.empty((size, n_t)))
        # The steps every itinerary shares are integrated once (they are the same
        # floating-point operations on the same inputs); each itinerary continues.
        head = segment.run(clocks[0], slice(0, split), state0[a], _rows(sleep0, a))
        for i, clock in enumerate(clocks):
            tail = segment.run(clock, slice(split, n_t), *head[3:])
            for part, (hours, sleep, level, *_) in ((slice(0, split), head),
                                                      (slice(split, n_t), tail)):
                body[:, part] = hours
                asleep[:, part] = sleep > 0.5
                homeostat[:, part] = level
            ref_body[a, i] = body[:, refs[i]]
            at_body[i][a] = body[:, at_steps[i]]
            impairment[a, i] = homeostat[:, refs[i]] - home_s[a]
            slept[a, i, 1:] = _nights(asleep, noons[i], dt)
            if grid:
                grid[0][a, i], grid[1][a, i] = body, asleep
    body, asleep, in_bed = grid if grid else (None, None, None)
    return ClockFeatures(ref_body, ref_local, slept, None, None, impairment, body,
                         local, asleep, in_bed, t0_h, dt, n_a * (n_i + 1), at_steps,
                         at_body, settings), habitual_h


def _replay(clock, travel, ids):
    """One itinerary's clock inputs under the travel plan (athletes by public id)."""
    from twin.travel.schedule import apply_plan, masks  # twin.travel builds on this module

    plans = [masks(travel.of(i), travel.window_h, clock.t_h) if travel.of(i) else None
             for i in ids]
    return apply_plan(clock, plans)


def _athletes_of(squad, athletes):
    """The squad's sleep windows and needs for some athletes (what the clock reads)."""
    from types import SimpleNamespace

    k = np.asarray(athletes, int)
    return SimpleNamespace(size=k.size, bed_h=np.asarray(squad.bed_h)[k],
                           wake_h=np.asarray(squad.wake_h)[k],
                           need_h=np.asarray(squad.need_h, float)[k])


def grid_of(features: ClockFeatures, season, squad, itineraries, kickoffs, athlete: int,
            itinerary: int) -> ClockFeatures:
    """One athlete's 0.1-h series on one itinerary (``body``, ``asleep``, ``in_bed``,
    ``(1, 1, T)``): ``features`` itself when it kept its grid, else computed again with
    its settings. Computed alone, the athlete's entrained start converges on its own
    (:func:`physiology.circadian.equilibrate`), so the series agree with the squad's to
    the entrainment tolerance (1e-9 in the state), not bit for bit: for figures."""
    if features.body is not None:
        pick = (slice(athlete, athlete + 1), slice(itinerary, itinerary + 1))
        return features._replace(body=features.body[pick], asleep=features.asleep[pick],
                                 in_bed=features.in_bed[pick],
                                 local=features.local[itinerary:itinerary + 1])
    return clock_features(season, squad, [itineraries[itinerary]],
                          kickoffs=[list(kickoffs)[itinerary]], athletes=[athlete],
                          **features.settings)


def _rows(state, rows: slice):
    """A kernel state (named tuple of ``(A,)`` arrays) for some athletes."""
    return tree_map(lambda x: x[rows], state)


def shared_steps(clocks) -> int:
    """Grid steps from the start on which every itinerary's light and sleep opportunity
    are identical (the days before the first trip or floodlit difference): the states of
    the pacemaker and of sleep are the same there, so they are integrated once. At least
    one step is left to each itinerary; 0 for a single itinerary."""
    if len(clocks) < 2:
        return 0
    first = clocks[0]
    differs = np.zeros(first.light_lux.shape[-1], bool)
    for c in clocks[1:]:
        differs |= np.any(c.light_lux != first.light_lux, axis=0)
        differs |= np.any(c.sleep != first.sleep, axis=0)
    return int(np.argmax(differs)) if differs.any() else differs.size - 1


class _Segment(NamedTuple):
    """A block of athletes' body clock and sleep over a run of grid steps, continuing
    from given states (what :func:`clock_features` does per itinerary)."""

    athletes: slice
    homes: list
    ref_hours: np.ndarray  # (a, T) the reference's home hours
    home_local: np.ndarray  # (T,)
    dt: float
    model: str
    backend: str

    def run(self, clock, steps: slice, pacemaker0, sleep0):
        """Body-clock hours, asleep (0/1) and the unified model's homeostat over
        ``steps`` of ``clock``, ``(a, n)`` each, then the pacemaker's state ``(a, 3)``
        and sleep's state after them. An empty run returns the states it was given."""
        a = self.athletes
        n = steps.stop - steps.start
        if n == 0:
            empty = np.empty((a.stop - a.start, 0))
            return empty, empty, empty, pacemaker0, sleep0
        ph, end_clock = phase_series(clock.light_lux[a, steps], self.dt, self.model,
                                     pacemaker0, backend=self.backend)
        hours = np.empty(ph.shape)
        for k, home in enumerate(self.homes):
            _local_plus_lead(home.hour_of(ph[k]), self.ref_hours[k, steps],
                             self.home_local[steps], hours[k])
        asleep, homeostat, end = _sleep_run(hours, clock.sleep[a, steps], self.dt, sleep0,
                                            self.backend)
        return hours, asleep, homeostat, end_clock, end


@njit(cache=True, error_model="numpy")
def _local_plus_lead(mapped, reference, local, out):  # pragma: no cover - compiled
    """``out = (local + wrap_hours(mapped - reference)) % 24`` element-wise: the body-clock
    hour, the home clock hour plus the body's lead over the reference (module docstring),
    in one pass (:func:`_wrap`, as :func:`wrap_hours`)."""
    for i in range(out.size):
        lead = _wrap(mapped[i] - reference[i])
        out[i] = floor_mod(local[i] + lead, 24.0)  # % 24, the same bits


def _sleep_run(hours, opportunity, dt, state0, backend):
    """Sleep (two-process) and the unified model's homeostat along a body-clock series,
    in one pass (:data:`twin.model.sleep_kernel.SLEEP_KERNEL`): asleep (0/1) and S,
    ``(a, T)``, and the kernel's state after the last step."""
    out, end = run(SLEEP_KERNEL, (hours, opportunity), sleep_params(dt), state0,
                   backend=backend)
    return out.asleep, out.homeostat, end


def _nights(asleep, noon, dt):
    """Hours slept in each night between consecutive noons ``(a, D - 1)``."""
    return np.diff(np.cumsum(asleep, axis=-1)[:, noon], axis=-1) * dt


def _habitual_sleep(opportunity_day, dt: float, backend: str, days: int = 14,
                    ump_days: int = 40):
    """At home midnight after entrained home days (body hour = local hour), per athlete:
    Process S and the sleep state after ``days`` days, the unified model's S and L after
    ``ump_days`` of that sleep pattern (L settles with its 4-day time constant), and the
    hours slept on the last day."""
    n_a, per_day = opportunity_day.shape
    hours = np.broadcast_to(np.tile(np.arange(per_day) * dt, days), (n_a, days * per_day))
    out = two_process(hours, dt, np.tile(opportunity_day.astype(float), days),
                      backend=backend)
    last = out.asleep[:, -per_day:]
    long = np.broadcast_to(np.tile(np.arange(per_day) * dt, ump_days),
                           (n_a, ump_days * per_day))
    u = ump(long, np.tile(last, ump_days), dt, backend=backend)
    return ((out.s[:, -1], out.asleep[:, -1], u.s[:, -1], u.l[:, -1]),
            last.sum(axis=-1) * dt)


def _local_steps(clock, n_d: int, hour: float) -> np.ndarray:
    """Grid index of ``hour`` local on each day: the first step of that local date at or
    after it (a westward flight can repeat the hour; an eastward one across the date
    line can skip a date, which then takes the previous day's index)."""
    local_t = clock.t_h + clock.utc_offset_h  # local clock hours since the season start
    day = np.floor(local_t / 24.0).astype(int)
    after_noon = np.flatnonzero(local_t - 24.0 * day >= hour - 1e-9)
    dates, first = np.unique(day[after_noon], return_index=True)
    keep = (dates >= 0) & (dates < n_d)
    out = np.full(n_d, -1)
    out[dates[keep]] = after_noon[first[keep]]
    return np.maximum.accumulate(np.where(out < 0, 0, out))


def reference_clock(features: ClockFeatures, kickoff_h: np.ndarray, itinerary: np.ndarray,
                    match: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Body-clock hour and misalignment (h) at each day's reference time, ``(A, P, D)``:
    kickoff on match days, the reference hour of day otherwise.

    Args:
        kickoff_h: season hours (UTC) of kickoff, ``(P, D)`` (NaN without a match); read
            from the grid when it was kept, else from ``at_body`` (the features must have
            been computed with these kickoffs in ``sample_at``).
        itinerary: itinerary index of each point, ``(P,)``.
        match: ``(P, D)`` bool.
    """
    on = np.isfinite(kickoff_h) & match
    idx = np.zeros(kickoff_h.shape, int)
    idx[on] = features.steps(kickoff_h[on])
    it = itinerary[:, None]
    if features.body is not None:
        at_kickoff = features.body[:, it, idx]
    else:
        at_kickoff = np.zeros((features.ref_body.shape[0], *idx.shape))
        for p, i in enumerate(itinerary):
            steps = features.at_steps[i]
            pos = np.searchsorted(steps, idx[p, on[p]])
            if np.any(pos >= steps.size) or np.any(steps[np.minimum(pos, steps.size - 1)]
                                                   != idx[p, on[p]]):
                raise ValueError(f"reference_clock: a kickoff of point {p} was not sampled "
                                 "(clock_features sample_at); expected every kickoff")
            at_kickoff[:, p, on[p]] = features.at_body[i][:, pos]
    body = np.where(on, at_kickoff, features.ref_body[:, itinerary])
    local = np.where(on, features.local[it, idx], features.ref_local[itinerary])
    return body, wrap_hours(body - local)


@helper
def _wrap(h):  # pragma: no cover - compiled
    """One hour wrapped into (-12, 12]: the one formula, for arrays, compiled loops and
    JAX (a declared helper: :func:`physiology.kernels.jax_helper`)."""
    return -((-h + 12.0) % 24.0 - 12.0)


@njit(cache=True, error_model="numpy")
def _wrap_all(h, out):  # pragma: no cover - compiled
    for i in range(h.size):
        out[i] = _wrap(h[i])


def wrap_hours(h) -> np.ndarray:
    """Hours wrapped into (-12, 12], element-wise (an array of the shape of ``h``).

    A compiled loop, not a Numba ``vectorize`` ufunc: building a ufunc's loop runs LLVM
    at import even with its kernel cached (0.2-0.3 s of every process, here)."""
    h = np.asarray(h, dtype=float)
    out = np.empty(h.shape)
    _wrap_all(h.ravel(), out.reshape(-1))
    return out


def restriction_impairment(bed_h: float = 23.0, wake_h: float = 7.0, in_bed_h: float = 4.0,
                           reference_h: float = 15.0, dt: float = 0.1,
                           backend: str = "numba") -> float:
    """The sleep impairment (lapses) of one restricted night: the unified model's
    homeostat at ``reference_h`` the next day after ``in_bed_h`` hours in bed ending at
    the habitual wake time, minus after a habitual night; entrained (body = local hour),
    from the habitual steady state. The day kernel's scale: the meta-analysed loss of
    physical performance after sleep restriction corresponds to this impairment."""
    per_day, days = round(24.0 / dt), 41
    t = np.arange(days * per_day) * dt
    hour = np.mod(t, 24.0)
    habitual = np.mod(hour - bed_h, 24.0) < np.mod(wake_h - bed_h, 24.0)
    # The night that ends on the morning of the last day: only its last in_bed_h hours.
    wake_last = 24.0 * (days - 1) + wake_h
    night = (t >= wake_last - np.mod(wake_h - bed_h, 24.0)) & (t < wake_last)
    short = habitual & ~(night & (t < wake_last - in_bed_h))
    s = ump(np.broadcast_to(hour, (2, t.size)), np.stack([habitual, short]).astype(float),
            dt, backend=backend).s
    at = (days - 1) * per_day + round(reference_h / dt) - 1
    return float(s[1, at] - s[0, at])
