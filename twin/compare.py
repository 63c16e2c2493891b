"""Comparing runs: the difference of season outcomes between cubes, with its uncertainty.

Two or more finished stores (:func:`twin.store.open_cube`) are compared against the first
(the baseline). A comparison is refused, with the reason, when it would not be fair:

- the runs use different seeds or numbers of draws: the twin's Monte-Carlo draws are
  counter-based streams keyed by the seed, the athlete and the draw, so with one seed the
  runs see the *same* draws (the same athletes' parameters, the same uniform deciding an
  injury on a day: common random numbers) and their difference is the scenario's effect,
  not sampling noise;
- the squads differ (the recorded ``athletes`` config, which holds each athlete's
  attributes and the calibration file, as governance lets it out);
- they share no athlete or no scenario point (the cubes are aligned on the athletes and
  sweep coordinates they share; coordinates present in one run only are dropped, and
  said).

For each summary outcome :math:`Y` (:data:`twin.model.variables.SUMMARY`), athlete and
shared scenario point, the difference is :math:`\\Delta = Y_B - Y_A` (of the medians, for
an outcome the summary gives as quantiles or a median). Its Monte-Carlo standard error:

- **paired**, where both stores hold the outcome in each draw (the group
  ``summary/draws``, :data:`twin.model.variables.SEASON_DRAWS`): with one seed, draw
  :math:`i` of both runs is the same athlete with the same injury uniforms, so the error
  is that of the mean of the draw-by-draw differences :math:`d_i = Y_{B,i} - Y_{A,i}`,
  :math:`s_\\Delta = \\mathrm{sd}(d) / \\sqrt{N}` (times :math:`\\sqrt{\\pi/2}`, the
  large-sample ratio for a difference of medians of normal outcomes, where medians are
  compared); draws where :math:`d_i` is undefined (no match played) are left out;
- otherwise (the pooled incidences, which have no per-draw value, and stores without the
  group) the runs are treated as independent, :math:`s_\\Delta = \\sqrt{s_A^2 + s_B^2}`
  from each run's own error (:func:`mc_standard_error`); paired draws are positively
  correlated, so this *overstates* the error (conservative).

A difference above :math:`2 s_\\Delta` is clear of Monte-Carlo noise; an outcome that the
scenarios do not change in any draw has :math:`s_\\Delta = 0`. Which method each error
used is in its ``method`` attribute. The squad's difference is the mean over athletes,
with :math:`s = \\sqrt{\\sum_a s_a^2} / n` (athletes' draws are independent streams).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr
import yaml

from twin.model.variables import SEASON_DRAWS
from twin.model.variables import SUMMARY as _ALL

#: The season outcomes compared (their Monte-Carlo errors ``<name>_se`` go with them).
SUMMARY = {n: v for n, v in _ALL.items() if not v.error_of}

__all__ = ["Comparison", "UnfairComparison", "compare", "mc_standard_error"]

#: The standard normal's 95th percentile: the 5-95 % interval spans 2 x 1.6449 sigma.
_Z95 = 1.6448536269514722


class UnfairComparison(ValueError):
    """Runs that cannot be compared fairly; the message says why."""


def mc_standard_error(summary: xr.Dataset, name: str) -> xr.DataArray:
    """The Monte-Carlo standard error of a summary outcome (dims athlete and the sweep's).

    - draw-free outcomes (no reduction over draws): 0, exactly;
    - means over draws: the summary's ``<name>_se`` where the run wrote it; for the
      probability of an injury, a proportion over :math:`N` draws,
      :math:`\\sqrt{p(1-p)/N}`;
    - quantile outcomes (the median is compared): the large-sample error of a median,
      :math:`\\sqrt{\\pi/2}\\,\\sigma/\\sqrt{N}`, with :math:`\\sigma` read from the 5-95 %
      interval as a normal spread, :math:`(q_{95} - q_5)/(2 \\times 1.6449)` (an
      approximation: exact for normal outcomes);
    - anything else: NaN (no spread is stored: the difference is shown without an error).
    """
    var, da = SUMMARY[name], summary[name]
    n = int(summary.attrs.get("draws", 0))
    if var.reduce == "none":
        return xr.zeros_like(da)
    if f"{name}_se" in summary:
        return summary[f"{name}_se"]
    if var.reduce == "mean" and name == "injury_risk" and n > 0:
        return np.sqrt(da * (1.0 - da) / n)
    if var.reduce == "quantiles" and n > 0 and "quantile" in da.dims:
        levels = da["quantile"].values
        if np.isclose(levels, 0.05).any() and np.isclose(levels, 0.95).any():
            lo = da.sel(quantile=0.05, method="nearest").drop_vars("quantile")
            hi = da.sel(quantile=0.95, method="nearest").drop_vars("quantile")
            return np.sqrt(np.pi / 2.0) * (hi - lo) / (2.0 * _Z95) / np.sqrt(n)
    return xr.full_like(_central(da), np.nan)


def _central(da: xr.DataArray) -> xr.DataArray:
    """The value compared: the median of a quantile outcome, else the value itself."""
    if "quantile" in da.dims:
        return da.sel(quantile=0.5, method="nearest").drop_vars("quantile")
    return da


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare`.

    ``difference``: per athlete and shared scenario point, dims ``run`` (each run but the
    baseline) first, one data variable per outcome and ``<name>_se`` its standard error;
    ``squad``: the same, averaged over athletes; ``labels``: each run's label (what in its
    config differs from the others'); ``dropped``: coordinates present in some runs only.
    """

    difference: xr.Dataset
    squad: xr.Dataset
    labels: tuple[str, ...]
    dropped: tuple[str, ...]


def _flat(d, prefix="") -> dict:
    out = {}
    if isinstance(d, dict):
        for k, v in d.items():
            out.update(_flat(v, f"{prefix}{k}."))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            out.update(_flat(v, f"{prefix[:-1]}[{i}]."))
    else:
        out[prefix[:-1]] = d
    return out


def _config(tree: xr.DataTree, where: str) -> dict:
    try:
        cfg = yaml.safe_load(tree.attrs.get("config", "")) or {}
    except yaml.YAMLError as exc:
        raise UnfairComparison(f"{where}: the recorded config cannot be read ({exc})") from None
    return cfg if isinstance(cfg, dict) else {}


def _check_fair(trees, names) -> list[dict]:
    base = trees[0].attrs
    configs = [_config(t, n) for t, n in zip(trees, names, strict=True)]
    for tree, name, cfg in zip(trees[1:], names[1:], configs[1:], strict=True):
        for key, why in (("seed", "their Monte-Carlo draws differ, so the difference would "
                                  "mix the scenarios' effect with sampling noise"),
                         ("draws", "they hold different sets of Monte-Carlo draws")):
            if tree.attrs.get(key) != base.get(key):
                raise UnfairComparison(
                    f"{names[0]} and {name} use different {key} ({base.get(key)} vs "
                    f"{tree.attrs.get(key)}): {why}; rerun one with {key}="
                    f"{base.get(key)}")
        a, b = _flat(configs[0].get("athletes", {})), _flat(cfg.get("athletes", {}))
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                raise UnfairComparison(
                    f"{names[0]} and {name} run different squads (athletes.{key}: "
                    f"{a.get(key)!r} vs {b.get(key)!r}): the difference would mix the "
                    "scenarios with the athletes")
    return configs


def _labels(configs, names) -> tuple[str, ...]:
    flat = [{k: v for k, v in _flat(c).items() if not k.startswith("athletes.")}
            for c in configs]
    keys = sorted(k for k in set().union(*flat) if len({repr(f.get(k)) for f in flat}) > 1)
    out = []
    for f, name in zip(flat, names, strict=True):
        said = ", ".join(f"{k}={f.get(k)}" for k in keys[:4])
        out.append(f"{name} ({said})" if said else name)
    return tuple(out)


def compare(trees: list[xr.DataTree], names: list[str] | None = None) -> Comparison:
    """Compare finished stores against the first (module docstring).

    Args:
        trees: :func:`twin.store.open_cube` of each run, the baseline first.
        names: a short name per run (default ``run0``, ``run1``, ...).

    Raises:
        UnfairComparison: naming the runs and why (seeds, draws, squads, nothing shared).
    """
    if len(trees) < 2:
        raise UnfairComparison(f"expected at least two runs to compare, got {len(trees)}")
    names = list(names or [f"run{i}" for i in range(len(trees))])
    configs = _check_fair(trees, names)
    summaries = [t["summary"].to_dataset().load() for t in trees]  # small: one read each
    shared = xr.align(*summaries, join="inner", exclude={"quantile"})
    per_draw = [_draws(t, s) for t, s in zip(trees, shared, strict=True)]
    dropped = []
    for dim in summaries[0].dims:
        if dim == "quantile":
            continue
        every = set().union(*(set(map(str, s[dim].values)) for s in summaries if dim in s.dims))
        kept = set(map(str, shared[0][dim].values))
        dropped += [f"{dim}={v}" for v in sorted(every - kept)]
        if not kept:
            raise UnfairComparison(f"{', '.join(names)} share no {dim}: nothing to compare")
    base = shared[0]
    diff, squad = {}, {}
    for name in SUMMARY:
        y0, s0 = _central(base[name]), mc_standard_error(base, name)
        d_runs, s_runs, methods = [], [], set()
        for other, draws in zip(shared[1:], per_draw[1:], strict=True):
            d_runs.append(_central(other[name]) - y0)
            paired = _paired_error(name, per_draw[0], draws)
            if paired is None:
                s_runs.append(np.sqrt(s0 ** 2 + mc_standard_error(other, name) ** 2))
                methods.add("independent" if SUMMARY[name].reduce != "none" else "exact")
            else:
                s_runs.append(paired)
                methods.add("paired")
        d = xr.concat(d_runs, dim="run")
        s = xr.concat(s_runs, dim="run")
        attrs = {"units": SUMMARY[name].units, "long_name": f"difference in "
                 f"{SUMMARY[name].long_name} (run minus baseline)"}
        diff[name] = d.assign_attrs(attrs)
        diff[f"{name}_se"] = s.assign_attrs(
            units=attrs["units"], method="/".join(sorted(methods)),
            long_name="Monte-Carlo standard error of the difference (module docstring)")
        n = d.sizes["athlete"]
        squad[name] = d.mean("athlete").assign_attrs(attrs)
        squad[f"{name}_se"] = (np.sqrt((s ** 2).sum("athlete", skipna=False)) / n).assign_attrs(
            diff[f"{name}_se"].attrs)
    labels = _labels(configs, names)
    run = ("run", list(labels[1:]))
    return Comparison(xr.Dataset(diff).assign_coords(run=run),
                      xr.Dataset(squad).assign_coords(run=run), labels, tuple(dropped))


def _draws(tree: xr.DataTree, aligned: xr.Dataset) -> xr.Dataset | None:
    """A store's season outcomes in each draw, on the aligned athletes and points (None
    for a store without them)."""
    try:
        node = tree["summary"]["draws"]
    except KeyError:
        return None
    ds = node.to_dataset().load()
    keep = {d: aligned[d].values for d in aligned.dims if d in ds.dims and d != "quantile"}
    return ds.sel(keep)


def _paired_error(name: str, a: xr.Dataset | None, b: xr.Dataset | None):
    """The paired standard error of the difference of ``name`` (module docstring), or None
    where the outcome is not held in each draw by both runs."""
    if a is None or b is None or name not in SEASON_DRAWS or name not in a or name not in b:
        return None
    d = b[name] - a[name]  # draw by draw: the same draws (one seed, checked)
    n = np.isfinite(d).sum("draw")
    with warnings.catch_warnings():  # fewer than two finite draws: NaN, masked below
        warnings.simplefilter("ignore", RuntimeWarning)
        se = d.std("draw", ddof=1, skipna=True) / np.sqrt(n)
    if SUMMARY[name].reduce in ("quantiles", "median"):
        se = se * np.sqrt(np.pi / 2.0)
    return se.where(n > 1)


def table(result: Comparison) -> str:
    """Per run and outcome: the squad's difference averaged over the shared scenario points
    (with its error) and the point where it changes most; every point and athlete is in
    :func:`to_csv`."""
    sq = result.squad
    point_dims = [d for d in sq.dims if d != "run"]
    stacked = sq.stack(point=point_dims) if point_dims else sq.expand_dims("point")
    n_points = stacked.sizes["point"]
    lines = [f"baseline: {result.labels[0]}"]
    if result.dropped:
        lines.append("not in every run (left out): " + ", ".join(result.dropped))
    for r, label in enumerate(result.labels[1:]):
        lines += ["", f"{label} minus baseline: squad mean, +- one Monte-Carlo standard "
                      "error (paired over the runs' common draws; 'indep.': treating the "
                      "runs as independent, conservative), * where the difference exceeds "
                      "2 errors",
                  f"{'outcome':<22} {'units':<8} {f'mean of {n_points} points':>26}   "
                  "largest change (point)"]
        for name, var in SUMMARY.items():
            d = np.atleast_1d(stacked[name].isel(run=r).values)
            s = np.atleast_1d(stacked[f"{name}_se"].isel(run=r).values)
            ok = np.isfinite(d)
            if not ok.any():
                lines.append(f"{name:<22} {var.shown_units:<8} {'n/a':>26}")
                continue
            mean = d[ok].mean()
            # the points share their draws (positively correlated errors): the mean of
            # the errors bounds the error of the mean from above
            err = s[ok].mean()
            worst = int(np.flatnonzero(ok)[np.argmax(np.abs(d[ok]))])
            how = " indep." if "independent" in stacked[f"{name}_se"].attrs.get(
                "method", "") else ""
            lines.append(f"{name:<22} {var.shown_units:<8} {_cell(mean, err) + how:>26}   "
                         f"{_cell(d[worst], s[worst])} ({_point(stacked, worst, point_dims)})")
    return "\n".join(lines)


def _point(stacked, i, dims) -> str:
    if not dims:
        return "as planned"
    return ",".join(f"{stacked[d].values[i]}" for d in dims)


def _cell(d: float, s: float) -> str:
    if not np.isfinite(d):
        return "n/a"
    if not np.isfinite(s):
        return f"{d:+.3g} (no error)"
    if s == 0:
        return f"{d:+.3g} (exact)"
    digits = max(0, 1 - int(np.floor(np.log10(s)))) if s > 0 else 3
    star = "*" if abs(d) > 2 * s else " "
    return f"{d:+.{digits}f} +- {s:.{digits}f}{star}"


def to_csv(result: Comparison, path: Path) -> Path:
    """Every athlete's difference (one row per run, athlete and scenario point)."""
    frame = result.difference.to_dataframe().reset_index()
    frame = frame.drop(columns=[c for c in frame.columns if c == "quantile"])
    frame.to_csv(path, index=False)
    return path


def figure(result: Comparison):
    """One panel per run: outcomes (rows) by scenario points (columns), each cell the squad's
    difference, coloured by how many Monte-Carlo errors it is away from 0 (grey: no error
    stored; an exact difference of draw-free outcomes counts as clear)."""
    import matplotlib.pyplot as plt

    sq = result.squad
    point_dims = [d for d in sq.dims if d != "run"]
    stacked = sq.stack(point=point_dims) if point_dims else sq.expand_dims("point")
    names = list(SUMMARY)
    n_runs, n_points = stacked.sizes["run"], stacked.sizes["point"]
    fig, axes = plt.subplots(n_runs, 1, figsize=(2.2 + 0.9 * n_points, 0.3 * len(names)
                                                 * n_runs + 1.6), squeeze=False)
    cmap = plt.get_cmap("RdBu_r").with_extremes(bad="0.85")
    for r in range(n_runs):
        ax = axes[r][0]
        d = np.array([stacked[n].isel(run=r).values for n in names], float).reshape(
            len(names), n_points)
        s = np.array([stacked[f"{n}_se"].isel(run=r).values for n in names], float).reshape(
            len(names), n_points)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(s > 0, d / s, np.where(s == 0, np.sign(d) * 4.0, np.nan))
        image = ax.imshow(np.clip(z, -4, 4), cmap=cmap, vmin=-4, vmax=4, aspect="auto")
        for i in range(len(names)):
            for j in range(n_points):
                if np.isfinite(d[i, j]):
                    ax.text(j, i, f"{d[i, j]:+.2g}", ha="center", va="center", fontsize=6)
        ax.set_yticks(np.arange(len(names)),
                      [f"{n} [{SUMMARY[n].shown_units}]" for n in names], fontsize=7)
        ax.set_xticks(np.arange(n_points), [_point(stacked, j, point_dims)
                                            for j in range(n_points)],
                      fontsize=7, rotation=30, ha="right")
        ax.set_xlabel("scenario point (" + ", ".join(point_dims) + ")" if point_dims
                      else "the season as planned", fontsize=7)
        ax.set_title(f"{result.labels[r + 1]} minus {result.labels[0]}", fontsize=8)
        fig.colorbar(image, ax=ax, label="difference / Monte-Carlo s.e.", shrink=0.8)
    fig.suptitle("squad-mean difference per outcome and scenario point (text: the "
                 "difference, in the outcome's units)", fontsize=9)
    fig.tight_layout()
    return fig
