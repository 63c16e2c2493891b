"""From the twin's outcomes over a design to the sensitivity dataset and its robustness.

For each outcome of :data:`twin.sensitivity._twin.OUTCOMES` (squad means) the analysed
quantities (``target``) are:

- ``value``: the outcome, mean over the sweep's points (units of the outcome);
- for each axis of a grid sweep (``training_volume``, ...): the *decision* which level of
  that axis is best, the outcome at each level being its mean over the other axes. Its
  margin is the outcome at the level best under the reference parameters minus the best
  of the other levels, signed so that positive means the reference's choice still wins
  (units of the outcome); its indices say which factors the choice turns on;
- ``scenario``: the same for the best single sweep point.

For a decision there are two sets of indices: those of its margin (``S1``, ``ST``: what
the size of the advantage turns on) and those of the indicator that the reference's
choice stays best (``S1_decision``, ``ST_decision``: what can overturn it; the printed
"overturned by"). Where the reference leaves levels tied (days lost do not depend on the
itinerary while the hazard's options are off), ``reference_tie`` says so and the line
says there is no best at the reference.

``robustness`` is the share of the design's parameter sets under which the reference's
best level (or point) stays best, margin >= 0 (ties kept), over every row of the
Saltelli design: each row is a uniform draw over the plausible ranges (the rows are not
independent, so this share is an unbiased but correlated estimate), and per model.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from twin.model.variables import SUMMARY
from twin.sensitivity._analysis import sobol_indices
from twin.sensitivity._twin import MODEL_FACTOR, OUTCOMES, SampleRun, better_sign

#: Tolerance of a tie, relative to the outcome's spread over the sweep at the reference.
TIE = 1e-9


def targets(sweep) -> list[str]:
    """The analysed quantities of a sweep: ``value``, each grid axis, ``scenario``."""
    axes = list(sweep.dims) if sweep.mode == "grid" else []
    return ["value", *axes, *(["scenario"] if sweep.size > 1 else [])]


def _levels(y: np.ndarray, sweep, target: str) -> tuple[np.ndarray, list[str]]:
    """``y`` ``(..., P)`` per level of ``target``: ``(..., L)`` and the level labels."""
    if target == "scenario":
        return y, point_labels(sweep)
    axis = sweep.dims.index(target)
    grid = y.reshape(*y.shape[:-1], *sweep.shape)
    other = tuple(y.ndim - 1 + i for i in range(len(sweep.shape)) if i != axis)
    return grid.mean(axis=other), [str(v) for v in sweep.coords[target]]


def point_labels(sweep) -> list[str]:
    """One label per sweep point: ``training_volume=0.8, itinerary=home`` or the
    sampled point's index."""
    if sweep.mode != "grid":
        return [f"scenario {i}" for i in range(sweep.size)]
    index = np.unravel_index(np.arange(sweep.size), sweep.shape)
    return [", ".join(f"{d}={sweep.coords[d][index[j][p]]}" for j, d in enumerate(sweep.dims))
            for p in range(sweep.size)]


def margins(run: SampleRun, outcome: str, target: str):
    """The reference's best level, its label, and the margin ``(n,)`` of each row."""
    ref, labels = _levels(run.reference[outcome], run.sweep, target)
    rows, _ = _levels(run.outcomes[outcome], run.sweep, target)
    sign = better_sign(outcome)
    best = int(np.nanargmax(sign * ref))
    others = np.delete(sign * rows, best, axis=-1)
    margin = sign * rows[:, best] - np.nanmax(others, axis=-1)
    return best, labels[best], margin


def reference_margin(run: SampleRun, outcome: str, target: str) -> float:
    """The margin of the reference's best level at the reference itself (0: a tie)."""
    ref, _ = _levels(run.reference[outcome], run.sweep, target)
    sign = better_sign(outcome) * ref
    best = int(np.nanargmax(sign))
    return float(sign[best] - np.nanmax(np.delete(sign, best)))


def analyse(run: SampleRun, *, resamples: int = 100, conf_level: float = 0.95,
            seed: int = 0) -> xr.Dataset:
    """The sensitivity dataset of a design's run (module docstring)."""
    tgts = targets(run.sweep)
    outputs, holds, best, robust, tie = {}, {}, {}, {}, {}
    model = [f for f in run.factors if f.name == MODEL_FACTOR]
    models = list(model[0].levels) if model else list(dict.fromkeys(run.models))
    rob_model = np.full((len(OUTCOMES), len(tgts), len(models)), np.nan)
    for i, name in enumerate(OUTCOMES):
        spread = float(np.nanmax(run.reference[name]) - np.nanmin(run.reference[name]))
        tol = TIE * max(spread, abs(float(np.nanmean(run.reference[name]))), 1e-300)
        for j, t in enumerate(tgts):
            if t == "value":
                outputs[(name, t)] = run.outcomes[name].mean(axis=-1)
                continue
            _, label, margin = margins(run, name, t)
            tie[(name, t)] = reference_margin(run, name, t) <= tol
            outputs[(name, t)] = margin
            holds[(name, t)] = (margin >= -tol).astype(float)
            best[(name, t)] = label
            robust[(name, t)] = float(np.mean(margin >= -tol))
            for k, m in enumerate(models):
                rob_model[i, j, k] = float(np.mean(margin[run.models == m] >= -tol))
    flat = sobol_indices(run.factors, {f"{o}|{t}": y for (o, t), y in outputs.items()},
                         resamples=resamples, conf_level=conf_level, seed=seed)
    shape = (len(OUTCOMES), len(tgts), len(run.factors))
    ds = xr.Dataset(coords={"outcome": list(OUTCOMES), "target": tgts,
                            "factor": [f.name for f in run.factors]})
    for k in ("S1", "S1_conf", "ST", "ST_conf"):
        ds[k] = (("outcome", "target", "factor"), flat[k].values.reshape(shape), flat[k].attrs)
    # The decision itself: indices of the indicator "the reference's choice stays best".
    held = sobol_indices(run.factors, {f"{o}|{t}": y for (o, t), y in holds.items()},
                         resamples=resamples, conf_level=conf_level, seed=seed)
    for k in ("S1", "S1_conf", "ST", "ST_conf"):
        full = np.full(shape, np.nan)
        for (o, t) in holds:
            full[OUTCOMES.index(o), tgts.index(t)] = held[k].sel(output=f"{o}|{t}").values
        name = k.replace("S1", "S1_decision").replace("ST", "ST_decision")
        ds[name] = (("outcome", "target", "factor"), full, {
            **held[k].attrs, "long_name": held[k].attrs["long_name"] + " of the indicator "
                                          "'the reference's best level stays best'"})
    dims2 = ("outcome", "target")
    ds["robustness"] = (dims2, np.array([[robust.get((o, t), np.nan) for t in tgts]
                                         for o in OUTCOMES]), {
        "units": "1", "long_name": "share of plausible parameter sets under which the "
                                   "reference's best level stays best (margin >= 0)"})
    ds["robustness_by_model"] = (("outcome", "target", "model"), rob_model, {
        "units": "1", "long_name": "robustness among the parameter sets of each model"})
    ds = ds.assign_coords(model=models)
    ds["reference_best"] = (dims2, np.array([[best.get((o, t), "") for t in tgts]
                                             for o in OUTCOMES], dtype=object), {
        "long_name": "best level (or point) under the reference parameters (the first "
                     "of those tied, where reference_tie)"})
    ds["reference_tie"] = (dims2, np.array([[tie.get((o, t), False) for t in tgts]
                                            for o in OUTCOMES]), {
        "long_name": "the reference parameters leave two or more levels tied for best"})
    points = point_labels(run.sweep)
    ds["reference_outcome"] = (("outcome", "point"),
                               np.stack([run.reference[o] for o in OUTCOMES]), {
        "long_name": "squad-mean outcome at each sweep point, reference parameters"})
    ds["outcome_values"] = (("run", "outcome", "point"),
                            np.stack([run.outcomes[o] for o in OUTCOMES], axis=1), {
        "long_name": "squad-mean outcome at each sweep point, per parameter set"})
    ds["margin"] = (("run", "outcome", "target"), np.stack(
        [np.stack([outputs[(o, t)] if t != "value" else np.full(run.unit.shape[0], np.nan)
                   for t in tgts], axis=-1) for o in OUTCOMES], axis=1), {
        "long_name": "margin of the reference's best level (positive: it stays best), "
                     "units of the outcome"})
    ds["design"] = (("run", "factor"), run.unit, {
        "units": "1", "long_name": "Saltelli design in the unit hypercube"})
    ds = ds.assign_coords(point=points, run=np.arange(run.unit.shape[0]))
    if MODEL_FACTOR in run.values:
        ds["run_model"] = ("run", run.models.astype(object),
                           {"long_name": "fitness-fatigue model of each parameter set"})
    ds["outcome_units"] = ("outcome", [SUMMARY[o].units for o in OUTCOMES],
                           {"long_name": "units of each outcome (and of its margins)"})
    for attr, getter in (("factor_low", lambda f: f.low), ("factor_high", lambda f: f.high)):
        ds[attr] = ("factor", [np.nan if f.categorical else getter(f) for f in run.factors],
                    {"long_name": f"{'lower' if attr.endswith('low') else 'upper'} end of "
                                  "the plausible range (units: factor_units)"})
    ds["factor_default"] = ("factor", [str(f.default) for f in run.factors],
                            {"long_name": "the reference's value (units: factor_units)"})
    ds["factor_units"] = ("factor", [f.units for f in run.factors], {"long_name": "units"})
    ds["factor_description"] = ("factor", [f.description + (
        f" (levels: {', '.join(f.levels)})" if f.categorical else "") for f in run.factors],
        {"long_name": "what the factor is"})
    ds.attrs.update(flat.attrs, draws_per_set=run.draws, sets=int(run.unit.shape[0]))
    return ds


def drivers(ds: xr.Dataset, outcome: str, target: str, *, threshold: float = 0.05,
            top: int = 5, of: str = "") -> list[tuple[str, float, float]]:
    """Factors whose total index is above ``threshold`` by more than its interval
    (``ST - ST_conf > threshold``), ranked by ``ST``: ``(factor, ST, ST_conf)``; ``of``
    ``"_decision"`` for the indices of the decision's indicator (default: of the value
    or the margin)."""
    one = ds.sel(outcome=outcome, target=target)
    st, conf = one[f"ST{of}"].values, one[f"ST{of}_conf"].values
    order = np.argsort(-np.nan_to_num(st, nan=-1.0))
    return [(str(ds["factor"].values[i]), float(st[i]), float(conf[i])) for i in order
            if np.isfinite(st[i]) and st[i] - conf[i] > threshold][:top]


def robustness_lines(ds: xr.Dataset) -> list[str]:
    """One line per outcome and decision: the reference's choice, how often it stays
    best, per model, and what it depends on."""
    lines = []
    n = ds.sizes["run"]
    for o in ds["outcome"].values:
        for t in ds["target"].values:
            if t == "value":
                continue
            share = float(ds["robustness"].sel(outcome=o, target=t))
            best = str(ds["reference_best"].sel(outcome=o, target=t).values)
            per = ds["robustness_by_model"].sel(outcome=o, target=t)
            by = ", ".join(f"{m} {100 * float(per.sel(model=m)):.0f} %"
                           for m in ds["model"].values) if ds.sizes["model"] > 1 else ""
            dep = ", ".join(f"{f} (ST {s:.2f} ± {c:.2f})"
                            for f, s, c in drivers(ds, o, t, of="_decision"))
            if share >= 1.0:
                dep = "never overturned"
            else:
                dep = f"overturned by {dep or 'no factor above ST 0.05'}"
            tied = bool(ds["reference_tie"].sel(outcome=o, target=t))
            head = (f"no best {t} at the reference (a tie; first: {best}), which"
                    if tied else f"best {t} {best}:")
            lines.append(f"{o:<18} {head} stays best in {100 * share:.0f} % of "
                         f"{n} plausible parameter sets" + (f" ({by})" if by else "")
                         + f"; {dep}")
    return lines
