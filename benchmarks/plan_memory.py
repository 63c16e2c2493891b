"""Planning memory: the driver's peak RSS while planning the standard sweep, by draws.

Each sample is a fresh process (imports, kernel cache load, :func:`plan_from_config` on
``sweep=standard`` with ``draws=N``, local runner): its peak resident set size
(``getrusage``, which includes the imported libraries, about 0.6 GB with JAX and Ray)
and the plan's wall time. The warm-up to the habitual state runs in blocks of draws
(:data:`twin.engine.planning.WARMUP_BLOCK_BYTES`), so the peak should not grow with N.
Goal from the hardening issue: ``draws=1000`` plans in under 1.5 GB.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

_CHILD = r"""
import json, resource, sys, time
from twin import compose
from twin.apps.from_config import plan_from_config
t = time.perf_counter()
plan_from_config(compose("sweep=standard", "runner=local", "output.plots=false",
                         f"draws={sys.argv[1]}", *sys.argv[2:]))
print(json.dumps({"draws": int(sys.argv[1]), "plan_s": time.perf_counter() - t,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(quick: bool) -> list[dict]:
    draws = (10,) if quick else (100, 1000, 2000)  # --quick: one small sweep (one child)
    extra = ["sweep.axes.match_load=[1.0]", "sweep.axes.itinerary=[home]"] if quick else []
    rows = []
    for n in draws:
        r = subprocess.run([sys.executable, "-c", _CHILD, str(n), *extra],
                           capture_output=True, text=True, check=True, env=dict(os.environ))
        rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| draws | plan (s) | driver peak RSS (MiB) |", "|---|---|---|"]
    lines += [f"| {r['draws']} | {r['plan_s']:.1f} | {r['peak_rss_mib']:.0f} |" for r in rows]
    return "\n".join(lines)


def write_outputs(rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "plan_memory.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (out / "plan_memory.json").write_text(json.dumps(rows, indent=1))
