"""The engine end to end: the standard sweep of DESIGN.md, cube written, per runner.

25 athletes (the demo squad) x 365 days x training volume {0.8, 1.0, 1.2} x match load
{0.8, 1.0, 1.2} x itinerary {home, +-3, +-6, +-9 h} x 100 draws = 57.5 million
athlete-days, from the resolved config to a finished Zarr cube (``twin.run_sweep``, no
plots), each in a fresh subprocess (so the peak RSS is that run's driver, and the time
includes loading the cached kernels and starting Ray, as a user's run does):

- in process (``runner=local``, Numba and JAX);
- Ray on a local instance of 1 and of 2 CPUs (one chunk task per CPU); parallel
  efficiency = T(1 worker) / (2 T(2 workers)), end to end and for the chunk phase alone
  (the plan, which integrates the circadian part, runs in the driver before any task);
- the per-task overhead of the Ray runner: 200 tasks that take the plan from the object
  store and return at once, wall time per task;
- a cube bigger than the driver's memory: the standard sweep with ``keep_draws=true``
  (every draw kept, 3.7 GB of float64) through Ray, with the driver's peak RSS and its
  peak private memory (RSS counts the pages of Ray's shared-memory object store the
  driver reads results from; private memory is the driver's own).

``--quick`` runs 3 athletes, 9 points and 10 draws instead, in process only.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import json, resource, sys, threading, time
t0 = time.perf_counter()

def private_mib():  # unique (non-shared) memory: Private_Clean + Private_Dirty
    with open("/proc/self/smaps_rollup") as fh:
        return sum(int(l.split()[1]) for l in fh if l.startswith("Private_")) / 1024

peak_private, stop = [0.0], threading.Event()
def watch():
    while not stop.is_set():
        peak_private[0] = max(peak_private[0], private_mib())
        time.sleep(0.05)
threading.Thread(target=watch, daemon=True).start()
from hydra import compose, initialize_config_dir
from twin.config import CONF_DIR
from twin import engine, runner
overrides, out = json.loads(sys.argv[1]), sys.argv[2]
with initialize_config_dir(config_dir=str(CONF_DIR), version_base=None):
    cfg = compose("config", overrides=overrides)
orig, stamps = engine.plan, {}
def timed_plan(c):
    t = time.perf_counter(); p = orig(c); stamps["plan_s"] = time.perf_counter() - t
    stamps["plan_end"] = time.perf_counter(); return p
runner.engine.plan = timed_plan
res = runner.run_sweep(cfg, out, progress=False)
end = time.perf_counter()
stop.set()
p = res.plan
store_bytes = sum(f.stat().st_size for f in __import__("pathlib").Path(res.store).rglob("*")
                  if f.is_file())
print(json.dumps({"total_s": end - t0, "plan_s": stamps["plan_s"],
                  "chunks_s": end - stamps["plan_end"],
                  "athlete_days": p.squad.size * p.sweep.size * p.draws * p.season.days,
                  "chunks": len(res.layout.blocks), "store_mib": store_bytes / 2**20,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "peak_private_mib": peak_private[0]}))
"""

_OVERHEAD = r"""
import json, sys, time
import ray
from hydra import compose, initialize_config_dir
from twin.config import CONF_DIR
from twin import engine, ray_runner
overrides = json.loads(sys.argv[1])
with initialize_config_dir(config_dir=str(CONF_DIR), version_base=None):
    cfg = compose("config", overrides=overrides)
plan = engine.plan(cfg)
ray_runner.connect(None, 2)
ref = ray.put(plan)

@ray.remote(num_cpus=1)
def noop(plan):
    return {"n": plan.draws}

ray.get([noop.remote(ref) for _ in range(20)])  # warm the workers
n = 200
t = time.perf_counter()
ray.get([noop.remote(ref) for _ in range(n)])
print(json.dumps({"per_task_ms": (time.perf_counter() - t) / n * 1e3}))
"""


def _child(script: str, overrides: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run([sys.executable, "-c", script, json.dumps(overrides), tmp],
                             capture_output=True, text=True)
        if run.returncode:
            raise RuntimeError(run.stderr[-3000:])
    return json.loads(run.stdout.strip().splitlines()[-1])


def run(quick: bool) -> list[dict]:
    std = ["sweep=standard", "output.plots=false"]
    if quick:
        std = ["athletes=mini_squad", "draws=10", "sweep=demo", "output.plots=false"]
    cases = [("local", "numba", ["runner=local", "backend=numba"]),
             ("local", "jax", ["runner=local", "backend=jax"])]
    if not quick:
        cases += [("ray, 1 worker", "numba", ["runner=ray", "runner.num_cpus=1"]),
                  ("ray, 2 workers", "numba", ["runner=ray", "runner.num_cpus=2"]),
                  ("ray, 2 workers, keep_draws", "numba",
                   ["runner=ray", "runner.num_cpus=2", "output.keep_draws=true"])]
    rows = []
    for name, backend, extra in cases:
        r = _child(_CHILD, [*std, *extra])
        r.update(runner=name, backend=backend,
                 athlete_days_per_s=r["athlete_days"] / r["total_s"])
        rows.append(r)
    if not quick:
        by = {r["runner"]: r for r in rows}
        one, two = by["ray, 1 worker"], by["ray, 2 workers"]
        rows.append({"runner": "efficiency", "end_to_end": one["total_s"] / (2 * two["total_s"]),
                     "chunks": one["chunks_s"] / (2 * two["chunks_s"]),
                     **_child(_OVERHEAD, [*std, "runner=ray"])})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| runner | backend | athlete-days | chunks | plan (s) | chunk phase (s) | "
             "total (s) | athlete-days/s | store (MiB) | driver peak RSS (MiB) | "
             "driver peak private (MiB) |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    tail = []
    for r in rows:
        if r["runner"] == "efficiency":
            tail.append(f"Ray parallel efficiency at 2 workers, T1 / (2 T2): end to end "
                        f"{r['end_to_end']:.2f}, chunk phase {r['chunks']:.2f}. Per-task "
                        f"overhead (no-op task taking the plan from the object store): "
                        f"{r['per_task_ms']:.2f} ms.")
            continue
        lines.append(f"| {r['runner']} | {r['backend']} | {r['athlete_days']:,} | "
                     f"{r['chunks']} | {r['plan_s']:.1f} | {r['chunks_s']:.1f} | "
                     f"{r['total_s']:.1f} | {r['athlete_days_per_s']:.3g} | "
                     f"{r['store_mib']:.0f} | {r['peak_rss_mib']:.0f} | "
                     f"{r['peak_private_mib']:.0f} |")
    return "\n".join(lines + (["", *tail] if tail else []))


def write_outputs(rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "engine.json").write_text(json.dumps(rows, indent=1))
