"""``twin-run``: every athlete of a squad through every point of a sweep and every draw.

A Hydra app (``conf/config.yaml``; groups ``athletes``, ``scenario``, ``sweep``,
``runner``, ``backend``; overrides and ``-m`` multirun as usual). With no arguments it runs
the demo squad through the demo sweep and writes into Hydra's run directory:

- ``cube.zarr`` (or ``cube.nc`` with ``output.format=netcdf``): the daily outcome cube,
  and its ``summary`` group (:mod:`twin.store.cube`);
- ``season.png``, ``jetlag.png``, ``fan.png`` of one athlete at one scenario point, and
  ``heatmap.png`` of the squad (when the sweep has two axes or more) (:mod:`twin.plots`).
  ``plots.athletes=[m02,m03]`` (public ids) draws the first three for each
  (``season_m02.png``, ...; default the squad's first athlete); ``plots.point={itinerary:
  east_6, training_volume: 1.2}`` (or ``plots.point.itinerary=east_6``; a sampled sweep:
  ``plots.point.scenario=12``) chooses the point, axes left out at the middle of a numeric
  axis and the first trip away (:func:`twin.plots.pick_point`); the heatmap slices any
  third axis there; ``plots.outcome`` is the heatmap's outcome (schema
  :class:`twin.apps.config.PlotsConf`; checked before the run);

then prints the best and worst scenario for each summary outcome, and the paths. With
``sensitivity.base_samples=N`` (a power of two; 0, the default, is off) it also runs the
sensitivity design of :mod:`twin.apps.sensitivity` over the same squad, season and sweep
and prints, per outcome and decision, the share of plausible parameter sets under which
the best scenario stays best (writing ``sensitivity.nc`` and its charts); it costs about
``N (k + 2) x sensitivity.draws`` draws more, so the quickstart leaves it off.

    twin-run sweep=standard backend=jax draws=200
    twin-run -m scenario=demo_season,congested_fixtures
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
from omegaconf import DictConfig, OmegaConf

from scenarios import ConfigError
from twin import report
from twin.apps.hydra_app import hydra_app
from twin.engine.summary import SUMMARY
from twin.runners.local import run_sweep
from twin.store.cube import datasets, open_cube


def summary_table(summary, sweep_dims) -> str:
    """Best and worst scenario per outcome: the squad mean (median over draws for a
    quantile outcome) ± its Monte-Carlo standard error where it has one."""
    lines = [f"{'outcome':<20} {'units':<7} {'best':>16}  scenario{'':<30} {'worst':>16}  "
             "scenario", "-" * 124]
    for name, best, best_at, worst, worst_at in report.best_worst(summary, sweep_dims):
        lines.append(f"{name:<20} {SUMMARY[name].shown_units:<7} "
                     f"{report.format_error(best.value, best.se):>16}  {best_at:<38} "
                     f"{report.format_error(worst.value, worst.se):>16}  {worst_at}")
    return "\n".join(lines)


def plot_choice(plots_cfg, ids, sweep) -> tuple[list[int], dict]:
    """``plots.athletes`` and ``plots.point`` against the squad's public ``ids`` and the
    ``sweep`` (:class:`scenarios.Sweep`): the athletes' indices and ``{dim: index}`` of
    the point (module docstring); ``ConfigError`` naming the key otherwise."""
    from twin import plots  # matplotlib only where there are plots to draw

    athletes = []
    for a in plots_cfg.athletes:
        if str(a) not in ids:
            raise ConfigError(f"plots.athletes: {str(a)!r} is not in the squad; expected "
                              f"public ids as the cube shows them ({', '.join(ids[:6])}"
                              f"{', ...' if len(ids) > 6 else ''})")
        athletes.append(list(ids).index(str(a)))
    if str(plots_cfg.outcome) not in SUMMARY:
        raise ConfigError(f"plots.outcome = {str(plots_cfg.outcome)!r}: expected a summary "
                          f"outcome ({', '.join(SUMMARY)})")
    given = {k: v for k, v in plots_cfg.point.items() if v is not None}
    coords = {**sweep.coords, "scenario": np.arange(sweep.size)} if sweep.mode != "grid" \
        else dict(sweep.coords)
    sel = plots.pick_point(coords, sweep.dims)
    if sweep.mode == "grid":
        for axis, value in given.items():
            if axis not in sweep.dims:
                raise ConfigError(f"plots.point.{axis} = {value!r}: not an axis of this "
                                  f"sweep; expected one of {list(sweep.dims)}")
            sel[axis] = _on_axis(f"plots.point.{axis}", coords[axis], value)
    elif "scenario" in given:
        i = int(given.pop("scenario"))
        if given or not 0 <= i < sweep.size:
            raise ConfigError(f"plots.point.scenario = {i}: expected a sample point in "
                              f"[0, {sweep.size - 1}] and no axis value beside it")
        sel["scenario"] = i
    elif given:
        sel["scenario"] = _nearest_sample(coords, given)
    return athletes or [0], sel


def _on_axis(key, values, value) -> int:
    values = np.asarray(values)
    if values.dtype.kind in "fiu":
        hit = np.flatnonzero(np.isclose(values, float(value), rtol=1e-9, atol=1e-12))
    else:
        hit = np.flatnonzero(values.astype(str) == str(value))
    if not hit.size:
        raise ConfigError(f"{key} = {value!r}: not on the sweep's axis; expected one of "
                          f"{[v.item() for v in values]}")
    return int(hit[0])


def _nearest_sample(coords, given) -> int:
    """The sample point nearest ``given`` (categorical values equal; numeric distance in
    units of each axis's range)."""
    n = len(coords["scenario"])
    dist, ok = np.zeros(n), np.ones(n, bool)
    for axis, value in given.items():
        if axis not in coords or axis == "scenario":
            raise ConfigError(f"plots.point.{axis} = {value!r}: not an axis of this sweep; "
                              f"expected scenario or one of {sorted(set(coords) - {'scenario'})}")
        v = np.asarray(coords[axis])
        if v.dtype.kind in "fiu":
            span = float(np.ptp(v)) or 1.0
            dist += ((v - float(value)) / span) ** 2
        else:
            ok &= v.astype(str) == str(value)
    if not ok.any():
        raise ConfigError(f"plots.point: no sample point has {given}; expected values the "
                          "sample holds")
    return int(np.flatnonzero(ok)[np.argmin(dist[ok])])


def check_plots(cfg) -> None:
    """``plots.*`` checked before any work (the squad, season and sweep as the run builds
    them; cheap beside the run)."""
    import scenarios as sc
    from twin.store.governance import public_ids

    squad = sc.build_squad(cfg.athletes)
    season = sc.build_season(cfg.scenario, home=squad.home)
    plot_choice(cfg.plots, public_ids(squad), sc.build_sweep(cfg.sweep, season))


def make_plots(result, out_dir: Path, plots_cfg=None, tree=None) -> list[Path]:
    """The figures (module docstring) for ``plots_cfg`` (``plots.*``; default: the first
    athlete at :func:`twin.plots.pick_point`); one season, jetlag and fan figure per
    athlete, named ``season_<public id>.png`` (...) when there are several. ``tree``: the
    run's store as :func:`twin.store.open_cube` gives it, when the caller has opened it
    (verified) already; else it is opened here."""
    from twin import plots

    cube, summary = datasets(open_cube(result.store) if tree is None else tree)
    plan = result.plan
    dims = plan.sweep.dims
    if plots_cfg is None:
        from twin.apps.config import PlotsConf

        plots_cfg = OmegaConf.structured(PlotsConf)
    athletes, sel = plot_choice(plots_cfg, list(plan.public_ids), plan.sweep)
    outcome = str(plots_cfg.outcome)
    flat = int(np.ravel_multi_index(tuple(sel.values()), plan.sweep.shape)) if dims else 0
    itinerary = int(plan.days.itinerary[flat])
    point = plots.describe(cube, sel)
    rank = summary[outcome]
    rank = rank.sel(quantile=0.5, method="nearest") if "quantile" in rank.dims \
        else rank.median("draw") if "draw" in rank.dims else rank
    paths = []
    for a in athletes:
        tag = "" if len(athletes) == 1 else "_" + re.sub(r"[^A-Za-z0-9_.-]", "_",
                                                         str(plan.public_ids[a]))
        paths += [
            plots.save(plots.season_chart(cube, a, sel), out_dir / f"season{tag}.png"),
            plots.save(plots.jetlag_chart(plan, a, itinerary, point=point),
                       out_dir / f"jetlag{tag}.png"),
            plots.save(plots.fan_chart(cube, a, sel, rank=rank.isel(athlete=a).load(),
                                       better=SUMMARY[outcome].better),
                       out_dir / f"fan{tag}.png")]
    if len(dims) >= 2:
        paths.append(plots.save(plots.heatmap(summary, outcome, dims[0], dims[-1], at=sel),
                                out_dir / "heatmap.png"))
    return paths


def run(cfg: DictConfig, out_dir: Path, *, progress: bool = True) -> str:
    """Run the sweep of ``cfg`` into ``out_dir``; returns the text printed by the app."""
    from twin.apps import sensitivity as _sensitivity

    _sensitivity.check(cfg, required=False)  # before any work
    if cfg.output.plots:
        check_plots(cfg)
    result = run_sweep(cfg, out_dir, progress=progress, command="twin-run " + " ".join(
        sys.argv[1:]))
    # verified once (a read of the whole store), for the plots and the report; no dask:
    # the summary is read whole, the plots read their athlete and point
    tree = open_cube(result.store, chunks=None)
    plots = make_plots(result, out_dir, cfg.plots, tree) if cfg.output.plots else []
    summary = tree["summary"].to_dataset().load()
    plan = result.plan
    head = (f"{plan.squad.size} athletes x {plan.sweep.size} scenario points x "
            f"{plan.draws} draws x {plan.season.days} days "
            f"({plan.squad.size * plan.sweep.size * plan.draws * plan.season.days:,} "
            "athlete-days)")
    robust = []
    if cfg.sensitivity.base_samples:
        ds = _sensitivity.sensitivity(cfg, progress=progress)
        written = _sensitivity.write(ds, cfg, out_dir, "twin-run " + " ".join(sys.argv[1:]))
        robust = ["", _sensitivity.report(ds), f"sensitivity: {written[0]}"]
        plots = [*plots, *written[1:]]
    outputs = [report.run_report(out_dir, plan, summary, cfg=cfg, attrs=tree.attrs),
               *report.write_tables(summary, out_dir)]
    return "\n".join([head, "", summary_table(summary, plan.sweep.dims), *robust, "",
                      f"cube: {result.store}", *(f"plot: {p}" for p in plots),
                      *(f"report: {p}" for p in outputs)])


main = hydra_app("twin-run", run)


if __name__ == "__main__":
    main()
