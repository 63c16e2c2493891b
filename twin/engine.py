"""The engine: from a resolved config to a :class:`Plan`, and from a plan to outcome chunks.

:func:`plan` does everything that does not depend on the Monte-Carlo draw or is shared
by all chunks: it compiles the scenario (:mod:`scenarios`), integrates the circadian and
sleep part once per (athlete, itinerary) (:mod:`twin._clock`), computes each athlete's
W' depletion table (:mod:`twin._match`) and tissue dose per metre, draws each athlete's
parameters (:mod:`twin._athletes`) and runs the day kernel to the habitual steady state
the season starts from. :func:`run_chunk` then runs the coupled day kernel
(:mod:`twin._day_kernel`) for a block of athletes x scenario points x all draws and
reduces over draws. It is a pure function of (plan, block): the local and Ray runners call
it the same way, and the result does not depend on how the cube was split.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
from omegaconf import OmegaConf

import scenarios as sc
from physiology._compile.kernel import run
from physiology.injury import HazardParams, time_loss_days, uniforms
from physiology.load import decay_rate
from physiology.tissue import BONE, daily_dose, running_loads
from scenarios.schema import SweepConf
from twin import _athletes, _clock, _match
from twin._day_kernel import KERNELS, OUTPUTS
from twin._reduce import quantiles_over_draws
from twin.governance import public_ids
from twin.load_plan import apply_load_plan, read_load_plan
from twin.params import AthletePriors, CouplingParams

WARMUP_DAYS = 3 * 365
#: Outputs reduced to quantiles over draws; the others to their mean over draws.
QUANTILE_VARS = ("performance", "fitness", "fatigue", "acwr", "w_prime_depletion",
                 "tissue_damage", "minutes_played", "load")
MEAN_VARS = ("injury_probability", "available")
BAND_SPEEDS = np.array([b[2] for b in sc.SPEED_BANDS])
SRPE = sc.LOAD_KINDS.index("srpe")


@dataclass
class Plan:
    """Everything the chunks share (see the module docstring); arrays per point ``P``,
    athlete ``A`` and draw ``N``."""

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
    params: np.ndarray  # (n_params, A, N)
    state0: np.ndarray  # (n_state, A, N)
    misalignment: np.ndarray  # (A, P, D) h at the day's reference time
    sleep_debt: np.ndarray  # (A, P, D) h
    w_prime_plan: np.ndarray  # (A, P, D)
    param_draws: dict = field(default_factory=dict)  # name -> (A, N)
    public_ids: tuple[str, ...] = ()  # athlete ids as governance lets them out
    athlete_load: np.ndarray | None = None  # (A, P, D) with a load plan, else None
    athlete_running: np.ndarray | None = None  # (A, P, D, bands)

    @property
    def kernel(self):
        return KERNELS[self.model]


def hazard_params(coupling: CouplingParams) -> HazardParams:
    """The injury hazard with its sleep coefficient per hour of the twin's fading debt: a
    steady shortfall of 1 h a night holds the debt at 1 / (1 - exp(-1/tau)) h, so the
    coefficient per hour of debt is the per-night one times (1 - exp(-1/tau))."""
    base = HazardParams()
    fade = -np.expm1(-1.0 / coupling.sleep_recovery_days)
    return base.replace(beta_sleep=base.beta_sleep * fade)


def _dose_per_metre(squad: sc.Squad, tissue=BONE) -> np.ndarray:
    """Unadapted tissue dose per metre in each speed band, ``(A, bands)`` (1/d per m)."""
    out = np.empty((squad.size, BAND_SPEEDS.size))
    for a in range(squad.size):
        loads = running_loads(np.eye(BAND_SPEEDS.size), BAND_SPEEDS, squad.leg_length_m[a])
        out[a] = daily_dose(loads.cycles_per_leg[None], loads.peak_force_bw, tissue)[0]
    return out


def _habitual(season: sc.Season) -> sc.DailyInputs:
    """The season as planned: volume and match load 1, no extra trip (one point)."""
    fixed = OmegaConf.structured(SweepConf(name="as planned"))
    return sc.compile_days(season, sc.build_sweep(fixed, season))


def plan(cfg) -> Plan:
    """Prepare a sweep from a resolved ``twin-run`` config (see the module docstring)."""
    squad = sc.build_squad(cfg.athletes)
    season = sc.build_season(cfg.scenario, home=squad.home)
    sweep = sc.build_sweep(cfg.sweep, season)
    days = sc.compile_days(season, sweep)
    model = cfg.model.fitness_fatigue.name
    backend = cfg.backend.name.name
    coupling = CouplingParams()
    priors = AthletePriors()
    n_draws = int(sc._parse.number("draws", cfg.draws, 1, 100_000))
    seed = int(sc._parse.number("seed", cfg.seed, 0, 2**63 - 1))

    clock = _clock.clock_features(season, squad, days.itineraries,
                                  model=cfg.model.circadian.name,
                                  recovery_days=coupling.sleep_recovery_days, backend=backend)
    kick = _clock.kickoff_misalignment(clock, days.kickoff_h, days.itinerary)
    noon = clock.noon_mis[:, days.itinerary]  # (A, P, D)
    misalign = np.where(days.match[None], kick, noon)
    debt = clock.debt[:, days.itinerary]
    table = _match.depletion_table(np.full(squad.size, priors.critical_speed),
                                   np.full(squad.size, priors.d_prime), coupling)
    w_plan = _match.planned_depletion(table, days.match_minutes, days.match_intensity)

    base = _habitual(season)
    w_bar, run_bar = float(base.load[0, :, SRPE].mean()), base.running_m[0].mean(axis=0)
    draws = _athletes.prior_draws(squad.size, n_draws, seed, priors, w_bar, model,
                                  athlete_keys(squad.ids))
    ids = public_ids(squad)
    if squad.parameters != "defaults":
        draws = _athletes.calibrated_draws(squad.parameters, ids, n_draws, model, draws)
    ff_names = [n for n in KERNELS[model].params[:KERNELS[model].params.index("lag")]]
    # lag 1, the next-day convention: performance before the day's own load
    ff = [draws[n] for n in ff_names] + [np.ones((squad.size, n_draws))]
    dose = _dose_per_metre(squad)
    shared = [decay_rate(coupling.acwr_chronic_days, "2/(N+1)"),
              decay_rate(coupling.acwr_acute_days, "2/(N+1)"), *BONE.values(),
              *hazard_params(coupling).values(), coupling.ramp_days]
    per_athlete = [dose[:, b, None] for b in range(dose.shape[1])]
    params = [*ff, *shared, *per_athlete, 1.0, 1.0, coupling.tod_amplitude,
              coupling.sleep_loss_per_h]
    params = np.stack([np.broadcast_to(np.asarray(p, float), (squad.size, n_draws))
                       for p in params])
    state0, fat_hab, perf_hab = _steady_state(KERNELS[model], params, w_bar, run_bar, backend)
    names = KERNELS[model].params
    params[names.index("fatigue_habitual")] = fat_hab
    params[names.index("perf_habitual")] = perf_hab
    base_w = _match.planned_depletion(table, base.match_minutes, base.match_intensity)[:, 0]
    params[names.index("hazard_h0")] *= _incidence_scale(KERNELS[model], params, state0, base,
                                                         base_w, backend)
    out = cfg.output
    loads = (None, None)
    if cfg.scenario.load_plan:
        planned = read_load_plan(cfg.scenario.load_plan, ids, season.dates)
        loads = apply_load_plan(days, season, sweep.points["training_volume"], planned)
    return Plan(squad, season, sweep, days, clock, model, backend, n_draws, seed,
                np.asarray(out.quantiles, float), bool(out.keep_draws), params, state0,
                misalign, debt, w_plan, draws, ids, *loads)


def _steady_state(kernel, params, w_bar, run_bar, backend):
    """State after WARMUP_DAYS of the habitual mean day (no matches, no injuries, no jet
    lag), and the habitual fatigue and performance there (run a season at a time, to keep
    memory to one season's arrays)."""
    const = [w_bar, *run_bar, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0]  # u_injury 1: never injured
    n_s = len(kernel.state)
    state = [0.0] * (n_s - 4) + [0.0, 1e9, -1.0, 0.0]
    state[n_s - 8] = w_bar  # CTL and ATL start at the habitual load
    state[n_s - 7] = w_bar
    state[n_s - 5] = BONE.u_ref  # chronic dose: the baseline tissue's
    for _ in range(WARMUP_DAYS // 365):
        out, final = run(kernel, [np.full((1, 1, 365), v) for v in const], list(params),
                         state, backend=backend)
        state = list(final)
    fatigue = out[OUTPUTS.index("fatigue"), ..., -1] / 100.0  # perf_habitual was 1
    perf = out[OUTPUTS.index("performance"), ..., -1] / 100.0
    return np.stack(state), fatigue, perf


def _incidence_scale(kernel, params, state0, base, base_w, backend) -> float:
    """Factor on h0 that gives the habitual season the incidence h0 stands for.

    ``HazardParams.h0`` is the published incidence (Ekstrand et al. 2011) as a daily
    hazard; in the twin it multiplies relative risks that are above 1 on an ordinary
    season (tissue damage, ACWR and fatigue are never all 0). So the squad's h0 is scaled
    once, such that the season as planned (volume and match load 1, at home, no injuries)
    has that mean daily probability over all athletes and draws.
    """
    h0 = params[kernel.params.index("hazard_h0")]
    d = base
    inputs = [d.load[0, :, SRPE], *(d.running_m[0, :, b] for b in range(d.running_m.shape[-1])),
              d.match_minutes[0], base_w[:, None, :], 0.0 * base_w[:, None, :],
              0.0 * base_w[:, None, :], 1.0, 1.0, 0.0]
    n_d = d.load.shape[1]
    inputs = [np.broadcast_to(np.asarray(x, float), (*np.shape(x)[:-1], n_d))
              if np.ndim(x) else np.full(n_d, float(x)) for x in inputs]
    out, _ = run(kernel, inputs, list(params), list(state0), backend=backend)
    mean_p = out[OUTPUTS.index("injury_probability")].mean()
    return float(-np.expm1(-h0.mean()) / mean_p)


def athlete_keys(ids) -> np.ndarray:
    """A stable 64-bit stream key per athlete id (SHA-256 of the id), so an athlete draws
    the same numbers whatever squad it is run in and in whatever order."""
    return np.array([int.from_bytes(hashlib.sha256(str(i).encode()).digest()[:8], "little")
                     for i in ids], dtype=np.uint64)


def stream_keys(plan: Plan, athletes: slice):
    """Counter-based stream keys (athlete, draw) of a block, shape ``(a, 1, N)``.

    The scenario point is deliberately not part of the key: every point of a sweep sees
    the same random numbers for the same athlete and draw (common random numbers), so the
    difference between two scenarios is the scenario's effect, not sampling noise.
    """
    return athlete_keys(plan.squad.ids[athletes])[:, None, None], \
        np.arange(plan.draws)[None, None, :]


def simulate_block(plan: Plan, athletes: slice, points: slice) -> np.ndarray:
    """Every draw of a block: kernel outputs ``(len(OUTPUTS), a, p, N, D)``."""
    d = plan.days
    n_d = plan.season.days
    keys = stream_keys(plan, athletes)
    event = uniforms(plan.seed, keys, n_d, channel=0)  # (a, 1, N, D): same for every point
    kind, days_out = time_loss_days(uniforms(plan.seed, keys, n_d, channel=1),
                                     uniforms(plan.seed, keys, n_d, channel=2))
    per_point = lambda x: x[None, points, None]  # noqa: E731 - (1, p, 1, D)
    per_ap = lambda x: x[athletes, points, None]  # noqa: E731 - (a, p, 1, D)
    if plan.athlete_load is None:
        load = [per_point(d.load[..., SRPE])]
        running = [per_point(d.running_m[..., b]) for b in range(d.running_m.shape[-1])]
    else:  # a per-athlete load plan (scenario.load_plan)
        load = [per_ap(plan.athlete_load)]
        running = [per_ap(plan.athlete_running[..., b]) for b in range(d.running_m.shape[-1])]
    inputs = [*load, *running,
              per_point(d.match_minutes), per_ap(plan.w_prime_plan),
              per_ap(np.nan_to_num(plan.misalignment)), per_ap(plan.sleep_debt),
              event, days_out, kind.astype(float)]
    params = plan.params[:, athletes, None, :]
    state0 = plan.state0[:, athletes, None, :]
    out, _ = run(plan.kernel, inputs, list(params), list(state0), backend=plan.backend)
    return out


def run_chunk(plan: Plan, athletes: slice, points: slice) -> dict[str, np.ndarray]:
    """Simulate a block of athletes x points x all draws; reduce over draws.

    Returns arrays ``(a, p, Q, D)`` for :data:`QUANTILE_VARS` (``(a, p, N, D)`` with
    ``keep_draws``), ``(a, p, D)`` for :data:`MEAN_VARS` and the draw-free features, and
    the summary arrays ``summary/<name>`` (:func:`twin.summary.summarise`).
    """
    from twin.summary import summarise

    out = simulate_block(plan, athletes, points)
    result = {}
    for k, name in enumerate(OUTPUTS):
        x = out[k]  # (a, p, N, D)
        if name in MEAN_VARS:
            result[name] = x.mean(axis=2)
        elif plan.keep_draws:
            result[name] = x
        else:
            result[name] = quantiles_over_draws(x, plan.quantiles, axis=2)
    result["circadian_misalignment"] = plan.misalignment[athletes, points]
    result["sleep_debt"] = plan.sleep_debt[athletes, points]
    result.update(summarise(plan, out, athletes, points))
    return result
