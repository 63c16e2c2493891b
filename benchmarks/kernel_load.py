"""Kernel start-up with a warm cache: what a fresh process (a test worker, a Ray worker, a
CLI run) pays before its first result.

Each sample is a fresh Python process with the kernel cache already populated (a first
process fills it): the time to import the packages, and for each kernel the first call
minus the second call of the same tiny workload, which is the load of its generated
module and cached machine code (Numba), or its tracing and compilation (JAX, which keeps
no cache between processes). Kernels: Banister through its public series function, the
Forger 1999 pacemaker (an ODE kernel with the generated RK4 step) and the twin's
coupled Banister day kernel (nested named tuples). Median and minimum over the samples.

The child script accepts both the layout of this tree and the one before the "one name
per thing" refactor (``physiology._compile``, ``twin._day_kernel``), so the same
measurement runs on an older checkout by ``PYTHONPATH=<checkout> python -m
benchmarks.kernel_load``.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
from physiology.fitness_fatigue import banister
from physiology.circadian import simulate
try:
    from physiology.kernels import run
    from twin.model.day_kernel import KERNELS
except ImportError:  # the layout before the refactor
    from physiology._compile.kernel import run
    from twin._day_kernel import KERNELS
backend = sys.argv[1]
imported = time.perf_counter() - t0

def first_minus_second(fn):
    t = time.perf_counter(); fn(); first = time.perf_counter() - t
    t = time.perf_counter(); fn(); second = time.perf_counter() - t
    return first - second

k = KERNELS["banister"]
out = {"import_s": imported,
       "banister_s": first_minus_second(lambda: banister(np.ones((2, 5)), backend=backend)),
       "forger99_s": first_minus_second(lambda: simulate(
           np.zeros(24), 0.1, state0=np.array([1.0, 0.0, 0.0]), backend=backend)),
       "twin_day_s": first_minus_second(lambda: run(
           k, [np.ones((2, 5))] * len(k.inputs), [1.0] * len(k.params),
           [0.0] * len(k.state), backend=backend))}
print(json.dumps(out))
"""

KERNELS = ("banister_s", "forger99_s", "twin_day_s")


def _sample(backend: str, env: dict) -> dict:
    run = subprocess.run([sys.executable, "-c", _CHILD, backend], capture_output=True,
                         text=True, env=env)
    if run.returncode:
        raise RuntimeError(run.stderr[-3000:])
    return json.loads(run.stdout.strip().splitlines()[-1])


def run(quick: bool) -> list[dict]:
    """One row per backend: median and minimum over fresh processes (7 each, after one
    that fills the cache; quick: only that one, Numba only)."""
    n = 1 if quick else 7
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "TWIN_KERNEL_CACHE": os.environ.get("TWIN_KERNEL_CACHE", cache)}
        for backend in ("numba",) if quick else ("numba", "jax"):
            first = _sample(backend, env)  # fills the cache (Numba), warms the file cache
            # quick: that one (cold) process only, so the suite checks it runs, cheaply
            samples = [first] if quick else [_sample(backend, env) for _ in range(n)]
            row = {"backend": backend, "processes": n}
            for key in ("import_s", *KERNELS):
                values = np.array([s[key] for s in samples])
                row[f"{key[:-2]}_median_s"] = float(np.median(values))
                row[f"{key[:-2]}_min_s"] = float(values.min())
            rows.append(row)
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| backend | fresh processes | import (s) | Banister first call (s) | "
             "Forger 1999 first call (s) | twin day kernel first call (s) |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        cells = [f"{r[f'{k}_median_s']:.3f} (min {r[f'{k}_min_s']:.3f})"
                 for k in ("import", "banister", "forger99", "twin_day")]
        lines.append(f"| {r['backend']} | {r['processes']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_outputs(rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "kernel_load.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    print(table(run(quick="--quick" in sys.argv)))
