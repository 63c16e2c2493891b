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

``--quick`` runs 3 athletes, 9 points and 10 draws instead, in process, Numba only.
"""

from __future__ import annotations

import functools
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
from twin import compose
from twin.runners import local as runner
overrides, out = json.loads(sys.argv[1]), sys.argv[2]
cfg = compose(*overrides)
orig, stamps = runner.plan_from_config, {}
def timed_plan(c):
    t = time.perf_counter(); p = orig(c); stamps["plan_s"] = time.perf_counter() - t
    stamps["plan_end"] = time.perf_counter(); return p
runner.plan_from_config = timed_plan
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
from twin import compose
from twin.runners import ray_runner
from twin.apps.from_config import plan_from_config
overrides = json.loads(sys.argv[1])
cfg = compose(*overrides)
plan = plan_from_config(cfg)
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
    cases = [("local", "numba", ["runner=local", "backend=numba"])]
    if not quick:  # --quick: one child (JAX end to end is tests/test_cube_unchanged.py's)
        cases.append(("local", "jax", ["runner=local", "backend=jax"]))
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


def python_loop(quick: bool) -> dict:
    """The baseline a user would write: a per-series Python loop over the public models.

    The standard sweep's plan (``--quick``: 3 athletes, 9 points, 10 draws) gives the
    inputs; then for each (athlete, point, draw) of a subset (4 athletes x 3 points x 25
    draws; ``--quick`` 1 x 2 x 5), one 365-day series at a time through the public
    functions with the draw's parameters: ``tissue_damage`` of the planned running dose,
    ``acwr`` (EWMA), ``banister`` (next-day), ``injury_probability`` (training and match
    hours, days since the previous match, and the optional features: tissue damage, ACWR,
    fatigue above habitual, sleep debt, W' depletion), ``simulate_injuries`` (the engine's
    stream keys), then ``banister``, ``acwr`` and ``tissue_damage`` again on the load done
    (the injury feedback in one pass: the engine couples it day by day, which a user's
    loop could only do with a per-day loop over every model, slower still), performance
    with the time-of-day, sleep-debt and residual match-fatigue factors (the return-to-play
    rate ratio needs the day-by-day feedback too, so the loop leaves it out), and
    quantiles over the draws. Numba on
    one thread (each call is one series; with two, every call pays OpenMP's fork and
    join, 3-12 ms on this shared machine). Minimum of 3 runs after a warm-up series
    (``--quick``: one run); the per-series cost is flat, so it is extrapolated per
    athlete-day. Beside it, the
    engine's own chunk (``run_chunk``, in process, Numba, all threads) on the same
    athletes and points with all the plan's draws: minimum of 3 after a warm-up.
    """
    import time

    import numba
    import numpy as np
    from scipy.signal import lfilter

    from physiology.fitness_fatigue import BanisterParams, banister
    from physiology.injury import (
        HazardParams,
        excess_over_habitual,
        injury_probability,
        simulate_injuries,
    )
    from physiology.load import acwr
    from physiology.tissue import tissue_damage
    from twin import compose
    from twin import engine as eng
    from twin.apps.from_config import plan_from_config
    from twin.model.variables import DAILY

    std = ["sweep=standard"] if not quick else ["athletes=mini_squad", "draws=10",
                                                 "sweep=demo"]
    cfg = compose(*std, "output.plots=false", "runner=local", "backend=numba")
    t0 = time.perf_counter()
    plan = plan_from_config(cfg)
    plan_s = time.perf_counter() - t0
    d = plan.days

    def value(path: str, a: int, n: int) -> float:
        """A day-kernel parameter by its path (``"hazard.rate_match"``) for athlete a, draw n."""
        return float(functools.reduce(getattr, path.split("."), plan.params)[a, n])

    dose_per_m = eng.dose_per_metre(plan.squad)
    keys = eng.athlete_keys(plan.public_ids)
    n_a, n_p, n_n = (1, 2, 5) if quick else (4, 3, 25)

    def series(a: int, p: int, n: int) -> dict:
        load = d.load[p, :, eng.SRPE]
        dose = d.running_m[p] @ dose_per_m[a]
        ff_params = BanisterParams(*(value(f"ff.{f}", a, n) for f in BanisterParams.names()))
        hazard = HazardParams(*(value(f"hazard.{f}", a, n) for f in HazardParams.names()))
        damage = tissue_damage(dose).damage
        ratio = acwr(load, 7, 28, method="ewma")
        fatigue = banister(load, ff_params, convention="next-day").fatigue
        excess = excess_over_habitual(fatigue, value("coupling.fatigue_habitual", a, n))
        on = d.match_minutes[p] > 0
        days = np.arange(d.match.shape[1])
        last = np.maximum.accumulate(np.where(on, days, -10**9))  # last match day so far
        recovery = days - np.concatenate([[-10**9], last[:-1]])  # days since the previous
        prob = injury_probability(d.training_min[p] / 60.0, d.match_minutes[p] / 60.0,
                                  recovery, damage=damage, acwr=ratio, fatigue=excess,
                                  sleep_debt_h=plan.sleep_debt[a, p],
                                  w_prime_depletion=plan.w_prime_plan[a, p], params=hazard)
        inj = simulate_injuries(prob, plan.seed, (np.array(keys[a]), np.array(n)))
        done = load * inj.load_factor
        ff = banister(done, ff_params, convention="next-day")
        amp, peak = value("coupling.tod_amplitude", a, n), value("coupling.tod_peak_h", a, n)

        def time_of_day(b):
            return 1.0 - 0.5 * amp * (1.0 - np.cos(2 * np.pi * (b - peak) / 24.0))

        clock = (time_of_day(plan.body_clock[a, p])
                 / time_of_day(value("coupling.tod_reference_h", a, n)))
        impaired = np.maximum(plan.sleep_impairment[a, p], 0.0)
        rested = 1.0 - np.minimum(value("coupling.sleep_loss_per_lapse", a, n) * impaired,
                                  value("coupling.sleep_loss_max", a, n))
        perf_hab = value("coupling.perf_habitual", a, n)
        residual = lfilter([0.0, value("coupling.match_fatigue_24h", a, n)],
                           [1.0, -value("coupling.match_fatigue_decay", a, n)],
                           d.match_minutes[p] * inj.load_factor / 90.0)  # M carried in
        return {"performance": 100 * ff.performance / perf_hab * clock * rested
                * (1.0 - residual),
                "fitness": 100 * ff.fitness / perf_hab, "fatigue": 100 * ff.fatigue / perf_hab,
                "acwr": acwr(done, 7, 28, method="ewma"),
                "tissue_damage": tissue_damage(dose * inj.load_factor).damage,
                "injury_probability": prob * inj.available, "available": inj.available}

    threads = numba.get_num_threads()
    numba.set_num_threads(1)  # one series per call: a second thread only adds fork/join
    series(0, 0, 0)  # warm-up: loads the cached kernels
    loop_s = np.inf
    for _ in range(1 if quick else 3):
        t0 = time.perf_counter()
        for a in range(n_a):
            for p in range(n_p):
                draws = [series(a, p, n) for n in range(n_n)]
                for name in draws[0]:
                    x = np.stack([s[name] for s in draws])
                    if DAILY[name].reduce == "mean":
                        x.mean(axis=0)
                    else:
                        np.quantile(x, plan.quantiles, axis=0)
        loop_s = min(loop_s, time.perf_counter() - t0)
    numba.set_num_threads(threads)
    loop_days = n_a * n_p * n_n * plan.season.days
    eng.run_chunk(plan, slice(0, n_a), slice(0, n_p))  # warm-up
    chunk_s = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        eng.run_chunk(plan, slice(0, n_a), slice(0, n_p))
        chunk_s = min(chunk_s, time.perf_counter() - t0)
    chunk_days = n_a * n_p * plan.draws * plan.season.days
    full_days = plan.squad.size * plan.sweep.size * plan.draws * plan.season.days
    return {"runner": "python loop", "backend": "numba", "plan_s": plan_s,
            "series": n_a * n_p * n_n, "loop_s": loop_s, "loop_athlete_days": loop_days,
            "loop_athlete_days_per_s": loop_days / loop_s,
            "extrapolated_s": full_days / (loop_days / loop_s), "sweep_athlete_days": full_days,
            "chunk_s": chunk_s, "chunk_series": n_a * n_p * plan.draws,
            "chunk_athlete_days_per_s": chunk_days / chunk_s}


def loop_text(r: dict) -> str:
    """The Python-loop baseline in a sentence (:func:`python_loop`)."""
    return (f"Naive per-series Python loop over the public models (numba kernels, 1 thread, "
            f"{r['series']} series of 365 days, extrapolated per athlete-day): "
            f"{r['loop_athlete_days_per_s']:.3g} athlete-days/s, so "
            f"{r['extrapolated_s'] / 60:.3g} min for the {r['sweep_athlete_days']:,} "
            f"athlete-days of this sweep; the engine's chunk on the same athletes and points "
            f"({r['chunk_series']:,} series, in process, numba): "
            f"{r['chunk_athlete_days_per_s']:.3g} athlete-days/s, "
            f"{r['chunk_athlete_days_per_s'] / r['loop_athlete_days_per_s']:.0f}x the loop.")
