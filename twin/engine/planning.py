"""Planning a sweep: from plain values to a :class:`Plan` (what every chunk shares).

:func:`plan` does everything that does not depend on the Monte-Carlo draw or is shared
by all chunks: it compiles the scenario (:mod:`scenarios`), integrates the circadian and
sleep part once per (athlete, itinerary) (:mod:`twin.model.clock`), computes each
athlete's W' depletion table (:mod:`twin.model.match`) and tissue dose per metre, draws
each athlete's parameters (:mod:`twin.model.athletes`) and runs the day kernel to the
habitual steady state the season starts from.

The engine takes Python values (a squad, a season, a sweep, a calibration dataset, a load
plan array), never a config node or a file path: reading YAML, CSV and netCDF is the apps
layer's (:func:`twin.apps.from_config.plan_from_config`).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

import scenarios as sc
from physiology.injury import FRESH, LONG_AGO, HazardParams, RiskFactorParams, athlete_rate_ratio
from physiology.kernels import BACKENDS, Kernel, run, subtypes, tree_map
from physiology.load import decay_rate
from physiology.tissue import BONE, daily_dose, running_loads
from twin.engine.load_plan import apply_load_plan
from twin.engine.workspace import Workspace
from twin.model import athletes as _athletes
from twin.model import clock as _clock
from twin.model import match as _match
from twin.model.day_kernel import KERNELS, DayInputs
from twin.model.params import AthletePriors, CouplingParams

if TYPE_CHECKING:
    from twin.travel.schedule import TravelPlan

WARMUP_DAYS = 3 * 365
BAND_SPEEDS = np.array([b[2] for b in sc.SPEED_BANDS])
SRPE = sc.LOAD_KINDS.index("srpe")
#: The day kernel's running inputs, one per speed band of :data:`scenarios.SPEED_BANDS`.
RUNNING_INPUTS = tuple(f"run_{band}_m" for band in sc.BANDS)


@dataclass
class Plan:
    """Everything the chunks of a sweep share; arrays over athlete ``A``, sweep point
    ``P``, draw ``N`` and day ``D``.

    Attributes:
        squad, season, sweep, days, clock: the scenario as :mod:`scenarios` compiled it,
            and the sub-daily clock features per (athlete, itinerary).
        model, backend: fitness-fatigue model (a key of ``twin.model.day_kernel.KERNELS``)
            and backend (``"numba"`` or ``"jax"``).
        draws, seed, quantiles, keep_draws: the Monte-Carlo design and its reduction.
        params: the day kernel's ``Params`` (named, nested), each leaf ``(A, N)``.
        state0: the day kernel's ``State`` at the season's start, each leaf ``(A, N)``.
        body_clock, misalignment, sleep_debt: ``(A, P, D)`` h, at the day's reference time
            (kickoff on match days, the fixtures' kickoff time of day otherwise);
            sleep_obtained ``(A, P, D)`` h, the night before each day; sleep_impairment
            ``(A, P, D)`` lapses above habitual (:mod:`twin.model.clock`).
        w_prime_plan: ``(A, P, D)`` fraction of D' the planned match would use.
        param_draws: the athlete parameters drawn, name -> ``(A, N)``.
        public_ids: athlete ids as the governance policy lets them out.
        athlete_load, athlete_running, athlete_minutes: a per-athlete load plan,
            ``(A, P, D)``, ``(A, P, D, bands)`` and ``(A, P, D)`` (training minutes), or
            None (the scenario's own loads).
        draw_ids: the random-stream key of each draw ``(N,)``, or None for
            ``0 .. N - 1`` (:meth:`stream_draws`).
        matches: each athlete's matches when the squad sets minutes shares or positions
            (:func:`scenarios.athlete_matches`: minutes, intensity, session-RPE load and
            running, ``(A, P, D)`` and ``(A, P, D, bands)``), or None (every athlete plays
            the scenario's matches: the inputs stay per sweep point).
        rate_ratio: each athlete's injury-rate ratio ``(A,)``
            (:func:`physiology.injury.athlete_rate_ratio`), already in ``params.hazard``.
        travel_plan: the travel plan replayed in the clock part
            (:class:`twin.travel.TravelPlan`, ``scenario.travel_plan``), or None.
    """

    squad: sc.Squad
    season: sc.Season
    sweep: sc.Sweep
    days: sc.DailyInputs
    clock: _clock.ClockFeatures
    model: str
    backend: str
    draws: int
    seed: int
    quantiles: np.ndarray
    keep_draws: bool
    params: tuple
    state0: tuple
    body_clock: np.ndarray
    misalignment: np.ndarray
    sleep_obtained: np.ndarray
    sleep_debt: np.ndarray
    sleep_impairment: np.ndarray
    w_prime_plan: np.ndarray
    param_draws: dict = field(default_factory=dict)
    public_ids: tuple[str, ...] = ()
    athlete_load: np.ndarray | None = None
    athlete_running: np.ndarray | None = None
    athlete_minutes: np.ndarray | None = None
    draw_ids: np.ndarray | None = None
    matches: AthleteMatches | None = None
    rate_ratio: np.ndarray | None = None
    travel_plan: TravelPlan | None = None

    @property
    def kernel(self) -> Kernel:
        return KERNELS[self.model]

    def clock_grid(self, athlete: int, itinerary: int) -> _clock.ClockFeatures:
        """One athlete's 0.1-h body clock and sleep on one itinerary (for figures; the
        plan keeps only the daily features): :func:`twin.model.clock.grid_of`."""
        return _clock.grid_of(self.clock, self.season, self.squad, self.days.itineraries,
                              _itinerary_kickoffs(self.days), athlete, itinerary)

    def stream_draws(self) -> np.ndarray:
        """The random-stream key of each draw: ``0 .. N - 1`` unless ``draw_ids`` says
        otherwise (a sensitivity run gives every parameter set the same few draws)."""
        return np.arange(self.draws) if self.draw_ids is None else np.asarray(self.draw_ids)

    def feeds(self) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
        """The draw-free kernel inputs: name -> (array, the dims it varies over)."""
        d, m = self.days, self.matches
        out = {}
        if self.athlete_load is None and m is not None:  # individual matches
            out["load_plan"] = m.load, ("athlete", "point", "date")
            for b, name in enumerate(RUNNING_INPUTS):
                out[name] = m.running[..., b], ("athlete", "point", "date")
            out["training_minutes_plan"] = d.training_min, ("point", "date")
        elif self.athlete_load is None:
            out["load_plan"] = d.load[..., SRPE], ("point", "date")
            for b, name in enumerate(RUNNING_INPUTS):
                out[name] = d.running_m[..., b], ("point", "date")
            out["training_minutes_plan"] = d.training_min, ("point", "date")
        else:  # a per-athlete load plan (scenario.load_plan)
            out["load_plan"] = self.athlete_load, ("athlete", "point", "date")
            for b, name in enumerate(RUNNING_INPUTS):
                out[name] = self.athlete_running[..., b], ("athlete", "point", "date")
            out["training_minutes_plan"] = self.athlete_minutes, ("athlete", "point", "date")
        ap = ("athlete", "point", "date")
        out["minutes_plan"] = ((d.match_minutes, ("point", "date")) if m is None
                               else (m.minutes, ("athlete", "point", "date")))
        out["w_prime_plan"] = self.w_prime_plan, ap
        out["body_clock_h"] = self.body_clock, ap
        out["sleep_debt_h"] = self.sleep_debt, ap
        out["sleep_impairment_lapses"] = self.sleep_impairment, ap
        return out

    def match_effort(self, athlete: int) -> np.ndarray:
        """The athlete's match minutes times intensity (standard-match minutes), ``(P, D)``."""
        if self.matches is None:
            return self.days.match_minutes * self.days.match_intensity
        return self.matches.minutes[athlete] * self.matches.intensity[athlete]

    def match_minutes(self, athlete: int) -> np.ndarray:
        """The athlete's expected match minutes if available, ``(P, D)``."""
        return (self.days.match_minutes if self.matches is None
                else self.matches.minutes[athlete])

    def match_running_per_min(self, athlete: int) -> np.ndarray:
        """The athlete's match running per standard-match minute, ``(bands,)`` m/min."""
        return self.season.match_running_per_min * self.squad.match_running_ratio[athlete]


@dataclass(frozen=True)
class AthleteMatches:
    """Each athlete's matches (:func:`scenarios.athlete_matches`)."""

    minutes: np.ndarray  # (A, P, D) min
    intensity: np.ndarray  # (A, P, D) 1
    load: np.ndarray  # (A, P, D) AU, session-RPE of the day (training or the match)
    running: np.ndarray  # (A, P, D, bands) m

    @classmethod
    def of(cls, days: sc.DailyInputs, season: sc.Season, squad: sc.Squad) -> AthleteMatches:
        return cls(*sc.athlete_matches(days, season, squad.minutes_share,
                                       squad.match_running_ratio))


#: Fields that must be one value for a whole plan (not per draw): the sleep-debt window of
#: the clock part and the W' depletion tables are computed once per athlete.
DRAW_FREE = {"CouplingParams": ("sleep_debt_nights", "efforts_per_90", "effort_ratio",
                                "effort_s", "background_ratio"),
             "AthletePriors": ("critical_speed", "d_prime")}


def hazard_params(coupling: CouplingParams, base: HazardParams | None = None) -> HazardParams:
    """The injury hazard with its sleep coefficient (an option, 0 by default) per hour of
    the twin's cumulative debt: a steady shortfall of 1 h a night holds the ledger at
    ``sleep_debt_nights`` h, so the coefficient per hour of debt is the per-night one
    divided by that."""
    base = HazardParams() if base is None else base
    return base.replace(beta_sleep=base.beta_sleep / coupling.sleep_debt_nights)


def dose_per_metre(squad: sc.Squad, tissue=BONE) -> np.ndarray:
    """Unadapted tissue dose per metre in each speed band, ``(A, bands)`` (1/d per m)."""
    out = np.empty((squad.size, BAND_SPEEDS.size))
    for a in range(squad.size):
        loads = running_loads(np.eye(BAND_SPEEDS.size), BAND_SPEEDS, squad.leg_length_m[a])
        out[a] = daily_dose(loads.cycles_per_leg[None], loads.peak_force_bw, tissue)[0]
    return out


def plan(squad: sc.Squad, season: sc.Season, sweep: sc.Sweep, *, draws: int = 100,
         seed: int = 0, model: str = "banister", circadian: str = "hannay19",
         backend: str = "numba", quantiles=(0.05, 0.5, 0.95), keep_draws: bool = False,
         public_ids: tuple[str, ...] | None = None, calibration=None,
         load_plan: np.ndarray | None = None, hazard: HazardParams | None = None,
         coupling: CouplingParams | None = None, priors: AthletePriors | None = None,
         draw_ids=None, risk_factors: RiskFactorParams | None = None,
         clock_grid: bool = False, travel_plan: TravelPlan | None = None) -> Plan:
    """Prepare a sweep (see the module docstring).

    Args:
        squad, season, sweep: from :func:`scenarios.build_squad`, :func:`build_season`,
            :func:`build_sweep` (or made directly).
        draws: Monte-Carlo draws per athlete and point (>= 1).
        seed: the run's seed (common random numbers across points).
        model: fitness-fatigue model, ``"banister"`` or ``"busso"``.
        circadian: pacemaker, ``"forger99"``, ``"jewett99"`` or ``"hannay19"``.
        backend: ``"numba"`` or ``"jax"``.
        quantiles: levels of the cube's ``quantile`` dim.
        keep_draws: keep every draw instead of quantiles.
        public_ids: athlete ids as the governance policy lets them out (default the
            squad's ids); they key calibration draws and load plans.
        calibration: a squad calibration dataset (:func:`calibration.read_squad_calibration`)
            whose draws replace the priors for the athletes it holds, or None.
        load_plan: planned training load ``(A, D)`` AU (NaN where the scenario's own load
            stands; :func:`twin.prescribe.load_plan.read_load_plan`), or None.
        hazard: the injury hazard's rates and options (default :class:`HazardParams`);
            a calibration file's fitted hazard fields replace it for its athletes.
        coupling, priors: the twin's couplings and athlete priors (default their records'
            defaults). ``hazard``, ``coupling`` and ``priors`` fields may be arrays of
            shape ``(draws,)``, a parameter set per draw, except the draw-free ones
            (:data:`DRAW_FREE`: they set the clock's sleep-debt window and the W'
            depletion tables, computed once per athlete).
        draw_ids: the random-stream key of each draw, ``(draws,)`` integers (default
            ``0 .. draws - 1``); draws sharing a key share their random numbers.
        risk_factors: the rate ratios of the athletes' previous injury and age
            (:class:`physiology.injury.RiskFactorParams`, default its record's), applied
            to the hazard's rates per athlete (after a calibration file's hazard fit:
            that fit is the squad's average).
        clock_grid: keep the 0.1-h body clock and sleep of every athlete and itinerary
            in ``plan.clock`` (``body``, ``asleep``, ``in_bed``; about 150 MB for the
            standard sweep) for analysis; by default only the daily features are kept
            (:meth:`Plan.clock_grid` computes one athlete's series again).
        travel_plan: per-athlete light and sleep actions (:class:`twin.travel.TravelPlan`,
            athletes by ``public_ids``; :func:`twin.travel.plan_file.read_travel_plan`)
            replayed on every itinerary's light and sleep opportunity
            (:func:`twin.model.clock.clock_features` ``travel``), or None.

    Individual athletes (:class:`scenarios.Squad`): an athlete's minutes share and
    position set its matches' minutes, load and running, and its habitual load (the
    season's mean day as that athlete plays it) sets its prior gains and the steady state
    the season starts from; its previous injury and age set its rate ratio. A squad that
    sets none of these runs exactly as before (the inputs stay per sweep point).

    Raises:
        ValueError: an unknown model, circadian model or backend, draws < 1, a draw-free
            field given per draw, or ``draw_ids`` of the wrong shape.
    """
    if model not in KERNELS:
        raise ValueError(f"model={model!r}: expected one of {tuple(KERNELS)}")
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r}: expected one of {BACKENDS}")
    if int(draws) < 1:
        raise ValueError(f"draws={draws!r}: expected at least 1")
    quantiles = check_quantiles(quantiles)
    kernel = KERNELS[model]
    days = sc.compile_days(season, sweep)
    coupling = CouplingParams() if coupling is None else coupling
    priors = AthletePriors() if priors is None else priors
    for record in (coupling, priors):
        for name in DRAW_FREE.get(type(record).__name__, ()):
            if np.ndim(getattr(record, name)):
                raise ValueError(f"{type(record).__name__}.{name}: draw-free (it sets the "
                                 "clock or the W' tables, once per athlete); expected one value")
    n_draws, seed = int(draws), int(seed)
    if draw_ids is not None:
        draw_ids = np.asarray(draw_ids, dtype=np.int64)
        if draw_ids.shape != (n_draws,) or np.any(draw_ids < 0):
            raise ValueError(f"draw_ids: expected {n_draws} non-negative integers, got shape "
                             f"{draw_ids.shape}")
    ids = tuple(squad.ids) if public_ids is None else tuple(public_ids)

    if calibration is not None:  # the club's sleep records: each athlete's own need
        squad = calibrated_sleep_need(squad, calibration, ids)
    reference_h = float(season.fixtures["kickoff_h"])
    clock = _clock.clock_features(season, squad, days.itineraries, model=circadian,
                                  window_nights=round(coupling.sleep_debt_nights),
                                  kickoffs=_itinerary_kickoffs(days), reference_h=reference_h,
                                  backend=backend, sample_at=_all_kickoffs(days),
                                  keep_grid=bool(clock_grid), travel=travel_plan,
                                  public_ids=ids)
    body, misalign = _clock.reference_clock(clock, days.kickoff_h, days.itinerary, days.match)
    debt = clock.debt[:, days.itinerary]
    table = _match.depletion_table(np.full(squad.size, priors.critical_speed),
                                   np.full(squad.size, priors.d_prime), coupling)
    base = sc.compile_days(season, sc.as_planned(season))
    matches = None
    if squad.individual_matches:
        matches = AthleteMatches.of(days, season, squad)
        w_plan = np.stack([_match.planned_depletion(table[a:a + 1], matches.minutes[a],
                                                    matches.intensity[a])[0]
                           for a in range(squad.size)])
        habit = AthleteMatches.of(base, season, squad)  # each athlete's habitual season
        w_bar, run_bar = habit.load[:, 0].mean(axis=-1), habit.running[:, 0].mean(axis=1)
    else:
        w_plan = _match.planned_depletion(table, days.match_minutes, days.match_intensity)
        w_bar, run_bar = float(base.load[0, :, SRPE].mean()), base.running_m[0].mean(axis=0)
    minutes_bar = float(base.training_min[0].mean())
    param_draws = _athletes.prior_draws(squad.size, n_draws, seed, priors, w_bar, model,
                                        athlete_keys(ids), draw_ids)
    if calibration is not None:
        param_draws = _athletes.calibrated_draws(calibration, ids, n_draws, model,
                                                 param_draws)
    shape = (squad.size, n_draws)
    record = hazard_params(coupling, hazard)
    hazard_draws = {k: np.full(shape, getattr(record, k)) for k in record.names()}
    if calibration is not None:  # a club's own injury fit (twin-calibrate inputs.injuries)
        hazard_draws = _athletes.calibrated_draws(calibration, ids, n_draws, "hazard",
                                                  hazard_draws)
    ratio = athlete_rate_ratio(squad.previous_injury, squad.age_years, risk_factors)
    if np.any(ratio != 1.0):  # an athlete's own risk factors on the squad-average rates
        for name in ("rate_training", "rate_match"):
            hazard_draws[name] = hazard_draws[name] * ratio[:, None]
    params = _kernel_params(kernel, param_draws, hazard_draws, coupling,
                            dose_per_metre(squad), shape, reference_h, backend)
    state0, fat_hab, perf_hab = _steady_state(kernel, params, shape, w_bar, run_bar,
                                              minutes_bar, reference_h, backend)
    params = params._replace(coupling=params.coupling._replace(
        fatigue_habitual=fat_hab, perf_habitual=perf_hab))
    loads = (None, None, None)
    if load_plan is not None:
        loads = apply_load_plan(days, season, sweep.points["training_volume"], load_plan)
        if matches is not None:  # match days are each athlete's own matches
            loads = (np.where(days.match[None], matches.load, loads[0]),
                     np.where(days.match[None, ..., None], matches.running, loads[1]),
                     loads[2])
    return Plan(squad, season, sweep, days, clock, model, backend, n_draws, seed,
                quantiles, bool(keep_draws), params, state0,
                body, misalign, clock.slept[:, days.itinerary], debt,
                clock.impairment[:, days.itinerary], w_plan, param_draws, ids, *loads,
                draw_ids, matches, ratio, travel_plan)


def calibrated_sleep_need(squad: sc.Squad, calibration, ids) -> sc.Squad:
    """The squad with each calibrated athlete's sleep need (``sleep.need_h`` of the squad
    file, its median over draws: the clock part is draw-free); others keep the config's."""
    names = [str(p) for p in calibration["parameter"].values]
    if "sleep.need_h" not in names:
        return squad
    known = [str(a) for a in calibration["athlete"].values]
    need = np.array(squad.need_h, float)
    for a, aid in enumerate(ids):
        if aid in known:
            draws = calibration["value"].sel(athlete=aid).values[:, names.index("sleep.need_h")]
            if np.isfinite(draws).all():
                need[a] = float(np.median(draws))
    return dataclasses.replace(squad, need_h=need)


def _itinerary_kickoffs(days: sc.DailyInputs) -> list[np.ndarray]:
    """Per itinerary, the kickoffs (season hours, UTC) of its first sweep point: the
    matches the clock part lights and sleeps around."""
    first = [int(np.flatnonzero(days.itinerary == i)[0]) for i in range(len(days.itineraries))]
    return [days.kickoff_h[p][days.match[p]] for p in first]


def _all_kickoffs(days: sc.DailyInputs) -> list[np.ndarray]:
    """Per itinerary, the kickoffs (season hours, UTC) of every sweep point on it: where
    the day kernel reads the body clock (:func:`twin.model.clock.reference_clock`)."""
    on = np.isfinite(days.kickoff_h) & days.match
    return [days.kickoff_h[days.itinerary == i][on[days.itinerary == i]]
            for i in range(len(days.itineraries))]


def check_quantiles(quantiles, key: str = "quantiles") -> np.ndarray:
    """Quantile levels as an array: at least one, each in [0, 1], strictly increasing
    (the cube's ``quantile`` coordinate); ``ConfigError`` naming ``key`` otherwise,
    before any work is done."""
    try:
        q = np.asarray(list(quantiles), dtype=float)
    except (TypeError, ValueError):
        raise sc.ConfigError(f"{key} = {quantiles!r}: expected a list of levels in "
                             "[0, 1]") from None
    if q.ndim != 1 or q.size == 0 or not np.all((q >= 0) & (q <= 1)) \
            or np.any(np.diff(q) <= 0):
        raise sc.ConfigError(f"{key} = {q.tolist()}: expected at least one level, each in "
                             "[0, 1], in increasing order (e.g. [0.05, 0.5, 0.95])")
    return q


def _kernel_params(kernel: Kernel, draws: dict, hazard: dict, coupling: CouplingParams,
                   dose: np.ndarray, shape: tuple[int, int], reference_h: float,
                   backend: str):
    """The day kernel's ``Params``, each leaf ``(A, N)``, before the habitual levels are
    known (1 here); ``hazard`` the hazard's fields, each ``(A, N)``; ``reference_h`` the
    body-clock hour of the habitual kickoff."""
    in_bed = np.asarray(coupling.sleep_restriction_in_bed_h, float)
    levels, where = np.unique(in_bed, return_inverse=True)  # one night per distinct value
    restricted = np.array([_clock.restriction_impairment(in_bed_h=float(h),
                                                         reference_h=reference_h,
                                                         backend=backend)
                           for h in levels])[where].reshape(in_bed.shape)
    part = subtypes(kernel.Params)  # each component's own Params type
    # lag 1, the next-day convention: performance before the day's own load
    ff = part["ff"](**{n: draws[n] for n in part["ff"]._fields if n != "lag"}, lag=1.0)
    params = kernel.Params(
        ff=ff,
        ewma=part["ewma"](lam_c=decay_rate(coupling.acwr_chronic_days, "2/(N+1)"),
                          lam_a=decay_rate(coupling.acwr_acute_days, "2/(N+1)")),
        tissue=part["tissue"](*BONE.values()),
        hazard=part["hazard"](**hazard),
        events=part["events"](ramp_days=coupling.ramp_days),
        coupling=part["coupling"](*(dose[:, b, None] for b in range(dose.shape[1])),
                                  fatigue_habitual=1.0, perf_habitual=1.0,
                                  tod_amplitude=coupling.tod_amplitude,
                                  tod_peak_h=coupling.tod_peak_h,
                                  tod_reference_h=reference_h,
                                  sleep_loss_per_lapse=coupling.sleep_loss_restriction
                                  / restricted,
                                  sleep_loss_max=coupling.sleep_loss_restriction,
                                  match_fatigue_24h=coupling.match_fatigue_24h,
                                  match_fatigue_decay=np.exp(-1.0 / coupling.match_recovery_days)))
    return tree_map(lambda v: np.broadcast_to(np.asarray(v, float), shape).copy(), params)


#: Bytes of kernel outputs one warm-up block may hold (its inputs are rows broadcast to
#: the block, a few kB): planning memory does not grow with the number of draws, as the
#: warm-up runs in blocks of draws, on one :class:`~twin.engine.workspace.Workspace`. In
#: blocks of 128 MiB, fresh each season, the standard sweep's warm-up took 0.50-0.76 s of
#: a fresh process, mostly first touches of memory (:mod:`twin.engine.workspace`); now
#: 0.11-0.13 s.
WARMUP_BLOCK_BYTES = 16 * 2**20


def _steady_state(kernel, params, shape, w_bar, run_bar, minutes_bar, reference_h, backend):
    """State after WARMUP_DAYS of the habitual mean day (no matches, no injuries, no jet
    lag; ``w_bar`` and ``run_bar`` the squad's, or each athlete's ``(A,)``, ``(A, bands)``),
    and the habitual fatigue and performance there. Run a season at a time and in
    blocks of draws of at most :data:`WARMUP_BLOCK_BYTES` of outputs, on one reused
    memory, so planning memory is bounded whatever the number of draws (the blocks are
    independent series, so the result is the same as one call)."""
    const = DayInputs(w_bar, *np.moveaxis(np.asarray(run_bar), -1, 0), minutes_plan=0.0,
                      training_minutes_plan=minutes_bar,
                      w_prime_plan=0.0, body_clock_h=reference_h,
                      sleep_debt_h=0.0, sleep_impairment_lapses=0.0,
                      u_injury=1.0,  # u_injury 1: never injured
                      days_out_if_injured=1.0, injury_type_if_injured=0.0)
    part = subtypes(kernel.State)
    w_col = w_bar if np.ndim(w_bar) == 0 else np.asarray(w_bar, float)[:, None]
    start = kernel.State(
        ff=part["ff"](*[0.0] * len(part["ff"]._fields)),
        ewma=part["ewma"](ctl=w_col, atl=w_col),  # CTL and ATL start at the habitual load
        tissue=part["tissue"](damage=0.0, chronic_dose=BONE.u_ref),  # the baseline tissue's
        events=FRESH, fatigue_prev=0.0, since_match=LONG_AGO, match_fatigue=0.0)
    n_a, n_n = shape  # every leaf of params is (athletes, draws)
    per_draw = n_a * 365 * 8 * len(kernel.Outputs._fields)
    step = max(1, int(WARMUP_BLOCK_BYTES // per_draw))
    workspace = Workspace()
    def year(v):  # a value, or one per athlete (an individual squad's habitual day)
        v = np.asarray(v, float)
        return np.full((1, 1, 365), v) if v.ndim == 0 else \
            np.broadcast_to(v[:, None, None], (v.size, 1, 365))

    days = tree_map(year, const)
    states, fatigue, perf = [], [], []
    for n0 in range(0, n_n, step):
        block = tree_map(lambda x, n0=n0: x[:, n0:n0 + step], params)
        state = start
        memory = workspace.outputs((len(kernel.Outputs._fields), n_a,
                                    min(step, n_n - n0), 365))
        for _ in range(WARMUP_DAYS // 365):
            out, state = run(kernel, days, block, state, backend=backend, out=memory)
        states.append(state)
        fatigue.append(out.fatigue[..., -1] / 100.0)  # perf_habitual was 1
        perf.append(out.performance[..., -1] / 100.0)
    state = tree_map(lambda *xs: np.concatenate(xs, axis=1), *states)
    return state, np.concatenate(fatigue, axis=1), np.concatenate(perf, axis=1)


def athlete_keys(ids) -> np.ndarray:
    """A stable 64-bit stream key per athlete id (SHA-256 of the id), so an athlete draws
    the same numbers whatever squad it is run in and in whatever order. The engine keys
    by public ids (as the governance policy lets them out), so nothing derived from a
    pseudonymised athlete's raw id reaches the workers."""
    return np.array([int.from_bytes(hashlib.sha256(str(i).encode()).digest()[:8], "little")
                     for i in ids], dtype=np.uint64)
