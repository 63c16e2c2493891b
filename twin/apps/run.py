"""``twin-run``: every athlete of a squad through every point of a sweep and every draw.

A Hydra app (``conf/config.yaml``; groups ``athletes``, ``scenario``, ``sweep``,
``runner``, ``backend``; overrides and ``-m`` multirun as usual). With no arguments it runs
the demo squad through the demo sweep and writes into Hydra's run directory:

- ``cube.zarr`` (or ``cube.nc`` with ``output.format=netcdf``): the daily outcome cube,
  and its ``summary`` group (:mod:`twin.store.cube`);
- ``season.png``, ``jetlag.png``, ``heatmap.png`` (when the sweep has two axes or more),
  ``fan.png`` (:mod:`twin.plots`);

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

import sys
from pathlib import Path

import numpy as np
from omegaconf import DictConfig

from twin import plots, report
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


def make_plots(result, out_dir: Path) -> list[Path]:
    cube, summary = datasets(open_cube(result.store))
    dims = result.plan.sweep.dims
    sel = plots.pick_point(cube, dims)
    paths = [plots.save(plots.season_chart(cube, 0, sel), out_dir / "season.png"),
             plots.save(plots.fan_chart(cube, 0, sel), out_dir / "fan.png")]
    days = result.plan.days
    flat = int(np.ravel_multi_index(tuple(sel.values()), result.plan.sweep.shape)) \
        if dims else 0
    paths.append(plots.save(
        plots.jetlag_chart(result.plan, 0, int(days.itinerary[flat])),
        out_dir / "jetlag.png"))
    if len(dims) >= 2:
        paths.append(plots.save(
            plots.heatmap(summary, "match_performance", dims[0], dims[-1]),
            out_dir / "heatmap.png"))
    return paths


def run(cfg: DictConfig, out_dir: Path, *, progress: bool = True) -> str:
    """Run the sweep of ``cfg`` into ``out_dir``; returns the text printed by the app."""
    from twin.apps import sensitivity as _sensitivity

    _sensitivity.check(cfg, required=False)  # before any work
    result = run_sweep(cfg, out_dir, progress=progress, command="twin-run " + " ".join(
        sys.argv[1:]))
    plots = make_plots(result, out_dir) if cfg.output.plots else []
    tree = open_cube(result.store)
    summary, plan = tree["summary"].to_dataset(), result.plan
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
