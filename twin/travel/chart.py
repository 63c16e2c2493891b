"""The travel chart: one athlete's plan and body clock against local time, day by day.

Each local day where the athlete is (x) is a column; within it the local clock hour (y,
0 at the top, as an actogram) shows the local night (the sun down, grey), the shown
strategy's actions (sleep in bed and on board, bright light outdoors and from a light box,
dark glasses: coloured bars), flights (hatched) and kickoffs (stars). For every strategy a
line gives the local hour at which the body clock reads 04:00, the core body temperature
minimum (CBTmin) it has at home: at home that is 04:00 local; after a flight it sits hours
away and drifts back as the clock re-entrains, faster under a better plan.

Local times come from the series: a grid step's UTC offset is its local hour minus its
UTC hour, unwrapped through the window (a step of 12 h or more in one go would be
ambiguous; flights change it by less, one zone hop at a time).
"""

from __future__ import annotations

from typing import NamedTuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from twin.travel.schedule import TravelPlan, steps_of

#: Body-clock hour of the core body temperature minimum (the clock's phase marker).
CBT_MIN_H = 4.0

#: Colour and label of each drawn action, by (action, source).
ACTION_STYLE = {
    ("sleep", "bed"): ("tab:blue", "sleep (in bed, lights out)"),
    ("sleep", "flight"): ("tab:cyan", "sleep on board"),
    ("seek_light", "daylight"): ("gold", "seek bright light outdoors"),
    ("seek_light", "light_box"): ("tab:orange", "light box"),
    ("avoid_light", "glasses"): ("tab:purple", "avoid bright light (dark glasses)"),
}

#: Colour of each strategy's CBTmin line.
STRATEGY_COLOURS = {"none": "0.35", "rule": "tab:green", "twin": "tab:red"}

_OUTSIDE = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": 8,
            "borderaxespad": 0.0}


class ClockSeries(NamedTuple):
    """One athlete's clock over a plan's window under one strategy, on the clock grid."""

    t_h: np.ndarray  # (T,) season hours (UTC) of the window's grid
    local_hour: np.ndarray  # (T,) local clock hour where the athlete is, [0, 24)
    body_hour: np.ndarray  # (T,) body-clock hour (24-h circle; 4 = the body's CBTmin at home)
    sun_up: np.ndarray  # (T,) bool, the sun above the horizon where the athlete is
    kickoffs_h: np.ndarray  # (K,) season hours (UTC) of kickoffs in the window


def utc_offset(s: ClockSeries) -> np.ndarray:
    """Each step's UTC offset (h, to the minute), unwrapped through the window (module
    docstring)."""
    t = np.asarray(s.t_h, float)
    raw = (np.asarray(s.local_hour, float) - t + 12.0) % 24.0 - 12.0
    # to the minute (zones are whole minutes): float noise would split every run of steps
    return np.round(np.unwrap(raw, period=24.0) * 60.0) / 60.0


def _step(t: np.ndarray) -> float:
    return float(np.median(np.diff(t))) if t.size > 1 else 0.1


def _bars(mask, t, off, dt):
    """The runs of ``mask`` (steps at one UTC offset) as column bars: (x of the local day,
    bottom hour, height), split at local midnight."""
    x, bottom, height = [], [], []
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return np.array(x), np.array(bottom), np.array(height)
    brk = np.flatnonzero((np.diff(idx) > 1) | (np.diff(off[idx]) != 0)) + 1
    for run in np.split(idx, brk):
        lo = t[run[0]] + off[run[0]]
        hi = t[run[-1]] + dt + off[run[-1]]
        while hi - lo > 1e-9:
            day = np.floor(lo / 24.0 + 1e-9)
            cut = min(hi, 24.0 * (day + 1))
            x.append(day + 0.5)
            bottom.append(lo - 24.0 * day)
            height.append(cut - lo)
            lo = cut
    return np.array(x), np.array(bottom), np.array(height)


def _local(t_h, t, off):
    """Season hours (UTC) as local (day, hour) through the grid's offsets."""
    k = np.searchsorted(t, np.asarray(t_h, float), side="right").clip(1, t.size) - 1
    local = np.asarray(t_h, float) + off[k]
    return np.floor(local / 24.0), local % 24.0


def cbtmin_local(s: ClockSeries):
    """Where the body clock reads :data:`CBT_MIN_H`: (local day, local hour) of each
    upward crossing, interpolated linearly within the step."""
    t = np.asarray(s.t_h, float)
    b = np.asarray(s.body_hour, float)
    step = np.diff(b)
    up = np.flatnonzero((b[:-1] < CBT_MIN_H) & (b[1:] >= CBT_MIN_H) & (step < 12.0))
    frac = (CBT_MIN_H - b[up]) / np.where(step[up] > 0, step[up], 1.0)
    when = t[up] + frac * (t[up + 1] - t[up])
    return _local(when, t, utc_offset(s))


def travel_chart(series: dict[str, ClockSeries], plan: dict[str, TravelPlan], athlete: str,
                 legs, *, show: str | None = None, season_start=None):
    """One athlete's travel chart (module docstring). ``series``: the athlete's clock per
    strategy (``none``, ``rule``, ``twin``), on one grid; ``plan``: the strategies' plans;
    ``athlete``: the public id; ``legs``: (label, depart_h, arrive_h) per flight, in
    season hours (UTC). ``show``: the strategy whose actions are drawn (default ``twin``
    where there is one, else the first plan's). ``season_start`` (a date): label the days
    by date instead of by day since the season start. Returns the figure."""
    if not series:
        raise ValueError("travel_chart: no strategy series given")
    show = show or ("twin" if "twin" in plan else next(iter(plan), None))
    base = series[show] if show in series else next(iter(series.values()))
    t = np.asarray(base.t_h, float)
    off = utc_offset(base)
    dt = _step(t)
    day0, day1 = np.floor((t[0] + off[0]) / 24.0), np.floor((t[-1] + dt + off[-1]) / 24.0)
    n_days = int(day1 - day0 + 1)
    fig, ax = plt.subplots(figsize=(min(max(10.0, 4.0 + 0.36 * n_days), 24.0), 6.2),
                           layout="constrained")
    x, lo, h = _bars(~np.asarray(base.sun_up, bool), t, off, dt)
    ax.bar(x, h, bottom=lo, width=1.0, color="0.86", lw=0, label="local night (sun down)")
    for label, dep, arr in legs:
        x, lo, h = _bars(steps_of(t, dep, arr - dep), t, off, dt)
        if x.size:
            ax.bar(x, h, bottom=lo, width=0.9, fill=False, hatch="///", edgecolor="tab:brown",
                   lw=0.6, label="flight" if "flight" not in _labels(ax) else None)
            top = np.argmin(x)
            ax.annotate(label, (x[top] - 0.45, 0.3), fontsize=7, rotation=90, va="top",
                        ha="left", color="tab:brown")
    acts = plan[show].of(athlete) if show in plan else ()
    for (action, source), (colour, label) in ACTION_STYLE.items():
        mask = np.zeros(t.size, bool)
        for a in acts:
            if (a.action, a.source) == (action, source):
                mask |= steps_of(t, a.start_h, a.duration_h)
        x, lo, h = _bars(mask, t, off, dt)
        if x.size:
            ax.bar(x, h, bottom=lo, width=0.55, color=colour, lw=0, label=label)
    if np.size(base.kickoffs_h):
        kd, kh = _local(base.kickoffs_h, t, off)
        ax.plot(kd + 0.5, kh, "*", color="k", ms=11, mec="w", mew=0.6, ls="none",
                label="kickoff")
    ax.axhline(CBT_MIN_H, color="k", lw=0.6, ls=":", label="04:00 local (entrained)")
    for strategy, s in series.items():
        d, hr = cbtmin_local(s)
        y = hr.copy()
        if y.size > 1:  # break the line where it wraps past midnight
            wrap = np.flatnonzero(np.abs(np.diff(y)) > 12.0) + 1
            d, y = np.insert(d, wrap, np.nan), np.insert(y, wrap, np.nan)
        ax.plot(d + 0.5, y, marker="o", ms=3.5, lw=1.4,
                color=STRATEGY_COLOURS.get(strategy, None), gid=f"cbtmin:{strategy}",
                label=f"body clock at 04:00 (CBTmin), {strategy}")
    ax.set_xlim(day0, day1 + 1)
    ax.set_ylim(24, 0)
    ax.set_yticks(range(0, 25, 2))
    ax.set_ylabel("local clock hour where the athlete is (h)")
    every = 1 if n_days <= 21 else 2
    ticks = np.arange(day0, day1 + 1, every)
    if season_start is not None:
        dates = np.datetime64(season_start, "D") + ticks.astype(int)
        ax.set_xticks(ticks + 0.5, [str(v)[5:] for v in dates], rotation=90, fontsize=7)
        ax.set_xlabel(f"local date where the athlete is (month-day, {str(dates[0])[:4]})")
    else:
        ax.set_xticks(ticks + 0.5, [str(int(v)) for v in ticks], fontsize=7)
        ax.set_xlabel("local day where the athlete is (days since the season start)")
    ax.legend(**_OUTSIDE)
    ax.set_title(f"athlete {athlete}: travel plan ({show} strategy) against local time\n"
                 f"lines: the local hour at which the body clock reads 04:00 (CBTmin) under "
                 f"{', '.join(series)}", fontsize=10)
    return fig


def _labels(ax) -> set[str]:
    return {c.get_label() for c in ax.containers}


def cbtmin_lines(fig) -> dict[str, object]:
    """The figure's CBTmin lines by strategy (for tests and reports)."""
    return {line.get_gid().split(":", 1)[1]: line for ax in fig.axes for line in ax.lines
            if (line.get_gid() or "").startswith("cbtmin:")}
