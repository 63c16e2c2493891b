"""``twin-sensitivity``: what each summary outcome and each sweep decision depends on.

A Hydra app (``conf/sensitivity.yaml``: the ``twin-run`` schema with the standard sweep,
the in-process runner and a design of ``sensitivity.base_samples`` = 64, so 64 x 22 =
1 408 parameter sets of 1 draw each). It runs the twin over a Saltelli design of its
uncertain couplings, priors, hazard options and fitness-fatigue model
(:mod:`twin.sensitivity`) and writes into Hydra's run directory:

- ``sensitivity.nc``: first-order and total Sobol indices per outcome, target (the
  outcome's mean over the sweep, and the decision of each sweep axis and of the best
  point) and factor, with bootstrap intervals; the robustness of each decision; every
  set's outcomes (CF attributes, the resolved config as governance lets it out);
- ``sensitivity.png`` (indices of each outcome) and ``sensitivity_<axis>.png`` (of the
  decision of the sweep's first axis: what can overturn its best level), ranked bar
  charts;

then prints a robustness line per outcome and decision, and the paths.

    twin-sensitivity
    twin-sensitivity runner=ray sensitivity.base_samples=128
    twin-sensitivity athletes=mini_squad sweep=demo sensitivity.base_samples=8

``twin-run sensitivity.base_samples=N`` prints the same robustness lines under its table
(off by default: it multiplies the run's cost by about ``N (k + 2) draws / draws``).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import scenarios as sc
from twin.apps.from_config import hazard_from_config, plan_from_config
from twin.apps.hydra_app import hydra_app


def check(cfg, *, required: bool = True) -> None:
    """The ``sensitivity`` node, checked before any work (``ConfigError`` naming the key);
    with ``required`` false (``twin-run``), ``base_samples = 0`` turns it off and nothing
    else is checked."""
    s = cfg.sensitivity
    n = int(sc.parse_number("sensitivity.base_samples", s.base_samples, 0, 2**16))
    if not required and n == 0:  # twin-run without the robustness lines
        return
    if n < 2 or n & (n - 1) or n != s.base_samples:
        raise sc.ConfigError(f"sensitivity.base_samples = {s.base_samples}: expected a power "
                             "of two, at least 2 (the Saltelli design's base)")
    for key, low, high in (("draws", 1, 10_000), ("resamples", 1, 100_000),
                           ("chunk_sets", 0, 10**6)):
        value = s[key]
        if sc.parse_number(f"sensitivity.{key}", value, low, high) != int(value):
            raise sc.ConfigError(f"sensitivity.{key} = {value}: expected a whole number")
    sc.parse_number("sensitivity.conf_level", s.conf_level, 0.0, 1.0, low_open=True)
    if not 0 < s.conf_level < 1:
        raise sc.ConfigError(f"sensitivity.conf_level = {s.conf_level}: expected a level in "
                             "(0, 1), e.g. 0.95")
    if str(cfg.athletes.parameters) != "defaults":
        raise sc.ConfigError(f"athletes.parameters = {cfg.athletes.parameters!r}: the "
                             "sensitivity analysis varies the population priors; expected "
                             "'defaults'")
    factors(cfg)


def factors(cfg):
    """The design's factors for ``cfg`` (``ConfigError`` naming the key if bad)."""
    from twin.sensitivity import twin_factors

    s = cfg.sensitivity
    try:
        return twin_factors(tuple(s.models), hazard=hazard_from_config(cfg.model.hazard),
                            reference_model=cfg.model.fitness_fatigue.name,
                            names=None if s.factors is None else list(s.factors))
    except ValueError as exc:
        key = "sensitivity.models" if str(exc).startswith("models") else "sensitivity.factors"
        raise sc.ConfigError(f"{key}: {exc}") from None


def sensitivity(cfg, *, progress: bool = False):
    """The sensitivity dataset of ``cfg`` (:func:`twin.sensitivity.analyse`)."""
    from twin.sensitivity import analyse, design, run_design

    check(cfg, required=False)
    s = cfg.sensitivity
    fs = factors(cfg)
    unit = design(fs, int(s.base_samples), seed=int(s.seed))
    hazard = hazard_from_config(cfg.model.hazard)
    bar = []  # made at the first chunk done, so a bad config's error line stands alone

    def tick(done: int) -> None:
        if not bar:
            from tqdm import tqdm

            bar.append(tqdm(unit="chunk", desc="sensitivity", initial=done - 1))
        bar[0].update()

    run = run_design(functools.partial(plan_from_config, cfg), fs, unit,
                     draws=int(s.draws), reference_model=cfg.model.fitness_fatigue.name,
                     hazard=hazard, execute=_executor(cfg.runner),
                     chunk_sets=int(s.chunk_sets), progress=tick if progress else None)
    for b in bar:
        b.close()
    return analyse(run, resamples=int(s.resamples), conf_level=float(s.conf_level),
                   seed=int(s.seed))


def _executor(runner_cfg):
    """None in process (the design runs its own chunks), else Ray tasks of its chunks."""
    from twin.runners.local import choose_runner, executor
    from twin.sensitivity import sample_chunk

    if choose_runner(runner_cfg)[0] == "local":
        return None

    return executor(runner_cfg, chunk=sample_chunk)


def write(ds, cfg, out_dir: Path, command: str) -> list[Path]:
    """``sensitivity.nc`` and the bar charts (module docstring); returns the paths."""
    import datetime as dt
    from importlib.metadata import PackageNotFoundError, version

    from scenarios import build_squad
    from twin import plots  # matplotlib only where there are plots to draw
    from twin.store.governance import public_config, public_ids

    try:
        ver = version("athlete-twin")
    except PackageNotFoundError:  # run from a source tree
        ver = "unknown"
    squad = build_squad(cfg.athletes)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ds = ds.copy()
    ds.attrs.update({
        "Conventions": "CF-1.10",
        "title": f"athlete-twin sensitivity: {cfg.athletes.name} x {cfg.scenario.name} x "
                 f"{cfg.sweep.name}",
        "source": f"athlete-twin {ver} (twin.sensitivity; SALib {version('SALib')})",
        "history": f"{now}: {command}",
        "config": public_config(cfg, squad, public_ids(squad))})
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "sensitivity.nc"
    tmp = path.with_name(path.name + ".tmp")
    for name in ds.variables:  # netCDF wants fixed-width strings, not Python objects
        if ds[name].dtype == object:
            ds[name] = ds[name].astype(str)
    ds.to_netcdf(tmp)
    os.replace(tmp, path)
    paths = [path, plots.save(plots.sensitivity_bars(ds, "value"), out_dir / "sensitivity.png")]
    axes = [t for t in ds["target"].values if t not in ("value", "scenario")]
    if axes:
        paths.append(plots.save(plots.sensitivity_bars(ds, axes[0], of="_decision"),
                                out_dir / f"sensitivity_{axes[0]}.png"))
    return paths


def report(ds) -> str:
    """The robustness lines (:func:`twin.sensitivity.robustness_lines`) with a header."""
    from twin.sensitivity import HELD, robustness_lines

    n_sets, m = ds.sizes["run"], ds.attrs.get("draws_per_set", "?")
    held = ", ".join(HELD)
    return "\n".join([f"robustness ({n_sets} plausible parameter sets x {m} draws, "
                      f"{ds.sizes['factor']} factors; held at defaults: {held}):",
                      *(f"  {line}" for line in robustness_lines(ds))])


def run(cfg, out_dir: Path, *, progress: bool = True) -> str:
    """Run the sensitivity analysis of ``cfg`` into ``out_dir``; returns the printed text."""
    check(cfg)
    ds = sensitivity(cfg, progress=progress)
    paths = write(ds, cfg, Path(out_dir), "twin-sensitivity " + " ".join(sys.argv[1:]))
    points = ds.sizes["point"]
    return "\n".join([f"{ds.sizes['run']} parameter sets x {ds.attrs['draws_per_set']} "
                      f"draws x {points} scenario points", "", report(ds), "",
                      *(f"{'dataset' if p.suffix == '.nc' else 'plot'}: {p}" for p in paths)])


main = hydra_app("twin-sensitivity", run, config_name="sensitivity")


if __name__ == "__main__":
    main()

