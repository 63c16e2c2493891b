"""The twin over a design of parameter sets: every set a block of draws of one plan.

The factors (:data:`FIELDS`, :func:`twin_factors`) are the fields of the twin's
couplings, athlete priors and injury hazard that enter the day kernel's parameters per
series, each varied uniformly over its record's plausible range, and, as a categorical
factor, the fitness-fatigue model. The fields that set the clock part or the W' tables
(:data:`twin.engine.planning.DRAW_FREE`) are computed once per athlete, not per series,
so they are held at their defaults here (:data:`HELD`).

**Batching.** A design of ``n`` parameter sets with ``m`` Monte-Carlo draws each is one
plan per fitness-fatigue model with ``n_model * m`` draws: the records' fields are arrays
over the draws, draw ``s m + j`` holding set ``s`` and drawing the random numbers of
draw ``j`` (``draw_ids``), so every set sees the same ``m`` draws (common random numbers:
a difference between two sets is the parameters' effect, not sampling noise, and an
output is a deterministic function of the factors, as Sobol indices need). The clock
part is integrated once per plan; the day kernel runs over athletes x every sweep point x
a block of sets in each chunk (:func:`sample_chunk`), in process or as Ray tasks (the
same chunks, :func:`twin.runners.ray_runner.execute_ray`).

**Outcomes.** Each chunk reduces its sets with the engine's own summary
(:func:`twin.engine.summarise`, over each set's ``m`` draws; match performance is the
median over them), and the driver takes the squad mean, as ``twin-run``'s printed table
does: ``(sets, points)`` per outcome of :data:`OUTCOMES`.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from physiology.injury import HazardParams
from physiology.kernels import tree_map
from twin.engine import simulate_block, summarise
from twin.model.params import AthletePriors, CouplingParams
from twin.model.variables import SUMMARY
from twin.sensitivity._analysis import Factor

#: Summary outcomes analysed (``matches_played`` is the squad's availability for matches).
OUTCOMES = ("match_performance", "expected_injuries", "days_lost", "matches_played")

#: The factor's name of the fitness-fatigue model (the config key).
MODEL_FACTOR = "model.fitness_fatigue"

#: Record fields varied, per record (prefix of the factor's name): every field the docs
#: label an assumption that enters the kernel per series, and the cited couplings and
#: priors whose ranges are wide (time-of-day, sleep loss, match fatigue, the
#: fitness-fatigue priors), and the hazard's options (off by default, up to their
#: documented strength).
FIELDS = {
    "coupling": (CouplingParams, ("tod_amplitude", "tod_peak_h", "sleep_loss_restriction",
                                  "sleep_restriction_in_bed_h", "match_fatigue_24h",
                                  "match_recovery_days", "ramp_days")),
    "priors": (AthletePriors, ("tau1", "tau2", "k_ratio", "gain_pct", "tau3", "cv")),
    "hazard": (HazardParams, ("beta_fatigue", "acwr_threshold", "beta_acwr", "beta_damage",
                              "beta_sleep", "beta_w_prime")),
}

#: Assumption fields held at their defaults (computed once per athlete, not per series;
#: see the module docstring): a per-set clock part or W' table would cost the circadian
#: integration per set; the athletes' own rate ratios (previous injury) scale each
#: athlete's hazard once, in the plan.
HELD = ("coupling.sleep_debt_nights", "coupling.effort_ratio", "priors.critical_speed",
        "priors.d_prime", "risk_factors.hr_previous_injury",
        "risk_factors.previous_injury_share")

#: Athlete-days a chunk aims at (as the sweep's chunks, :mod:`twin.runners.local`).
TARGET_ATHLETE_DAYS = 3_000_000


def twin_factors(models=("banister", "busso"), *, hazard: HazardParams | None = None,
                 reference_model: str = "banister", names=None) -> list[Factor]:
    """The twin's factors: :data:`FIELDS` over their plausible ranges, then the model
    (when ``models`` has two or more). ``hazard``: the base hazard (the config's), whose
    values are the reference's; ``names``: keep only these factors (default all).

    Raises:
        ValueError: an unknown factor name or model.
    """
    from twin.model.day_kernel import KERNELS

    base = {"coupling": CouplingParams(), "priors": AthletePriors(),
            "hazard": HazardParams() if hazard is None else hazard}
    out = []
    for prefix, (record, fields) in FIELDS.items():
        spec = record.spec()
        for name in fields:
            p = spec[name]
            default = float(getattr(base[prefix], name))
            low, high = min(p.plausible[0], default), max(p.plausible[1], default)
            out.append(Factor(f"{prefix}.{name}", low, high, default, p.units,
                              p.description))
    for m in models:
        if m not in KERNELS:
            raise ValueError(f"models: {m!r} is not a fitness-fatigue model; expected some "
                             f"of {tuple(KERNELS)}")
    if len(set(models)) >= 2:
        out.append(Factor(MODEL_FACTOR, 0.0, 1.0, reference_model, "1",
                          "fitness-fatigue model (categorical: equal shares of [0, 1))",
                          levels=tuple(dict.fromkeys(models))))
    if names is not None:
        known = {f.name: f for f in out}
        bad = [n for n in names if n not in known]
        if bad:
            raise ValueError(f"factors: {bad} unknown; expected some of {list(known)}")
        out = [known[n] for n in names]
    return out


@dataclass
class SampleRun:
    """The twin's outcomes over a design: ``outcomes[name]`` ``(n, P)`` squad means for
    the design's ``n`` rows, ``reference[name]`` ``(P,)`` at the factors' defaults (and
    the reference model); ``models`` the model of each row."""

    factors: list[Factor]
    unit: np.ndarray
    values: dict[str, np.ndarray]
    models: np.ndarray
    outcomes: dict[str, np.ndarray]
    reference: dict[str, np.ndarray]
    sweep: object
    draws: int


class SampleLayout:
    """Chunks of a sample plan: blocks of athletes x blocks of parameter sets, every
    sweep point in each (a set's decision needs them all)."""

    def __init__(self, plan, sets: int, per_set: int, *, chunk_athletes: int = 1,
                 chunk_sets: int = 0):
        self.plan, self.sets, self.per_set = plan, sets, per_set
        self.ca = max(1, min(int(chunk_athletes) or 1, plan.squad.size))
        per = self.ca * plan.sweep.size * per_set * plan.season.days
        self.cs = max(1, min(int(chunk_sets) or TARGET_ATHLETE_DAYS // per, sets))
        self.blocks = [(a, s) for a in range(0, plan.squad.size, self.ca)
                       for s in range(0, sets, self.cs)]

    def slices(self, block):
        a, s = block
        return (slice(a, min(a + self.ca, self.plan.squad.size)),
                slice(s, min(s + self.cs, self.sets)), self.per_set)

    def describe(self, block) -> str:
        a_sl, s_sl, _ = self.slices(block)
        return f"athletes {a_sl.start}:{a_sl.stop}, parameter sets {s_sl.start}:{s_sl.stop}"


def sample_chunk(plan, slices) -> dict[str, np.ndarray]:
    """One chunk: athletes ``a_sl`` x every point x the sets ``s_sl`` (``m`` draws each);
    returns ``{outcome: (a, P, sets)}`` (per athlete, each set reduced over its draws by
    :func:`twin.engine.summarise`)."""
    a_sl, s_sl, m = slices
    d_sl = slice(s_sl.start * m, s_sl.stop * m)
    sub = dataclasses.replace(
        plan, params=tree_map(lambda x: x[:, d_sl], plan.params),
        state0=tree_map(lambda x: x[:, d_sl], plan.state0), draws=d_sl.stop - d_sl.start,
        draw_ids=plan.stream_draws()[d_sl], quantiles=np.array([0.5]), keep_draws=False)
    points = slice(0, plan.sweep.size)
    out = simulate_block(sub, a_sl, points)
    n_sets = s_sl.stop - s_sl.start
    n_a = a_sl.stop - a_sl.start
    result = {name: np.empty((n_a, plan.sweep.size, n_sets)) for name in OUTCOMES}
    for s in range(n_sets):
        part = tree_map(lambda x, s=s: x[:, :, s * m:(s + 1) * m], out)
        with warnings.catch_warnings():
            # An athlete who plays no match in any of a set's few draws (out all season
            # under a strong hazard option) has no match performance: NaN, left out of
            # the squad mean (:func:`_squad_mean`), as twin-run's table leaves it out.
            warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
            summary = summarise(sub, part, a_sl, points)
        for name in OUTCOMES:
            v = summary[f"summary/{name}"]
            result[name][..., s] = v[..., 0] if v.ndim == 3 else v  # (a, P[, quantile])
    return result


def _in_process(plan, layout, blocks):
    for block in blocks:
        yield block, sample_chunk(plan, layout.slices(block))


MakePlan = Callable[..., object]


def run_design(make_plan: MakePlan, factors: list[Factor], unit: np.ndarray, *,
               draws: int = 2, reference_model: str = "banister", hazard=None,
               execute=None, chunk_athletes: int = 1, chunk_sets: int = 0,
               progress=None) -> SampleRun:
    """The twin at every row of ``unit`` (``(n, k)``, :func:`twin.sensitivity.design`)
    and at the reference (every factor at its default).

    Args:
        make_plan: ``make_plan(model=, draws=, coupling=, priors=, hazard=, draw_ids=)``
            -> :class:`twin.engine.Plan` (the apps pass :func:`twin.plan_from_config`
            with the config bound).
        factors: the design's columns (:func:`twin_factors`).
        draws: Monte-Carlo draws per set (the same ``m`` for every set).
        reference_model: the model of the reference run (and of every row when the
            model is not a factor).
        hazard: the base hazard record (fields not varied keep its values).
        execute: ``execute(plan, layout, blocks)`` -> iterator of ``(block, result)``
            (default in process; the Ray runner's :func:`execute_ray` with
            ``chunk=sample_chunk``).
        chunk_athletes, chunk_sets: chunk sizes (0 sets: about
            :data:`TARGET_ATHLETE_DAYS` per chunk).
        progress: called with the number of chunks done after each chunk, or None.
    """
    from twin.sensitivity._analysis import factor_values

    m = int(draws)
    values = factor_values(factors, unit)
    n = unit.shape[0]
    models = values.get(MODEL_FACTOR, np.full(n, reference_model))
    real = [f for f in factors if not f.categorical]
    # Row 0 of every model group's plan: the reference for the reference model only.
    all_models = np.concatenate([[reference_model], models])
    columns = {f.name: np.concatenate([[f.default], values[f.name]]) for f in real}
    base = {"coupling": CouplingParams(), "priors": AthletePriors(),
            "hazard": HazardParams() if hazard is None else hazard}
    outcomes, reference, sweep, done = {}, {}, None, 0
    execute = execute or _in_process
    for model in dict.fromkeys(all_models):
        rows = np.flatnonzero(all_models == model)
        records = {}
        for prefix, record in base.items():
            changes = {name.split(".", 1)[1]: np.repeat(col[rows], m)
                       for name, col in columns.items() if name.startswith(prefix + ".")}
            records[prefix] = record.replace(**changes) if changes else record
        plan = make_plan(model=str(model), draws=rows.size * m,
                         draw_ids=np.tile(np.arange(m), rows.size), **records)
        sweep = plan.sweep
        layout = SampleLayout(plan, rows.size, m, chunk_athletes=chunk_athletes,
                              chunk_sets=chunk_sets)
        per_athlete = {k: np.empty((plan.squad.size, sweep.size, rows.size)) for k in OUTCOMES}
        for block, result in execute(plan, layout, layout.blocks):
            a_sl, s_sl, _ = layout.slices(block)
            for k in OUTCOMES:
                per_athlete[k][a_sl, :, s_sl] = result[k]
            done += 1
            if progress is not None:
                progress(done)
        for k in OUTCOMES:
            squad = _squad_mean(per_athlete[k])  # (P, sets)
            target = outcomes.setdefault(k, np.full((n, sweep.size), np.nan))
            design_rows = rows[rows > 0]
            target[design_rows - 1] = squad[:, rows > 0].T
            if rows[0] == 0:
                reference[k] = squad[:, 0]
    return SampleRun(factors, unit, values, models, outcomes, reference, sweep, m)


def _squad_mean(x: np.ndarray) -> np.ndarray:
    """Mean over athletes (axis 0) of the finite values, as ``twin-run``'s summary does
    (an athlete with no match played has no match performance); NaN where none is."""
    finite = np.isfinite(x)
    count = finite.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, np.where(finite, x, 0.0).sum(axis=0) / count, np.nan)


def better_sign(outcome: str) -> float:
    """+1 where more of ``outcome`` is better, -1 where less is (:data:`SUMMARY`)."""
    return 1.0 if SUMMARY[outcome].better else -1.0
