"""The season summary as tables: per athlete and scenario point, and as squad means.

Every outcome's name, units and meaning come from :data:`twin.model.variables.SUMMARY`
(never spelled here). An outcome that is a mean over draws carries its Monte-Carlo
standard error (the companion ``<name>_se``); a quantile outcome is given as its median
with the outer quantiles of the run (the spread over draws, not a Monte-Carlo error); a
median or draw-free outcome as it is.

The squad mean's standard error is sqrt(sum_a se_a^2) / A: the athletes' random streams
are independent (keyed by seed, athlete and draw, DESIGN.md principle 5), so their
Monte-Carlo errors add in quadrature.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from twin.model.variables import SUMMARY, Variable

__all__ = ["OUTCOMES", "Cell", "best_worst", "format_error", "point_labels", "squad_means",
           "summary_frame", "write_tables"]

#: The outcomes of the summary (not their standard errors), in table order.
OUTCOMES: dict[str, Variable] = {n: v for n, v in SUMMARY.items() if not v.error_of}


def format_error(value: float, se: float | None = None) -> str:
    """``value ± se`` rounded to the standard error's second significant figure
    (``0.314 ± 0.012``, ``245 ± 12``); without an error (None or NaN), four significant
    figures; ``n/a`` for a value that is not finite."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if se is None or not math.isfinite(se):
        return _four(value)
    if se == 0:
        return f"{_four(value)} ± 0"
    decimals = 1 - math.floor(math.log10(se))
    if decimals > 0:
        return f"{value:.{decimals}f} ± {se:.{decimals}f}"
    step = 10.0 ** -decimals
    return f"{round(value / step) * step:.0f} ± {round(se / step) * step:.0f}"


def _four(value: float) -> str:
    """Four significant figures, trailing zeros kept (``96.00``, ``0.4868``)."""
    text = f"{value:#.4g}"
    return text[:-1] if text.endswith(".") else text


def _quantile_names(q: np.ndarray) -> list[str]:
    return ["median" if np.isclose(v, 0.5) else f"p{100 * v:g}" for v in q]


@dataclass(frozen=True)
class Cell:
    """An outcome's value at one row, with its error or its spread over draws."""

    value: float
    se: float | None = None          # Monte-Carlo standard error
    spread: tuple[float, float] | None = None  # outer quantiles over draws

    @property
    def text(self) -> str:
        out = format_error(self.value, self.se)
        if self.spread is not None and math.isfinite(self.value):
            lo, hi = self.spread
            out += f" ({_four(lo)} to {_four(hi)})"
        return out


def _centre(da: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray | None,
                                        xr.DataArray | None]:
    """The median of a quantile outcome and its outer quantiles (or the outcome itself)."""
    if "quantile" not in da.dims:
        return da, None, None
    q = da["quantile"].values
    return (da.sel(quantile=0.5, method="nearest"), da.isel(quantile=int(np.argmin(q))),
            da.isel(quantile=int(np.argmax(q))))


def summary_frame(summary: xr.Dataset) -> pd.DataFrame:
    """One row per athlete and scenario point; columns: ``athlete``, the sweep's
    coordinates, then per outcome ``<name> [<units>]`` (a mean, with ``<name>_se
    [<units>]`` after it) or, for a quantile outcome, ``<name>_median [<units>]`` and
    ``<name>_p5 [<units>]`` ... for each quantile of the run."""
    columns: dict[str, xr.DataArray] = {}
    names = [m for n in OUTCOMES for m in (n, f"{n}_se") if m in SUMMARY]
    for name in names:  # each outcome, then its standard error
        var, da = SUMMARY[name], summary[name]
        units = da.attrs.get("units_symbol", da.attrs.get("units", var.units))
        if "quantile" in da.dims:
            for qn, level in zip(_quantile_names(da["quantile"].values),
                                 da["quantile"].values, strict=True):
                columns[f"{name}_{qn} [{units}]"] = da.sel(quantile=level, drop=True)
        else:
            columns[f"{name} [{units}]"] = da
    lead = ["athlete", *(d for d in summary[next(iter(OUTCOMES))].dims
                         if d not in ("athlete", "quantile"))]
    frame = xr.Dataset(columns).to_dataframe(dim_order=lead).reset_index()
    coords = [c for c in frame.columns if c not in columns]  # athlete, the sweep's coords
    return frame[[*coords, *columns]]


def write_tables(summary: xr.Dataset, out_dir: Path) -> list[Path]:
    """``summary.csv`` and ``summary.parquet`` of :func:`summary_frame` in ``out_dir``,
    each written to a temporary name and moved into place."""
    frame = summary_frame(summary)
    paths = []
    for name, write in (("summary.csv", lambda f, p: f.to_csv(p, index=False)),
                        ("summary.parquet", lambda f, p: f.to_parquet(p, index=False))):
        path = Path(out_dir) / name
        tmp = path.with_name(path.name + ".tmp")
        write(frame, tmp)
        os.replace(tmp, path)
        paths.append(path)
    return paths


def point_labels(summary: xr.Dataset, sweep_dims) -> list[str]:
    """A label per scenario point (C order over the sweep dims)."""
    if not sweep_dims:
        return ["(the season as planned)"]
    flat = summary[next(iter(OUTCOMES))].isel(athlete=0, drop=True)
    if "quantile" in flat.dims:
        flat = flat.isel(quantile=0, drop=True)
    flat = flat.stack(point=list(sweep_dims))
    out = []
    for i in range(flat.sizes["point"]):
        out.append(", ".join(f"{d}={flat[d].values[i]}" for d in sweep_dims))
    return out


def squad_means(summary: xr.Dataset, sweep_dims) -> dict[str, list[Cell]]:
    """Per outcome, a :class:`Cell` per scenario point: the squad mean, with the squad
    mean's Monte-Carlo error (module docstring) or the squad means of the outer
    quantiles."""
    out = {}
    for name in OUTCOMES:
        centre, lo, hi = _centre(summary[name])
        se = summary.get(f"{name}_se")

        def flat(da):
            m = da.mean("athlete") if da is not None else None
            if m is None:
                return None
            return np.atleast_1d(m.stack(point=list(sweep_dims)).values if sweep_dims
                                 else m.values)

        with np.errstate(invalid="ignore"):
            values = flat(centre)
            err = None
            if se is not None:
                n = summary.sizes["athlete"]
                e = np.sqrt((se ** 2).sum("athlete", skipna=False)) / n
                err = np.atleast_1d(e.stack(point=list(sweep_dims)).values if sweep_dims
                                    else e.values)
            lows, highs = flat(lo), flat(hi)
        out[name] = [Cell(float(values[i]), None if err is None else float(err[i]),
                          None if lows is None else (float(lows[i]), float(highs[i])))
                     for i in range(values.size)]
    return out


def best_worst(summary: xr.Dataset, sweep_dims) -> list[tuple[str, Cell, str, Cell, str]]:
    """Per outcome with a finite value: (name, best cell, its point, worst cell, its
    point), by the squad mean (median over draws for a quantile outcome) and the
    outcome's better direction (the lowest first where neither is better)."""
    labels = point_labels(summary, sweep_dims)
    rows = []
    for name, cells in squad_means(summary, sweep_dims).items():
        values = np.array([c.value for c in cells])
        finite = np.flatnonzero(np.isfinite(values))
        if not finite.size:
            continue
        order = finite[np.argsort(values[finite], kind="stable")]
        lo, hi = int(order[0]), int(order[-1])
        best, worst = (hi, lo) if OUTCOMES[name].better else (lo, hi)
        rows.append((name, cells[best], labels[best], cells[worst], labels[worst]))
    return rows
