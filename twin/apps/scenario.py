"""``twin-scenario``: check a scenario config and show what it compiles to, without running.

The same config groups and overrides as ``twin-run`` (``scenario=``, ``sweep=``,
``athletes=``). Prints the season (days, matches home and away, training load per week),
every trip's legs with the clock change and flight time, and the sweep's axes and size;
a wrong key or value fails with a message that names it.

    twin-scenario scenario=intercontinental_tour
    twin-scenario --cfg job          # the resolved config
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

import scenarios as sc
from twin.apps.hydra_app import hydra_app


def describe(cfg: DictConfig) -> str:
    """A plain-text summary of the squad, season, trips and sweep of ``cfg``."""
    squad = sc.build_squad(cfg.athletes)
    season = sc.build_season(cfg.scenario, home=squad.home)
    sweep = sc.build_sweep(cfg.sweep, season)
    days = sc.compile_days(season, sweep)
    base = 0  # the first sweep point
    srpe = days.load[base, :, sc.LOAD_KINDS.index("srpe")]
    lines = [
        f"squad {squad.name}: {squad.size} athletes, home {season.home.label}",
        f"season {season.name}: {season.start} to {season.dates[-1]} ({season.days} d)",
        f"  matches (first point): {int(days.match[base].sum())}, "
        f"away {int((days.match[base] & days.away[base]).sum())}",
        f"  session-RPE load: mean {srpe.sum() / season.days * 7:.0f} AU/week, "
        f"peak week {max(srpe[i:i + 7].sum() for i in range(0, season.days, 7)):.0f} AU",
    ]
    for it in days.itineraries:
        lines.append(f"itinerary {it.name}: {len(it.legs)} legs")
        for leg, (_, change) in zip(it.legs, it.clock_changes(season), strict=True):
            lines.append(f"  {leg.origin} -> {leg.destination}: "
                         f"{leg.arrive_h - leg.depart_h:.1f} h in the air, clock change "
                         f"{change:+.1f} h{' (awake)' if leg.awake else ''}")
    axes = ", ".join(f"{a}={v.tolist()}" for a, v in sweep.coords.items()) or "none"
    lines.append(f"sweep {sweep.name} ({sweep.mode}): {sweep.size} points; axes {axes}")
    return "\n".join(lines)


def _job(cfg: DictConfig, out_dir: Path) -> str:
    return describe(cfg)


main = hydra_app("twin-scenario", _job)

if __name__ == "__main__":
    main()
