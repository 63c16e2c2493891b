"""Scenario compilation: 10 000 sweep points x 365 days, and the sub-daily clock of a squad.

The demo season (``conf/scenario/demo_season.yaml``) under a Latin-hypercube sweep over
training volume, match load, fixture density and seven itineraries; the time covers
checking the sweep and :func:`scenarios.compile_days` (all day-grid arrays of every
point). Then :func:`scenarios.compile_clock` for the 25 athletes of the demo squad on one
itinerary (87 600 steps of 0.1 h). Median of repeated runs after a warm-up.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

import scenarios as sc
from benchmarks.common import time_call
from scenarios.schema import SweepConf
from twin import compose

ITINERARIES = ["home", "east_3", "east_6", "east_9", "west_3", "west_6", "west_9"]


def run(quick: bool) -> list[dict]:
    cfg = compose()
    squad = sc.build_squad(cfg.athletes)
    season = sc.build_season(cfg.scenario, home=squad.home)
    n = 500 if quick else 10_000
    sweep_cfg = OmegaConf.merge(OmegaConf.structured(SweepConf), {
        "mode": "lhs", "n": n, "axes": {
            "training_volume": {"start": 0.6, "stop": 1.4},
            "match_load": {"start": 0.7, "stop": 1.3},
            "fixture_density": {"start": 1, "stop": 2}, "itinerary": ITINERARIES}})
    repeats = 3 if quick else 5

    def days():
        return sc.compile_days(season, sc.build_sweep(sweep_cfg, season))

    med, best = time_call(days, repeats)
    out = days()
    nbytes = sum(a.nbytes for a in (out.load, out.running_m, out.match, out.match_minutes,
                                    out.match_intensity, out.kickoff_h, out.away, out.rest))
    rows = [{"what": "compile_days", "points": n, "days": season.days, "median_s": med,
             "min_s": best, "point_days_per_s": n * season.days / med,
             "array_mib": nbytes / 2**20}]
    itin = sc.resolve_itinerary(season, "east_6")
    med, best = time_call(lambda: sc.compile_clock(season, itin, squad.bed_h, squad.wake_h),
                          repeats)
    clock = sc.compile_clock(season, itin, squad.bed_h, squad.wake_h)
    rows.append({"what": "compile_clock", "points": squad.size, "days": season.days,
                 "median_s": med, "min_s": best,
                 "point_days_per_s": squad.size * season.days / med,
                 "array_mib": sum(getattr(clock, f).nbytes for f in (
                     "t_h", "utc_offset_h", "local_hour", "in_flight", "venue", "sleep",
                     "light_lux")) / 2**20})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| what | size | median (s) | min (s) | point-days/s | arrays (MiB) |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        size = (f"{r['points']} points x {r['days']} d" if r["what"] == "compile_days"
                else f"{r['points']} athletes x {r['days']} d at 0.1 h")
        lines.append(f"| {r['what']} | {size} | {r['median_s']:.3f} | {r['min_s']:.3f} | "
                     f"{r['point_days_per_s']:.3g} | {r['array_mib']:.0f} |")
    return "\n".join(lines)


def write_outputs(rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    keys = list(rows[0])
    with (out / "scenarios.csv").open("w") as fh:
        fh.write(",".join(keys) + "\n")
        for r in rows:
            fh.write(",".join(str(r[k]) for k in keys) + "\n")
