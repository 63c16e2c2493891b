"""Figures of a sweep's cube: season chart, jet lag, heatmap over two axes, scenario fan.

Each figure shows one athlete (by public id) at one scenario point, or the squad over the
sweep, and its title says which: :func:`season_chart` (one athlete's season at one point,
the band over draws), :func:`jetlag_chart` (the body clock and sleep around the trip the
point's itinerary adds), :func:`heatmap` (a summary outcome over two sweep axes, any other
axis sliced at the point, named in the title) and :func:`fan_chart` (one athlete's
performance across every point of the sweep: what the choice of scenario moves). Legends
sit outside the data, and every axis names its quantity and units.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

#: Axis labels of the sweep axes (quantity and units).
AXIS_LABELS = {"training_volume": "training volume (x the planned load)",
               "match_load": "match load (x the planned load)",
               "fixture_density": "fixture density (matches per week)",
               "itinerary": "itinerary", "recovery": "recovery policy after long-haul",
               "scenario": "scenario (sample point)"}

_OUTSIDE = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": 8,
            "borderaxespad": 0.0}


def pick_point(coords, sweep_dims) -> dict:
    """A scenario worth showing: the middle of each numeric axis, the first trip away (a
    sample's middle point). ``coords``: the cube, or a mapping of each dim's values."""
    sel = {}
    for dim in sweep_dims:
        values = np.asarray(coords[dim]) if dim in coords else None
        if dim == "itinerary":
            away = [i for i, v in enumerate(values) if str(v) != "home"]
            sel[dim] = away[0] if away else 0
        else:
            sel[dim] = len(values) // 2
    return sel


def describe(ds, sel) -> str:
    """``sel`` (an index per sweep dim) as ``dim=value, ...`` for titles."""
    return ", ".join(f"{d}={ds[d].values[i]}" for d, i in sel.items()) or "season as planned"


_label = describe


def season_chart(cube: xr.Dataset, athlete: int, sel: dict):
    """PMC-style season of one athlete at one scenario point (``sel``: index per sweep
    dim): load, performance band with fitness and fatigue, ACWR, availability."""
    one = cube.isel(athlete=athlete, **sel).load()
    q = "quantile" in one.dims
    med = one.sel(quantile=0.5, method="nearest") if q else one.median("draw")
    dates = one["date"].values
    fig, axes = plt.subplots(4, 1, figsize=(13, 9.5), sharex=True, layout="constrained",
                             gridspec_kw={"height_ratios": [1.3, 2, 1.2, 1]})
    # one day wide each, centred on the day: one step patch, not a bar per day (365
    # artists to lay out and draw)
    half = np.timedelta64(12, "h")
    axes[0].stairs(med["load_done"].values, np.append(dates - half, dates[-1] + half),
                   fill=True, color="0.75", label="load done (median over draws)")
    match = med["minutes_played"] > 0
    axes[0].plot(dates[match], med["load_done"].values[match], "v", color="tab:red", ms=4,
                 label="match day")
    axes[0].set_ylabel("session-RPE load (AU)")
    axes[0].set_title(f"athlete {one['athlete'].values}: season at {_label(cube, sel)}")
    _band(axes[1], one, "performance", dates, "performance", "tab:blue")
    axes[1].plot(dates, 100 + med["fitness"] - med["fitness"].values[0], color="tab:green",
                 lw=1, label="fitness, shifted to 100 at the start")
    axes[1].plot(dates, 100 - med["fatigue"] + med["fatigue"].values[0], color="tab:purple",
                 lw=1, label="100 minus the fatigue change")
    axes[1].set_ylabel("% of habitual performance")
    axes[2].axhspan(0.8, 1.3, color="tab:green", alpha=0.12, label="0.8-1.3 (Gabbett 2016)")
    axes[2].plot(dates, med["acwr"], color="k", lw=1, label="ACWR (median over draws)")
    axes[2].set_ylabel("ACWR (acute:chronic\nload ratio)")
    axes[3].fill_between(dates, one["available"], color="tab:olive", alpha=0.6, step="mid",
                         label="available (share of draws)")
    axes[3].plot(dates, 10 * one["injury_probability"], color="tab:red", lw=0.8,
                 label="injury probability per day x 10")
    axes[3].set_ylim(0, 1.05)
    axes[3].set_ylabel("share of draws /\nprobability")
    axes[3].set_xlabel("date")
    for ax in axes:
        ax.legend(**_OUTSIDE)
    for label in axes[3].get_xticklabels():
        label.set(rotation=30, ha="right")
    return fig


def _band(ax, one, name, dates, label, color):
    x = one[name]
    if "quantile" in x.dims:
        lo, mid, hi = (x.sel(quantile=v, method="nearest") for v in (0.05, 0.5, 0.95))
    else:
        lo, mid, hi = (x.quantile(v, dim="draw") for v in (0.05, 0.5, 0.95))
    ax.fill_between(dates, lo, hi, color=color, alpha=0.25, label=f"{label}, 5-95 % of draws")
    ax.plot(dates, mid, color=color, lw=1.5, label=f"{label}, median over draws")


def trip_legs(plan, itinerary: int) -> tuple:
    """The legs of the trip an itinerary adds: those not in the ``home`` itinerary (the
    season's own travel, a tour the scenario holds, is in every itinerary); for ``home``
    itself, or where there is no ``home``, all of its legs."""
    itin = plan.days.itineraries[itinerary]
    legs = tuple(itin.legs or ())
    home = [i for i in plan.days.itineraries if i.name == "home"]
    if home and home[0] is not itin:
        season = {(leg.origin, leg.destination, leg.depart_h) for leg in home[0].legs or ()}
        own = tuple(leg for leg in legs if (leg.origin, leg.destination, leg.depart_h)
                    not in season)
        return own or legs
    return legs


def jetlag_chart(plan, athlete: int, itinerary: int, *, days_around: int = 12,
                 point: str = ""):
    """Body clock and sleep against the local night around the trip an itinerary adds
    (:func:`trip_legs`; ``itinerary`` indexes ``plan.days.itineraries``). The title names
    the itinerary, the legs shown and, given, the scenario ``point``.

    Top: each day (x) by local clock hour (y): the sleep opportunity (grey), sleep
    obtained (blue), and the local time at which the body clock reads 04:00 (red, the
    body's night: at home it sits inside the grey). Bottom: sleep debt against the need
    (bars) and sleep obtained in each night (line)."""
    itin = plan.days.itineraries[itinerary]
    clock = plan.clock  # the daily features
    grid = plan.clock_grid(athlete, itinerary)  # the 0.1-h series of this athlete
    n_t = clock.local.shape[-1]
    t = clock.t0_h + clock.dt_h * np.arange(n_t)
    legs = trip_legs(plan, itinerary)
    first = legs[0].depart_h if legs else 24.0 * plan.season.days / 2
    last = legs[-1].arrive_h if legs else first
    window = (t >= first - 24 * 3) & (t <= min(last, first + 24 * 40) + 24 * days_around)
    local = clock.local[itinerary]
    jump = np.diff(local)
    day = np.r_[0, np.cumsum(np.where(jump < -12.0, 1, np.where(jump > 12.0, -1, 0)))]
    body = grid.body[0, 0].astype(float)
    fig, (ax, ax_d) = plt.subplots(2, 1, figsize=(12, 7.5), sharex=True, layout="constrained",
                                   gridspec_kw={"height_ratios": [2, 1]})
    for mask, color, label in ((grid.in_bed[0, 0], "0.8", "sleep opportunity"),
                               (grid.asleep[0, 0], "tab:blue", "asleep")):
        on = mask & window
        ax.scatter(day[on] + 0.5, local[on], s=14, marker="s", color=color, lw=0, label=label)
    cross = np.flatnonzero((body[:-1] < 4.0) & (body[1:] >= 4.0)) + 1
    cross = cross[window[cross]]
    ax.plot(day[cross] + 0.5, local[cross], "o", color="tab:red", ms=4,
            label="body clock at 04:00")
    shown = []
    for leg in itin.legs or ():
        if window[np.searchsorted(t, leg.depart_h).clip(0, n_t - 1)]:
            k = np.searchsorted(t, [leg.depart_h, leg.arrive_h]).clip(0, n_t - 1)
            ax.axvspan(day[k[0]], day[k[1]] + 1, color="tab:orange", alpha=0.15)
            ax.annotate(f"{leg.origin}->{leg.destination}", (day[k[0]] + 0.1, 0.5),
                        fontsize=7, rotation=90, va="top", ha="left")
            shown.append(f"{leg.origin}->{leg.destination} day {int(leg.depart_h // 24)}")
    ax.set_ylim(24, 0)
    ax.set_yticks(range(0, 25, 4))
    ax.set_ylabel("local clock time (h)")
    ax.legend(markerscale=2, **_OUTSIDE)
    flights = ", ".join(shown) if shown else "no flight in the window"
    where = (f"at {point}" if f"itinerary={itin.name}" in point
             else f"itinerary {itin.name}" + (f" at {point}" if point else ""))
    ax.set_title(f"athlete {plan.public_ids[athlete]} {where}: body clock and sleep against "
                 f"local time\nflights shown (shaded): {flights}", fontsize=10)
    d_idx = np.arange(plan.season.days)
    days_shown = (d_idx >= day[window].min()) & (d_idx <= day[window].max())
    ax_d.bar(d_idx[days_shown] + 0.5, clock.debt[athlete, itinerary, days_shown], width=0.9,
             color="tab:purple", alpha=0.6, label="sleep debt carried into the day")
    ax_d.plot(d_idx[days_shown] + 0.5, clock.slept[athlete, itinerary, days_shown],
              color="tab:blue", marker=".", label="sleep the night before")
    ax_d.set_ylabel("sleep (h)")
    ax_d.set_xlabel("days since the season start (local dates)")
    ax_d.legend(**_OUTSIDE)
    return fig


def heatmap(summary: xr.Dataset, name: str, x: str, y: str, *, at: dict | None = None):
    """A summary outcome over two sweep axes ``x`` and ``y``: the squad mean of each
    athlete's median over draws. Every other sweep axis is sliced, never averaged: at
    ``at[dim]`` (an index), else its first value; the title names the slice."""
    da = summary[name]
    how = "median over draws"
    if "quantile" in da.dims:
        da = da.sel(quantile=0.5, method="nearest")
    elif "draw" in da.dims:
        da = da.median("draw")
    others = [d for d in da.dims if d not in (x, y, "athlete")]
    at = {d: int((at or {}).get(d, 0)) for d in others}
    sliced = ", ".join(f"{d}={da[d].values[i]}" for d, i in at.items())
    da = da.isel(at).mean("athlete").transpose(y, x).load()
    fig, ax = plt.subplots(figsize=(1.2 * da.sizes[x] + 4, 0.8 * da.sizes[y] + 2.4),
                           layout="constrained")
    im = ax.pcolormesh(np.arange(da.sizes[x] + 1), np.arange(da.sizes[y] + 1), da.values,
                       cmap="viridis")
    for i in range(da.sizes[y]):
        for j in range(da.sizes[x]):
            ax.text(j + 0.5, i + 0.5, f"{da.values[i, j]:.4g}", ha="center", va="center",
                    color="w", fontsize=8)
    ax.set_xticks(np.arange(da.sizes[x]) + 0.5, [str(v) for v in da[x].values])
    ax.set_yticks(np.arange(da.sizes[y]) + 0.5, [str(v) for v in da[y].values])
    ax.set_xlabel(AXIS_LABELS.get(x, x))
    ax.set_ylabel(AXIS_LABELS.get(y, y))
    units = summary[name].attrs.get("units", "")
    fig.colorbar(im, ax=ax, label=f"{name} ({units})")
    long = summary[name].attrs.get("long_name", name)
    ax.set_title(f"{long}\nsquad mean of each athlete's {how}"
                 + (f"; sliced at {sliced}" if sliced else ""), fontsize=9)
    return fig


def fan_chart(cube: xr.Dataset, athlete: int, sel: dict, *, rank: xr.DataArray | None = None,
              better: bool = True):
    """Scenario fan: one athlete's performance (median over draws) over the season at
    every point of the sweep, as bands of the spread across points (5-95 % and 25-75 %
    of the points, and their median), with the point ``sel`` drawn bold; with ``rank``
    (a summary outcome of this athlete, one value per point; ``better``: whether larger is
    better) its best and worst points drawn too. What season.png does not show: how far
    the choice of scenario moves the season, beside the spread over draws at one point."""
    one = cube["performance"].isel(athlete=athlete)
    med = (one.sel(quantile=0.5, method="nearest") if "quantile" in one.dims
           else one.median("draw")).load()
    dims = [d for d in med.dims if d != "date"]
    flat = med.stack(point=dims) if dims else med.expand_dims("point")
    dates = flat["date"].values
    values = flat.transpose("point", "date").values
    lo, q1, mid, q3, hi = np.nanquantile(values, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    fig, ax = plt.subplots(figsize=(13, 4.8), layout="constrained")
    n = values.shape[0]
    ax.fill_between(dates, lo, hi, color="tab:blue", alpha=0.18,
                    label=f"5-95 % of the {n} scenario points")
    ax.fill_between(dates, q1, q3, color="tab:blue", alpha=0.3, label="25-75 % of the points")
    ax.plot(dates, mid, color="tab:blue", lw=1, label="median across the points")
    if rank is not None and dims:
        r = rank.stack(point=dims).values
        if np.isfinite(r).any():
            top, bottom = int(np.nanargmax(r)), int(np.nanargmin(r))
            best, worst = (top, bottom) if better else (bottom, top)
            for i, color, what in ((best, "tab:green", "best"), (worst, "tab:red", "worst")):
                ax.plot(dates, values[i], color=color, lw=0.9, label=f"{what} by {rank.name}: "
                        + ", ".join(f"{d}={flat[d].values[i]}" for d in dims))
    chosen = med.isel(sel).values if dims else values[0]
    ax.plot(dates, chosen, color="k", lw=1.8, label=f"shown in season.png: {_label(cube, sel)}")
    ax.set_ylabel("performance, median over draws\n(% of habitual)")
    ax.set_xlabel("date")
    ax.set_title(f"athlete {cube['athlete'].values[athlete]}: performance across the sweep's "
                 f"{n} scenario points (scenario fan)", fontsize=10)
    ax.legend(**_OUTSIDE)
    for label in ax.get_xticklabels():
        label.set(rotation=30, ha="right")
    return fig


def save(fig, path: Path) -> Path:
    """Write a figure under a temporary name and move it into place."""
    tmp = path.with_name(path.stem + ".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)
    return path


def sensitivity_bars(ds: xr.Dataset, target: str = "value", *, top: int = 12, of: str = ""):
    """Total and first-order Sobol indices, ranked, one panel per outcome
    (:func:`twin.sensitivity.analyse`); whiskers: the bootstrap intervals. ``of``:
    ``"_decision"`` for the indices of a decision's indicator (what can overturn it)."""
    outcomes = list(ds["outcome"].values)
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.2 * len(outcomes), 0.32 * top + 2),
                             squeeze=False)
    for ax, o in zip(axes[0], outcomes, strict=True):
        one = ds.sel(outcome=o, target=target)
        st = np.nan_to_num(one[f"ST{of}"].values, nan=0.0)
        order = np.argsort(-st)[:top][::-1]
        y = np.arange(order.size)
        ax.barh(y + 0.2, st[order], 0.4, xerr=one[f"ST{of}_conf"].values[order],
                color="tab:blue",
                label="total ST", error_kw={"lw": 0.8})
        ax.barh(y - 0.2, np.nan_to_num(one[f"S1{of}"].values[order]), 0.4,
                xerr=one[f"S1{of}_conf"].values[order], color="tab:orange",
                label="first-order S1",
                error_kw={"lw": 0.8})
        ax.set_yticks(y, [str(ds["factor"].values[i]) for i in order], fontsize=7)
        ax.axvline(0.0, color="0.5", lw=0.5)
        ax.set_xlabel("Sobol index (1)")
        what = "mean over the sweep" if target == "value" else (
            f"what overturns the best {target}" if of else f"margin of the best {target}")
        ax.set_title(f"{o}\n({what})", fontsize=9)
        if not np.any(st):
            ax.text(0.5, 0.5, "no factor moves it" + (" (never overturned)" if of else ""),
                    transform=ax.transAxes, ha="center", fontsize=8, color="0.3")
    axes[0][0].legend(loc="lower right", fontsize=7)
    fig.suptitle(f"Sensitivity: {ds.attrs.get('sets', '?')} parameter sets x "
                 f"{ds.attrs.get('draws_per_set', '?')} draws", fontsize=10)
    fig.tight_layout()
    return fig
