"""Figures of a sweep's cube: season chart, jet lag, heatmap over two axes, fan chart."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr


def pick_point(ds: xr.Dataset, sweep_dims) -> dict:
    """A scenario worth showing: the middle of each numeric axis, the first trip away."""
    sel = {}
    for dim in sweep_dims:
        values = ds[dim].values
        if dim == "itinerary":
            away = [i for i, v in enumerate(values) if str(v) != "home"]
            sel[dim] = away[0] if away else 0
        else:
            sel[dim] = len(values) // 2
    return sel


def _label(ds, sel) -> str:
    return ", ".join(f"{d}={ds[d].values[i]}" for d, i in sel.items()) or "season as planned"


def season_chart(cube: xr.Dataset, athlete: int, sel: dict):
    """PMC-style season: load, fitness and fatigue, performance band, ACWR, availability."""
    one = cube.isel(athlete=athlete, **sel).load()
    q = "quantile" in one.dims
    med = one.sel(quantile=0.5, method="nearest") if q else one.median("draw")
    dates = one["date"].values
    fig, axes = plt.subplots(4, 1, figsize=(11, 9), sharex=True,
                             gridspec_kw={"height_ratios": [1.3, 2, 1.2, 1]})
    axes[0].bar(dates, med["load_done"], width=1.0, color="0.75", label="load done (AU, median)")
    match = med["minutes_played"] > 0
    axes[0].plot(dates[match], med["load_done"].values[match], "v", color="tab:red", ms=4,
                 label="match")
    axes[0].set_ylabel("session-RPE (AU)")
    axes[0].legend(loc="upper left", fontsize=8)
    axes[0].set_title(f"athlete {one['athlete'].values}: {_label(cube, sel)}")
    _band(axes[1], one, "performance", dates, "performance (% habitual)", "tab:blue")
    axes[1].plot(dates, 100 + med["fitness"] - med["fitness"].values[0], color="tab:green",
                 lw=1, label="fitness, shifted to 100 at the start (%)")
    axes[1].plot(dates, 100 - med["fatigue"] + med["fatigue"].values[0], color="tab:purple",
                 lw=1, label="100 minus fatigue change (%)")
    axes[1].set_ylabel("% of habitual")
    axes[1].legend(loc="lower left", fontsize=8)
    axes[2].axhspan(0.8, 1.3, color="tab:green", alpha=0.12, label="0.8-1.3 (Gabbett 2016)")
    axes[2].plot(dates, med["acwr"], color="k", lw=1, label="ACWR (median)")
    axes[2].set_ylabel("ACWR (1)")
    axes[2].legend(loc="upper left", fontsize=8)
    axes[3].fill_between(dates, one["available"], color="tab:olive", alpha=0.6, step="mid",
                         label="share of draws available")
    axes[3].plot(dates, 10 * one["injury_probability"], color="tab:red", lw=0.8,
                 label="daily injury probability x 10")
    axes[3].set_ylim(0, 1.05)
    axes[3].set_ylabel("(1)")
    axes[3].legend(loc="lower left", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def _band(ax, one, name, dates, label, color):
    x = one[name]
    if "quantile" in x.dims:
        lo, mid, hi = (x.sel(quantile=v, method="nearest") for v in (0.05, 0.5, 0.95))
    else:
        lo, mid, hi = (x.quantile(v, dim="draw") for v in (0.05, 0.5, 0.95))
    ax.fill_between(dates, lo, hi, color=color, alpha=0.25, label=f"{label}, 5-95 %")
    ax.plot(dates, mid, color=color, lw=1.5, label=f"{label}, median")


def jetlag_chart(plan, athlete: int, itinerary: int, *, days_around: int = 12):
    """Body clock and sleep against the local night around an itinerary's legs.

    Top: each day (x) by local clock hour (y): the sleep opportunity (grey), sleep
    obtained (blue), and the local time at which the body clock reads 04:00 (red, the
    body's night: at home it sits inside the grey). Bottom: sleep debt against the need
    (bars) and sleep obtained in each night (line)."""
    itin = plan.days.itineraries[itinerary]
    clock = plan.clock
    n_t = clock.local.shape[-1]
    t = clock.t0_h + clock.dt_h * np.arange(n_t)
    legs = itin.legs or ()
    first = legs[0].depart_h if legs else 24.0 * plan.season.days / 2
    last = legs[-1].arrive_h if legs else first
    window = (t >= first - 24 * 3) & (t <= min(last, first + 24 * 40) + 24 * days_around)
    local = clock.local[itinerary]
    jump = np.diff(local)
    day = np.r_[0, np.cumsum(np.where(jump < -12.0, 1, np.where(jump > 12.0, -1, 0)))]
    body = clock.body[athlete, itinerary].astype(float)
    fig, (ax, ax_d) = plt.subplots(2, 1, figsize=(11, 7), sharex=True,
                                   gridspec_kw={"height_ratios": [2, 1]})
    for mask, color, label in ((clock.in_bed[athlete, itinerary], "0.8", "sleep opportunity"),
                               (clock.asleep[athlete, itinerary], "tab:blue", "asleep")):
        on = mask & window
        ax.scatter(day[on] + 0.5, local[on], s=14, marker="s", color=color, lw=0, label=label)
    cross = np.flatnonzero((body[:-1] < 4.0) & (body[1:] >= 4.0)) + 1
    cross = cross[window[cross]]
    ax.plot(day[cross] + 0.5, local[cross], "o", color="tab:red", ms=4,
            label="body clock at 04:00")
    for leg in legs:
        if window[np.searchsorted(t, leg.depart_h).clip(0, n_t - 1)]:
            k = np.searchsorted(t, [leg.depart_h, leg.arrive_h]).clip(0, n_t - 1)
            ax.axvspan(day[k[0]], day[k[1]] + 1, color="tab:orange", alpha=0.15)
            ax.annotate(f"{leg.origin}->{leg.destination}", (day[k[0]] + 0.1, 0.5),
                        fontsize=7, rotation=90, va="top", ha="left")
    ax.set_ylim(24, 0)
    ax.set_yticks(range(0, 25, 4))
    ax.set_ylabel("local clock time (h)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.04), fontsize=8, ncols=3,
              markerscale=2, frameon=False)
    ax.set_title(f"athlete {plan.public_ids[athlete]}, itinerary {itin.name}: body clock and "
                 "sleep against local time (flights shaded)")
    d_idx = np.arange(plan.season.days)
    shown = (d_idx >= day[window].min()) & (d_idx <= day[window].max())
    ax_d.bar(d_idx[shown] + 0.5, clock.debt[athlete, itinerary, shown], width=0.9,
             color="tab:purple", alpha=0.6, label="sleep debt carried into the day (h)")
    ax_d.plot(d_idx[shown] + 0.5, clock.slept[athlete, itinerary, shown], color="tab:blue",
              marker=".", label="sleep the night before (h)")
    ax_d.set_ylabel("h")
    ax_d.set_xlabel("days since the season start (local dates)")
    ax_d.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def heatmap(summary: xr.Dataset, name: str, x: str, y: str):
    """A summary outcome, mean over athletes (and any other axis), over two sweep axes."""
    da = summary[name]
    if "quantile" in da.dims:
        da = da.sel(quantile=0.5, method="nearest")
    da = da.mean([d for d in da.dims if d not in (x, y)]).transpose(y, x).load()
    fig, ax = plt.subplots(figsize=(1.2 * da.sizes[x] + 3, 0.8 * da.sizes[y] + 2))
    im = ax.pcolormesh(np.arange(da.sizes[x] + 1), np.arange(da.sizes[y] + 1), da.values,
                       cmap="viridis")
    for i in range(da.sizes[y]):
        for j in range(da.sizes[x]):
            ax.text(j + 0.5, i + 0.5, f"{da.values[i, j]:.4g}", ha="center", va="center",
                    color="w", fontsize=8)
    ax.set_xticks(np.arange(da.sizes[x]) + 0.5, [str(v) for v in da[x].values])
    ax.set_yticks(np.arange(da.sizes[y]) + 0.5, [str(v) for v in da[y].values])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    units = summary[name].attrs.get("units", "")
    fig.colorbar(im, ax=ax, label=f"{name} ({units}), squad mean")
    ax.set_title(summary[name].attrs.get("long_name", name), fontsize=9)
    fig.tight_layout()
    return fig


def fan_chart(cube: xr.Dataset, athlete: int, sel: dict):
    """Performance over draws: the 5-95 % band and median (every draw with keep_draws)."""
    one = cube.isel(athlete=athlete, **sel).load()
    dates = one["date"].values
    fig, ax = plt.subplots(figsize=(11, 4))
    if "draw" in one.dims:
        for d in range(min(one.sizes["draw"], 30)):
            ax.plot(dates, one["performance"].isel(draw=d), color="0.6", lw=0.4, alpha=0.5)
    _band(ax, one, "performance", dates, "performance (% habitual)", "tab:blue")
    ax.set_ylabel("% of habitual")
    ax.set_title(f"athlete {one['athlete'].values}: performance over Monte-Carlo draws "
                 f"({_label(cube, sel)})")
    ax.legend(loc="lower left", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
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
