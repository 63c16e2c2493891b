"""The engine end to end: the standard sweep of DESIGN.md, cube written.

25 athletes (the demo squad) x 365 days x training volume {0.8, 1.0, 1.2} x match load
{0.8, 1.0, 1.2} x itinerary {home, +-3, +-6, +-9 h} x 100 draws = 57.5 million
athlete-days, from the resolved config to a finished Zarr cube (``twin.run_sweep``, no
plots), per backend, in a fresh subprocess each (so the peak RSS is the run's own and the
time includes loading the cached kernels, as a user's run does). Also the time of the
plan alone (scenario compilation, the circadian and sleep part, W' tables, priors,
habitual state) and the chunk phase. One run per backend (each takes tens of seconds);
``--quick`` runs 3 athletes, 9 points and 10 draws instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import json, resource, sys, time
from hydra import compose, initialize_config_dir
from twin.config import CONF_DIR
from twin import engine, runner
overrides = json.loads(sys.argv[1])
out = sys.argv[2]
t0 = time.perf_counter()
with initialize_config_dir(config_dir=str(CONF_DIR), version_base=None):
    cfg = compose("config", overrides=overrides)
orig = engine.plan
stamps = {}
def timed_plan(c):
    t = time.perf_counter(); p = orig(c); stamps["plan_s"] = time.perf_counter() - t; return p
runner.engine.plan = timed_plan
res = runner.run_sweep(cfg, out, progress=False)
total = time.perf_counter() - t0
p = res.plan
print(json.dumps({"total_s": total, "plan_s": stamps["plan_s"],
                  "athlete_days": p.squad.size * p.sweep.size * p.draws * p.season.days,
                  "chunks": len(res.layout.blocks),
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _one(overrides: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(overrides), tmp],
                             capture_output=True, text=True, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def run(quick: bool) -> list[dict]:
    base = ["runner=local", "sweep=standard", "output.plots=false"]
    if quick:
        base = ["runner=local", "athletes=mini_squad", "draws=10", "sweep=demo",
                "output.plots=false"]
    rows = []
    for backend in ("numba", "jax"):
        r = _one([*base, f"backend={backend}"])
        r["backend"] = backend
        r["athlete_days_per_s"] = r["athlete_days"] / r["total_s"]
        rows.append(r)
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| backend | athlete-days | chunks | plan (s) | total (s) | athlete-days/s | "
             "peak RSS (MiB) |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['backend']} | {r['athlete_days']:,} | {r['chunks']} | "
                     f"{r['plan_s']:.1f} | {r['total_s']:.1f} | {r['athlete_days_per_s']:.3g} | "
                     f"{r['peak_rss_mib']:.0f} |")
    return "\n".join(lines)


def write_outputs(rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    keys = ["backend", "athlete_days", "chunks", "plan_s", "total_s", "athlete_days_per_s",
            "peak_rss_mib"]
    with (out / "engine.csv").open("w") as fh:
        fh.write(",".join(keys) + "\n")
        for r in rows:
            fh.write(",".join(str(r[k]) for k in keys) + "\n")
